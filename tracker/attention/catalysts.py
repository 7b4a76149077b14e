"""Catalysts: upcoming soonest first; past ones with the market's reaction.

The reaction to an event is the ticker's return from the last close before the event's day to
the first close after it, so an event on a weekend or a holiday is measured across it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tracker.portfolio import maths
from tracker.thesis.model import Thesis

SOON_DAYS = 7  # a catalyst this close makes a thesis need attention


@dataclass(frozen=True)
class CatalystView:
    date: dt.date
    event: str
    ticker: str | None
    assumption: str | None
    upcoming: bool
    reaction: float | None  # for a past catalyst with a ticker and closes on both sides


def reaction(series: pd.Series, day: dt.date) -> float | None:
    """Return from the last close before `day` to the first close after it (None when either is missing)."""
    before = series[series.index < pd.Timestamp(day)]
    after = series[series.index > pd.Timestamp(day)]
    if before.empty or after.empty:
        return None
    return maths.simple_return(float(before.iloc[-1]), float(after.iloc[0]))


def catalyst_views(thesis: Thesis, closes: pd.DataFrame | None, today: dt.date) -> list[CatalystView]:
    """Upcoming catalysts (today included) soonest first, then past ones latest first, with reactions."""
    upcoming, past = [], []
    for c in thesis.catalysts:
        if c.date >= today:
            upcoming.append(CatalystView(c.date, c.event, c.ticker, c.assumption, True, None))
            continue
        moved = None
        if c.ticker is not None and closes is not None:
            moved = reaction(maths.column(closes, c.ticker), c.date)
        past.append(CatalystView(c.date, c.event, c.ticker, c.assumption, False, moved))
    return sorted(upcoming, key=lambda v: v.date) + sorted(past, key=lambda v: v.date, reverse=True)


def next_catalyst(thesis: Thesis, today: dt.date) -> CatalystView | None:
    """The soonest catalyst from today on (no prices needed)."""
    ahead = [v for v in catalyst_views(thesis, None, today) if v.upcoming]
    return ahead[0] if ahead else None
