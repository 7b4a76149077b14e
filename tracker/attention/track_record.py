"""The track record: how the investor's theses turned out (pure).

Closed theses with their outcome, holding period, return, excess over the benchmark and the
assumptions that were falsified; across all theses, the share of positions that reached their
target before their horizon, and of assumptions that broke (falsified).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from tracker.portfolio import maths
from tracker.portfolio.figures import PositionFigures, ThesisPerformance
from tracker.thesis.model import Thesis


@dataclass(frozen=True)
class ClosedThesis:
    thesis_id: str
    title: str
    outcome: str
    opened: dt.date
    closed: dt.date
    holding_days: int
    ret: float | None
    excess: float | None
    falsified: list[str]


@dataclass(frozen=True)
class Scorecard:
    positions_with_target: int  # positions whose target and horizon can be judged
    reached: int  # … that reached their target on or before their horizon
    assumptions: int
    broke: int  # … falsified

    @property
    def hit_rate(self) -> float | None:
        return self.reached / self.positions_with_target if self.positions_with_target else None

    @property
    def break_rate(self) -> float | None:
        return self.broke / self.assumptions if self.assumptions else None


def closed_thesis(thesis: Thesis, perf: ThesisPerformance, statuses: Mapping[str, str]) -> ClosedThesis | None:
    """The record of a closed thesis (None while it is open)."""
    if thesis.closed is None:
        return None
    falsified = [a.id for a in thesis.assumptions if statuses.get(a.id) == "falsified"]
    return ClosedThesis(thesis.id, thesis.title, thesis.closed.outcome, thesis.opened, thesis.closed.date,
                        (thesis.closed.date - thesis.opened).days, perf.portfolio.ret, perf.portfolio.excess, falsified)


def reached_target(position: PositionFigures, closes: pd.DataFrame, today: dt.date) -> bool | None:
    """Whether a close reached the target between the entry and the horizon (or the sale, if earlier).

    None while it cannot be judged yet: no target or entry, or still held with its horizon ahead
    and the target not reached.
    """
    if position.target is None or position.entry_date is None or position.entry_price is None:
        return None
    end = min(d for d in (position.horizon_date, position.exit_date, today) if d is not None)
    series = maths.column(closes, position.ticker)
    held = series[(series.index >= pd.Timestamp(position.entry_date)) & (series.index <= pd.Timestamp(end))]
    upward = position.target >= position.entry_price
    hit = bool(not held.empty and ((held.max() >= position.target) if upward else (held.min() <= position.target)))
    if hit:
        return True
    decided = position.state == "closed" or today > position.horizon_date
    return False if decided else None


def scorecard(items: Iterable[tuple[Thesis, ThesisPerformance, Mapping[str, str]]], today: dt.date) -> Scorecard:
    """Targets reached before their horizon, and assumptions broken, across every thesis."""
    judged = reached = assumptions = broke = 0
    for thesis, perf, statuses in items:
        for p in perf.positions:
            verdict = reached_target(p, perf.closes, min(today, perf.as_of or today))
            if verdict is not None:
                judged += 1
                reached += verdict
        assumptions += len(thesis.assumptions)
        broke += sum(1 for a in thesis.assumptions if statuses.get(a.id) == "falsified")
    return Scorecard(judged, reached, assumptions, broke)
