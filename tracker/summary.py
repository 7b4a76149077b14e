"""The summary behind `tracker status`: one dict in the shape of the contract in docs/cli.md.

It reads only what it shows: the closes of the theses' tickers since the earliest opening, the
current assumption statuses, and the last refresh.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, select

from tracker.portfolio.maths import trading_days_between
from tracker.settings import Settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import AssumptionStatus
from tracker.thesis import LoadResult, Thesis, load_theses
from tracker.thesis.model import required_tickers

STALE_TRADING_DAYS = 3


def _statuses(engine: Engine, theses: list[Thesis]) -> dict[tuple[str, str], AssumptionStatus]:
    ids = [t.id for t in theses]
    if not ids:
        return {}
    with transaction(engine) as s:
        rows = s.scalars(select(AssumptionStatus).where(AssumptionStatus.thesis_id.in_(ids))).all()
    return {(r.thesis_id, r.assumption_id): r for r in rows}


def build_summary(
    settings: Settings,
    *,
    today: dt.date,
    engine: Engine | None = None,
    loaded: LoadResult | None = None,
) -> dict[str, Any]:
    """The `status --json` object for every valid thesis, plus invalid files and the last refresh."""
    from tracker.pipeline.history import last_refresh
    from tracker.portfolio.performance import thesis_performance
    from tracker.prices.store import last_price_dates, load_closes

    loaded = loaded or load_theses(settings.theses_dir)
    engine = engine or open_database(settings.db_url)
    theses = loaded.theses
    tickers = required_tickers(theses)
    start = min((t.opened for t in theses), default=today) - dt.timedelta(days=10)
    closes = load_closes(engine, tickers, start=start)
    statuses = _statuses(engine, theses)
    last_dates = last_price_dates(engine, tickers)

    out_theses = []
    for thesis in theses:
        perf = thesis_performance(thesis, closes, today).as_status_dict()
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
                **perf,
                "assumptions": assumptions,
            }
        )
    stale = []
    for ticker in tickers:
        last = last_dates.get(ticker)
        lag = trading_days_between(last, today) if last else None
        if last is None or (lag is not None and lag > STALE_TRADING_DAYS):
            stale.append({"ticker": ticker, "last_date": last.isoformat() if last else None, "trading_days_behind": lag})
    return {
        "theses": out_theses,
        "invalid_files": [{"path": f.path, "errors": [str(i) for i in f.issues]} for f in loaded.invalid],
        "last_refresh": last_refresh(engine),
        "stale": stale,
    }


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:+.1f}%"


def format_summary(summary: dict[str, Any]) -> list[str]:
    """Human lines for `tracker status`."""
    lines: list[str] = []
    for t in summary["theses"]:
        p = t.get("portfolio", {})
        lines.append(f"{t['title']} ({t['id']}), opened {t['opened']}")
        lines.append(
            f"  portfolio {_pct(p.get('return'))}  vs {t['benchmark'] or 'no benchmark'} {_pct(p.get('benchmark_return'))}"
            f"  excess {_pct(p.get('excess'))}  drawdown {_pct(-p['drawdown'] if p.get('drawdown') is not None else None)}"
        )
        for pos in t.get("positions", []):
            last = "—" if pos.get("last_price") is None else f"{pos['last_price']:.2f}"
            target = "—" if pos.get("target") is None else f"{pos['target']:.2f}"
            progress = "—" if pos.get("progress") is None else f"{pos['progress'] * 100:.0f}%"
            days = "—" if pos.get("days_left") is None else str(pos["days_left"])
            lines.append(
                f"  {pos['ticker']:<9} {pos['weight'] * 100:>4.0f}%  last {last:>9}  return {_pct(pos.get('return')):>7}"
                f"  target {target:>8}  progress {progress:>5}  days left {days}"
            )
        for a in t["assumptions"]:
            lines.append(f"  [{a['status']}] {a['id']}")
            for reason in a["reasons"]:
                lines.append(f"      {reason}")
    for f in summary["invalid_files"]:
        lines.append(f"invalid: {f['path']}")
        lines.extend(f"  {e}" for e in f["errors"])
    last = summary.get("last_refresh")
    if last:
        lines.append(f"last refresh: {last.get('outcome')} at {last.get('finished_at') or last.get('started_at')}")
        for failure in last.get("failures", []):
            lines.append(f"  failed: {failure}")
    else:
        lines.append("last refresh: never — run `tracker refresh`")
    for s in summary.get("stale", []):
        behind = "no prices" if s["last_date"] is None else f"last close {s['last_date']}, {s['trading_days_behind']} trading days behind"
        lines.append(f"stale: {s['ticker']} ({behind})")
    return lines
