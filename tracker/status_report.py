"""The report behind `tracker status`: one dict in the shape of the contract in docs/cli.md.

This module owns the JSON contract (the keys scripts rely on). It reads through the stores only
what it shows — the figures the last refresh stored, the current assumption statuses, the last
refresh — and, like the pages, takes each thesis's figures from `current_figures`: the stored
ones while they are still the thesis's, else the one calculator's on the stored closes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, make_url

from tracker.attention.catalysts import catalyst_views
from tracker.attention.reasons import attention_reasons, past_horizon
from tracker.attention.review import review_state
from tracker.conditions.store import current_statuses
from tracker.formatting import percent, points
from tracker.pipeline.runs import last_refresh
from tracker.portfolio.calculator import price_window, thesis_performance
from tracker.portfolio.figures import ThesisPerformance
from tracker.portfolio.maths import staleness, upside
from tracker.portfolio.store import stored_figures
from tracker.prices.store import fetch_states, last_price_dates, load_closes
from tracker.redact import redact_text
from tracker.reporting.report import failure_text
from tracker.settings import DEMO_DB_URL, Settings
from tracker.storage.db import open_database
from tracker.thesis import LoadResult, Thesis
from tracker.thesis.units import UnitError, parse_duration
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


def price_gaps(
    thesis: Thesis,
    today: dt.date,
    last_dates: dict[str, dt.date],
    states: dict[str, dict[str, Any]],
) -> list[dict[str, str]]:
    """The symbols of a thesis with no stored close at all (a position bought after today aside),
    each with its role and why: the fetch failure the prices stage recorded (e.g. the ticker is
    unknown to the source, or the source was unreachable), or that it was never fetched. Every
    figure that needs one of them is incomplete."""
    later = {p.ticker for p in thesis.positions if thesis.opened_on(p) > today}
    held = set(thesis.tickers)
    gaps = []
    for ticker in thesis.required_tickers:
        if ticker in last_dates or ticker in later:
            continue
        role = "position" if ticker in held else "benchmark" if ticker == thesis.benchmark else "FX rate"
        state = states.get(ticker)
        if state is None:
            reason = "not fetched yet: run `tracker refresh`"
        else:
            reason = state.get("last_error") or "the price source returned no close for it"
        gaps.append({"ticker": ticker, "role": role, "reason": redact_text(reason)})
    return gaps


def gap_text(gap: dict[str, str]) -> str:
    """`no prices for MAA: <why>` (with the role when it is not a position)."""
    role = "" if gap["role"] == "position" else f" ({gap['role']})"
    return f"no prices for {gap['ticker']}{role}: {gap['reason']}"


def current_figures(
    engine: Engine,
    theses: Sequence[Thesis],
    today: dt.date,
    closes: Callable[[list[Thesis]], pd.DataFrame] | None = None,
    states: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, ThesisPerformance]:
    """Each thesis's figures as every view shows them: those the last refresh stored, while they
    are still the thesis's (same thesis content, same day, no close fetched since), else computed
    by the calculator from the stored closes. The stored ones carry no series (no closes read).

    `closes` loads the closes of the theses to compute (default: their price window, read here);
    `states` are the tickers' fetch states when the caller has read them already.
    """
    stored = stored_figures(engine, theses, today)
    fetched = states if states is not None else fetch_states(engine, [x for t in theses if t.id in stored for x in t.required_tickers])
    out: dict[str, ThesisPerformance] = {}
    compute: list[Thesis] = []
    for thesis in theses:
        kept = stored.get(thesis.id)
        newest = max((st["last_success"] for x in thesis.required_tickers if (st := fetched.get(x)) and st["last_success"]), default=None)
        if kept is not None and (newest is None or newest <= kept.computed_at):
            out[thesis.id] = kept.performance()
        else:
            compute.append(thesis)
    if compute:
        if closes is None:
            tickers, start = price_window(compute)
            frame = load_closes(engine, tickers, start=start)
        else:
            frame = closes(compute)
        for thesis in compute:
            out[thesis.id] = thesis_performance(thesis, frame, today)
    return out


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
    states = fetch_states(engine, tickers)

    figures = current_figures(engine, theses, today, closes=lambda _: closes, states=states)
    out_theses = []
    for thesis in theses:
        perf = figures[thesis.id]
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
                "price_gaps": price_gaps(thesis, today, last_dates, states),
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


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (None for another database or an in-memory one)."""
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") else None


