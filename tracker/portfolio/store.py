"""Stored figures per thesis (table `thesis_summaries`), written at each checks run.

The refresh computes every figure of each thesis with `tracker.portfolio.calculator` and stores
them here with the thesis they were computed from (`thesis_fingerprint`) and the day they are for;
the pages and `tracker status` read them back instead of every close, so every view of a thesis
shows the same figures and stays fast with hundreds of theses. Figures stored for another version
of the thesis file, or for another day, are not returned: the reader recomputes those.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tracker.attention.reasons import past_horizon
from tracker.portfolio.calculator import figures_day
from tracker.portfolio.figures import PortfolioFigures, PositionFigures, ThesisPerformance
from tracker.storage.db import transaction, upsert
from tracker.storage.tables import ThesisSummary
from tracker.thesis.model import Thesis, thesis_fingerprint

HEADLINE_FIELDS = ("computed_at", "last_date", "portfolio_return", "benchmark_return", "excess", "drawdown", "target_return",
                   "weighted_progress", "min_days_left", "past_horizon", "as_of")
_DATES = {"entry_date", "last_date", "horizon_date", "opened", "closed", "exit_date", "start_date"}


def _plain(value: Any) -> Any:
    """A figure as JSON keeps it: dates as ISO text, a non-finite number as null."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def figures_record(portfolio: PortfolioFigures, positions: Sequence[PositionFigures]) -> dict[str, Any]:
    """The stored form of a thesis's figures (JSON)."""
    return {"portfolio": _plain(asdict(portfolio)), "positions": [_plain(asdict(f)) for f in positions]}


def _typed(cls: Any, data: dict[str, Any]) -> Any:
    values = {}
    for f in fields(cls):
        if f.name in data:
            v = data[f.name]
            values[f.name] = dt.date.fromisoformat(v) if f.name in _DATES and isinstance(v, str) else v
    return cls(**values)


@dataclass(frozen=True)
class StoredFigures:
    """A thesis's figures as the refresh stored them."""

    thesis_id: str
    currency: str
    computed_at: dt.datetime
    as_of: dt.date
    portfolio: PortfolioFigures
    positions: list[PositionFigures]

    def performance(self) -> ThesisPerformance:
        """The figures as a `ThesisPerformance` without its series (no closes were read)."""
        return ThesisPerformance(self.thesis_id, self.currency, self.portfolio, list(self.positions), pd.Series(dtype=float),
                                 pd.Series(dtype=float), pd.DataFrame(), [], self.as_of)


def headline_fields(perf: ThesisPerformance) -> dict[str, Any]:
    """The headline figures of one thesis (the overview's columns)."""
    p = perf.portfolio
    return {
        "thesis_id": perf.thesis_id, "last_date": p.last_date, "portfolio_return": p.ret,
        "benchmark_return": p.benchmark_return, "excess": p.excess, "drawdown": p.drawdown, "target_return": p.target_return,
        "weighted_progress": p.weighted_progress, "min_days_left": min((f.days_left for f in perf.positions), default=None),
        "past_horizon": past_horizon(perf.positions), "as_of": perf.as_of,
    }


def headline_row(perf: ThesisPerformance, now: dt.datetime, thesis_hash: str | None = None) -> dict[str, Any]:
    """The stored figures of one thesis: headline columns for the overview, every figure in `figures`."""
    return {**headline_fields(perf), "computed_at": now, "thesis_hash": thesis_hash, "figures": figures_record(perf.portfolio, perf.positions)}


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


def stored_figures(engine: Engine, theses: Sequence[Thesis], today: dt.date) -> dict[str, StoredFigures]:
    """The stored figures of the theses that are still theirs: computed from the same thesis
    (same fingerprint) for the same day. The others are absent: compute those."""
    wanted = {t.id: t for t in theses}
    if not wanted:
        return {}
    out: dict[str, StoredFigures] = {}
    with transaction(engine) as s:
        rows = s.execute(
            select(ThesisSummary.thesis_id, ThesisSummary.computed_at, ThesisSummary.thesis_hash, ThesisSummary.as_of, ThesisSummary.figures)
            .where(ThesisSummary.thesis_id.in_(sorted(wanted)))
        ).all()
    for tid, computed_at, digest, as_of, record in rows:
        thesis = wanted[tid]
        if not record or digest != thesis_fingerprint(thesis) or as_of != figures_day(thesis, today):
            continue
        out[tid] = StoredFigures(tid, thesis.currency, computed_at, as_of, _typed(PortfolioFigures, record["portfolio"]),
                                 [_typed(PositionFigures, f) for f in record["positions"]])
    return out
