"""The figures of one thesis, as plain frozen values: what every view of a thesis shows.

Computed by `tracker.portfolio.calculator` only; the pages, `tracker status` and the checks all
read these same values, so a figure never depends on who asked for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from tracker.portfolio.maths import Pace

PositionState = Literal["open", "closed", "pending"]
EventKind = Literal["buy", "sell", "rebalance", "close"]


@dataclass(frozen=True)
class PortfolioEvent:
    """Something that changed the portfolio's holdings on a day (shown as a marker on its chart)."""

    date: dt.date
    kind: EventKind
    ticker: str | None
    text: str


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
    state: PositionState = "open"
    opened: dt.date | None = None  # the day it was bought (the thesis's opening unless bought later)
    closed: dt.date | None = None  # the day it was sold (its own, or the thesis's close)
    exit_date: dt.date | None = None  # the close it was sold at
    exit_price: float | None = None  # in its own currency
    weight_now: float | None = None  # share of the portfolio's latest value (0 once sold)


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
    events: list[PortfolioEvent] = field(default_factory=list)
    as_of: dt.date | None = None  # the day the figures are for: today, or the thesis's close
