"""The figures of one thesis, as plain frozen values: what every view of a thesis shows.

Computed by `tracker.portfolio.calculator` only; the pages, `tracker status` and the checks all
read these same values, so a figure never depends on who asked for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from tracker.portfolio.maths import Pace


@dataclass(frozen=True)
class PositionFigures:
    """One position against its target, over its own holding period."""

    ticker: str
    name: str | None
    weight: float
    currency: str
    entry_date: dt.date | None
    entry_price: float | None
    last_date: dt.date | None
    last_price: float | None
    ret: float | None
    ret_base: float | None  # return in the thesis currency (differs when FX moved)
    trailing: dict[str, float | None]
    drawdown: float | None
    target: float | None
    progress: float | None
    horizon_date: dt.date
    days_left: int
    pace: Pace | None
    rate_needed: float | None
    rate_so_far: float | None
    contribution: float | None
    sparkline: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class PortfolioFigures:
    """The thesis portfolio as a whole, against its benchmark and its targets."""

    ret: float | None
    benchmark: str | None
    benchmark_return: float | None
    excess: float | None
    drawdown: float | None
    target_return: float | None
    weighted_progress: float | None
    start_date: dt.date | None
    last_date: dt.date | None


@dataclass(frozen=True)
class ThesisPerformance:
    """Everything computed for one thesis as of one day."""

    thesis_id: str
    currency: str
    portfolio: PortfolioFigures
    positions: list[PositionFigures]
    value: pd.Series  # portfolio value indexed to 100 at opening
    benchmark_value: pd.Series  # benchmark indexed to 100 over the same dates (empty without one)
    closes: pd.DataFrame  # the thesis's own price window the figures were computed from
