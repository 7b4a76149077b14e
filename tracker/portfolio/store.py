"""Stored headline figures per thesis (table `thesis_summaries`), written at each checks run.

The overview reads one row per thesis from here instead of every close, so it stays fast with
hundreds of theses. The figures themselves come from `tracker.portfolio.calculator` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tracker.attention.reasons import past_horizon
from tracker.portfolio.figures import ThesisPerformance
from tracker.storage.db import transaction, upsert
from tracker.storage.tables import ThesisSummary

HEADLINE_FIELDS = ("computed_at", "last_date", "portfolio_return", "benchmark_return", "excess", "drawdown", "target_return",
                   "weighted_progress", "min_days_left", "past_horizon")


def headline_row(perf: ThesisPerformance, now: dt.datetime) -> dict[str, Any]:
    """The stored headline figures of one thesis."""
    p = perf.portfolio
    return {
        "thesis_id": perf.thesis_id, "computed_at": now, "last_date": p.last_date, "portfolio_return": p.ret,
        "benchmark_return": p.benchmark_return, "excess": p.excess, "drawdown": p.drawdown, "target_return": p.target_return,
        "weighted_progress": p.weighted_progress, "min_days_left": min((f.days_left for f in perf.positions), default=None),
        "past_horizon": past_horizon(perf.positions),
    }


def save_headlines(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    upsert(session, ThesisSummary, list(rows), ["thesis_id"])


def headlines(engine: Engine, thesis_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Headline figures per thesis as of the last checks run: one row each, not every price."""
    ids = sorted(set(thesis_ids))
    if not ids:
        return {}
    with transaction(engine) as s:
        rows = s.scalars(select(ThesisSummary).where(ThesisSummary.thesis_id.in_(ids))).all()
        return {r.thesis_id: {c: getattr(r, c) for c in HEADLINE_FIELDS} for r in rows}