def database_lines(settings: Settings, report: dict[str, Any], *, demo: bool = False) -> list[str]:
    """Which database the report read, and where the demo is when this one has never been refreshed."""
    lines = [f"database: {redact_text(settings.db_url)}" + (" (the demo: sample data, not market prices)" if demo else "")]
    demo_file = sqlite_file(DEMO_DB_URL)
    if not demo and report.get("last_refresh") is None and demo_file is not None and demo_file.exists():
        lines.append(f"  nothing refreshed here yet; the demo's sample data is in {demo_file}: `tracker status --demo` reads it")
    return lines


def _every_words(every: str) -> str:
    """`90d` from the JSON report as `90 days` for the text."""
    try:
        return parse_duration(every).words()
    except UnitError:
        return every


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
            f"  excess {points(p.get('excess'))}  drawdown {percent(-p['drawdown'] if p.get('drawdown') is not None else None)}"
            + (f"  (as of the close of {p['last_date']})" if p.get("last_date") else "")
        )
        for gap in t.get("price_gaps", []):
            lines.append(f"  {gap_text(gap)} (figures that need it are incomplete)")
        for pos in t.get("positions", []):
            last = "—" if pos.get("last_price") is None else f"{pos['last_price']:.2f}"
            target = "—" if pos.get("target") is None else f"{pos['target']:.2f}"
            # as on the dashboard: progress capped at the target, the distance left as upside
            progress = "—" if pos.get("progress") is None else "hit" if pos["progress"] >= 1 else f"{max(pos['progress'], 0.0) * 100:.0f}%"
            up = upside(pos.get("last_price"), pos.get("target"))
            days = "—" if pos.get("days_left") is None else str(pos["days_left"])
            state = pos.get("state", "open")
            when = {"closed": f"  sold {pos.get('closed')}", "pending": f"  buys on {pos.get('opened')}"}.get(state, "")
            lines.append(
                f"  {pos['ticker']:<9} {pos['weight'] * 100:>4.0f}%  last {last:>9}  return {percent(pos.get('return')):>7}"
                f"  target {target:>8}  upside {percent(up, digits=0):>5}  progress {progress:>4}  days left {days}{when}"
            )
        for reason in t.get("attention", []):
            lines.append(f"  needs attention: {reason}")
        upcoming = t.get("next_catalyst")
        if upcoming:
            lines.append(f"  next catalyst: {upcoming['date']} {upcoming['event']}")
        review = t.get("review") or {}
        if review.get("due"):
            lines.append(f"  review every {_every_words(review['every'])}: last {review['last']}, due {review['due']}" + (" (overdue)" if review["overdue"] else ""))
        for a in t["assumptions"]:
            lines.append(f"  [{a['status'].replace('_', ' ')}] {a['id']}")
            for reason in a["reasons"]:
                lines.append(f"      {reason}")
    for f in report["invalid_files"]:
        lines.append(f"invalid: {f['path']}")
        lines.extend(f"  {e}" for e in f["errors"])
    last = report.get("last_refresh")
    if last:
        lines.append(f"last refresh: {last.get('outcome')} at {last.get('finished_at') or last.get('started_at')}")
        for f in last.get("failures", []):
            lines.append(redact_text("  failed in " + failure_text(f["stage"], f["kind"], f["source"], f["error"])))
    else:
        lines.append("last refresh: never — run `tracker refresh`")
    for s in report.get("stale", []):
        behind = "no prices" if s["last_date"] is None else f"last close {s['last_date']}, {s['trading_days_behind']} trading days behind"
        lines.append(f"stale: {s['ticker']} ({behind})")
    return lines
