"""The report behind `tracker status`: one dict in the shape of the contract in docs/cli.md.

This module owns the JSON contract (the keys scripts rely on). It reads through the stores only
what it shows — the closes of the theses' own price windows, the current assumption statuses,
the last refresh — and takes every figure from the one calculator the pages and checks use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from tracker.attention.catalysts import catalyst_views
from tracker.attention.reasons import attention_reasons, past_horizon
from tracker.attention.review import review_state
from tracker.conditions.store import current_statuses
from tracker.formatting import percent
from tracker.pipeline.runs import last_refresh
from tracker.portfolio.calculator import price_window, thesis_performance
from tracker.portfolio.figures import ThesisPerformance
from tracker.portfolio.maths import staleness
from tracker.prices.store import last_price_dates, load_closes
from tracker.redact import redact_text
from tracker.settings import Settings
from tracker.storage.db import open_database
from tracker.thesis import LoadResult, Thesis
from tracker.validation import load_theses


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def performance_json(perf: ThesisPerformance) -> dict[str, Any]:
    """The `portfolio` and `positions` parts of a thesis in the `tracker status --json` contract."""
    p = perf.portfolio
    return {
        "portfolio": {
            "return": p.ret,
            "benchmark_return": p.benchmark_return,
            "excess": p.excess,
            "drawdown": p.drawdown,
            "target_return": p.target_return,
            "weighted_progress": p.weighted_progress,
            "last_date": _iso(p.last_date),
        },
        "positions": [
            {
                "ticker": f.ticker,
                "weight": f.weight,
                "currency": f.currency,
                "entry_price": f.entry_price,
                "entry_date": _iso(f.entry_date),
                "last_price": f.last_price,
                "last_date": _iso(f.last_date),
                "return": f.ret,
                "trailing": dict(f.trailing),
                "target": f.target,
                "progress": f.progress,
                "horizon_date": f.horizon_date.isoformat(),
                "days_left": f.days_left,
                "pace": f.pace,
                "contribution": f.contribution,
                "opened": _iso(f.opened),
                "closed": _iso(f.closed),
                "exit_price": f.exit_price,
                "state": f.state,
                "weight_now": f.weight_now,
            }
            for f in perf.positions
        ],
    }


def attention_json(
    thesis: Thesis,
    perf: ThesisPerformance,
    statuses: dict[str, str],
    closes: pd.DataFrame,
    last_dates: dict[str, dt.date],
    today: dt.date,
) -> dict[str, Any]:
    """The `attention`, `next_catalyst`, `catalysts` and `review` parts of a thesis in the contract."""
    review = review_state(thesis, today)
    views = catalyst_views(thesis, closes, today)
    upcoming = [v for v in views if v.upcoming]
    reasons = attention_reasons(thesis, statuses, review, upcoming, past_horizon(perf.positions), dict(last_dates), today)
    soonest = upcoming[0] if upcoming and thesis.closed is None else None
    return {
        "attention": reasons,
        "next_catalyst": {"date": soonest.date.isoformat(), "event": soonest.event, "ticker": soonest.ticker} if soonest else None,
        "catalysts": [
            {"date": v.date.isoformat(), "event": v.event, "ticker": v.ticker, "assumption": v.assumption, "reaction": v.reaction}
            for v in views
        ],
        "review": {
            "every": str(review.every) if review.every else None,
            "last": review.last.isoformat(),
            "due": _iso(review.due),
            "overdue": review.overdue,
        },
    }


def build_status_report(
    settings: Settings,
    *,
    today: dt.date,
    engine: Engine | None = None,
    loaded: LoadResult | None = None,
) -> dict[str, Any]:
    """The `status --json` object for every valid thesis, plus invalid files and the last refresh."""
    loaded = loaded or load_theses(settings.theses_dir)
    engine = engine or open_database(settings.db_url)
    theses = loaded.theses
    tickers, start = price_window(theses)
    closes = load_closes(engine, tickers, start=start)
    statuses = current_statuses(engine, [t.id for t in theses])
    last_dates = last_price_dates(engine, tickers)

    out_theses = []
    for thesis in theses:
        perf = thesis_performance(thesis, closes, today)
        assumptions = []
        for a in thesis.assumptions:
            row = statuses.get((thesis.id, a.id))
            assumptions.append(
                {
                    "id": a.id,
                    "status": row.status if row else "unknown",
                    "since": row.since.isoformat() if row else None,
                    "reasons": list(row.reasons) if row else ["not evaluated yet: run `tracker refresh`"],
                }
            )
        out_theses.append(
            {
                "id": thesis.id,
                "title": thesis.title,
                "opened": thesis.opened.isoformat(),
                "benchmark": thesis.benchmark,
                "closed": (
                    {"date": thesis.closed.date.isoformat(), "outcome": thesis.closed.outcome, "note": thesis.closed.note}
                    if thesis.closed is not None
                    else None
                ),
                **performance_json(perf),
                "assumptions": assumptions,
                **attention_json(thesis, perf, {a["id"]: a["status"] for a in assumptions}, closes, last_dates, today),
            }
        )
    stale = []
    for ticker in tickers:
        last = last_dates.get(ticker)
        behind, is_stale = staleness(last, today)
        if is_stale:
            stale.append({"ticker": ticker, "last_date": _iso(last), "trading_days_behind": behind})
    return {
        "theses": out_theses,
        "invalid_files": [{"path": f.path, "errors": [str(i) for i in f.issues]} for f in loaded.invalid],
        "last_refresh": last_refresh(engine),
        "stale": stale,
    }


def format_status_report(report: dict[str, Any]) -> list[str]:
    """Human lines for `tracker status`."""
    lines: list[str] = []
    for t in report["theses"]:
        p = t.get("portfolio", {})
        closed = t.get("closed")
        ended = f", closed {closed['date']} ({closed['outcome'].replace('_', ' ')})" if closed else ""
        lines.append(f"{t['title']} ({t['id']}), opened {t['opened']}{ended}")
        lines.append(
            f"  portfolio {percent(p.get('return'))}  vs {t['benchmark'] or 'no benchmark'} {percent(p.get('benchmark_return'))}"
            f"  excess {percent(p.get('excess'))}  drawdown {percent(-p['drawdown'] if p.get('drawdown') is not None else None)}"
        )
        for pos in t.get("positions", []):
            last = "—" if pos.get("last_price") is None else f"{pos['last_price']:.2f}"
            target = "—" if pos.get("target") is None else f"{pos['target']:.2f}"
            progress = "—" if pos.get("progress") is None else f"{pos['progress'] * 100:.0f}%"
            days = "—" if pos.get("days_left") is None else str(pos["days_left"])
            state = pos.get("state", "open")
            when = {"closed": f"  sold {pos.get('closed')}", "pending": f"  buys on {pos.get('opened')}"}.get(state, "")
            lines.append(
                f"  {pos['ticker']:<9} {pos['weight'] * 100:>4.0f}%  last {last:>9}  return {percent(pos.get('return')):>7}"
                f"  target {target:>8}  progress {progress:>5}  days left {days}{when}"
            )
        for reason in t.get("attention", []):
            lines.append(f"  needs attention: {reason}")
        upcoming = t.get("next_catalyst")
        if upcoming:
            lines.append(f"  next catalyst: {upcoming['date']} {upcoming['event']}")
        review = t.get("review") or {}
        if review.get("due"):
            lines.append(f"  review every {review['every']}: last {review['last']}, due {review['due']}" + (" (overdue)" if review["overdue"] else ""))
        for a in t["assumptions"]:
            lines.append(f"  [{a['status']}] {a['id']}")
            for reason in a["reasons"]:
                lines.append(f"      {reason}")
    for f in report["invalid_files"]:
        lines.append(f"invalid: {f['path']}")
        lines.extend(f"  {e}" for e in f["errors"])
    last = report.get("last_refresh")
    if last:
        lines.append(f"last refresh: {last.get('outcome')} at {last.get('finished_at') or last.get('started_at')}")
        for failure in last.get("failures", []):
            lines.append(redact_text(f"  failed: {failure}"))
    else:
        lines.append("last refresh: never — run `tracker refresh`")
    for s in report.get("stale", []):
        behind = "no prices" if s["last_date"] is None else f"last close {s['last_date']}, {s['trading_days_behind']} trading days behind"
        lines.append(f"stale: {s['ticker']} ({behind})")
    return lines
