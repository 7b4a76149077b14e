"""Single-series figures: entry, latest close, returns, drawdown, targets, progress, pace.

Inputs are pandas Series of closes indexed by date (NaN where a ticker did not trade); every
function drops missing days explicitly instead of relying on implicit forward-filling (pandas 3's
`pct_change` no longer fills). A figure that cannot be known is None, never 0.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

import pandas as pd

from tracker.thesis.units import Duration

Pace = Literal["target hit", "expired", "ahead", "on pace", "behind"]
PACE_TOLERANCE = 0.10  # within 10 points of the straight-line path counts as on pace
STALE_TRADING_DAYS = 3  # a ticker whose last close is more trading days behind than this is stale


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def clean(series: pd.Series) -> pd.Series:
    """Trading days only: NaN rows dropped, index sorted, as float."""
    return series.dropna().sort_index().astype(float)


def column(closes: pd.DataFrame, ticker: str) -> pd.Series:
    """The cleaned closes of one ticker; empty when the frame does not have it."""
    if ticker not in closes.columns:
        return pd.Series(dtype=float, index=pd.DatetimeIndex([]))
    return clean(closes[ticker])


def entry_point(series: pd.Series, opened: dt.date, entry_price: float | None = None) -> tuple[dt.date, float] | None:
    """The first close on or after `opened`; `entry_price` overrides the price (not the date)."""
    after = series[series.index >= _ts(opened)]
    if after.empty:
        if entry_price is not None:
            return opened, float(entry_price)
        return None
    day = after.index[0].date()
    return day, float(entry_price) if entry_price is not None else float(after.iloc[0])


def latest(series: pd.Series, asof: dt.date | None = None) -> tuple[dt.date, float] | None:
    """The last close (on or before `asof` when given)."""
    s = series if asof is None else series[series.index <= _ts(asof)]
    if s.empty:
        return None
    return s.index[-1].date(), float(s.iloc[-1])


def simple_return(start: float | None, end: float | None) -> float | None:
    if start is None or end is None or start <= 0:
        return None
    return end / start - 1.0


def trailing_return(series: pd.Series, window: Duration, asof: dt.date | None = None) -> float | None:
    """Return over the window ending at the last close: from the last close on or before the
    window's start. None when the series does not reach back that far."""
    last = latest(series, asof)
    if last is None:
        return None
    start_day = window.before(last[0])
    before = series[series.index <= _ts(start_day)]
    if before.empty:
        return None
    return simple_return(float(before.iloc[-1]), last[1])


def drawdown(series: pd.Series, since: dt.date | None = None) -> float | None:
    """Current fall from the highest close since `since`, as a positive fraction (0 at a peak)."""
    s = series if since is None else series[series.index >= _ts(since)]
    if s.empty:
        return None
    peak = float(s.max())
    return 0.0 if peak <= 0 else max(0.0, 1.0 - float(s.iloc[-1]) / peak)


def max_drawdown(series: pd.Series) -> float | None:
    """Largest peak-to-trough fall over the series, as a positive fraction."""
    if series.empty:
        return None
    running_peak = series.cummax()
    return float((1.0 - series / running_peak).max())


def target_price(entry_price: float | None, target: float | None, upside: float | None) -> float | None:
    """An explicit target, or the entry price grown by `upside`."""
    if target is not None:
        return float(target)
    if upside is not None and entry_price is not None:
        return entry_price * (1.0 + upside)
    return None


def progress(entry_price: float | None, last_price: float | None, target: float | None) -> float | None:
    """Fraction of the way from entry to target (1 = target reached; negative = moved away)."""
    if entry_price is None or last_price is None or target is None or math.isclose(target, entry_price):
        return None
    return (last_price - entry_price) / (target - entry_price)


def upside(last_price: float | None, target: float | None) -> float | None:
    """How far the price still has to go to reach the target, as a return from the last price
    (0.81: the target is 81% above it; negative: the price is above its target)."""
    if last_price is None or target is None or last_price <= 0:
        return None
    return target / last_price - 1.0


def days_left(horizon_date: dt.date, today: dt.date) -> int:
    """Calendar days until the horizon; negative once it has passed."""
    return (horizon_date - today).days


def elapsed_fraction(entry_date: dt.date, horizon_date: dt.date, today: dt.date) -> float:
    """Share of the holding period already behind us, clamped to [0, 1]."""
    total = (horizon_date - entry_date).days
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, (today - entry_date).days / total))


def pace(progress_value: float | None, entry_date: dt.date | None, horizon_date: dt.date, today: dt.date) -> Pace | None:
    """Where the position stands against the straight line from entry to target by the horizon."""
    if progress_value is None or entry_date is None:
        return None
    if progress_value >= 1.0:
        return "target hit"
    if today > horizon_date:
        return "expired"
    expected = elapsed_fraction(entry_date, horizon_date, today)
    if progress_value > expected + PACE_TOLERANCE:
        return "ahead"
    if progress_value < expected - PACE_TOLERANCE:
        return "behind"
    return "on pace"


def annualised(ret: float | None, days: int) -> float | None:
    """Compound annual rate of a return earned over `days` calendar days; None (unknown) when
    there is none, or when it is too large for a float (a 300x gain in six days)."""
    if ret is None or days <= 0 or ret <= -1:
        return None
    try:
        return float((1.0 + ret) ** (365.0 / days)) - 1.0
    except OverflowError:
        return None


def required_rate(last_price: float | None, target: float | None, days_remaining: int) -> float | None:
    """The annual rate the price must compound at from now to reach the target by the horizon."""
    if last_price is None or target is None or days_remaining <= 0 or last_price <= 0:
        return None
    return annualised(target / last_price - 1.0, days_remaining)


def trading_days_between(start: dt.date, end: dt.date) -> int:
    """Weekdays after `start` up to and including `end`: staleness is counted in trading days,
    so a Friday close is not stale on Monday morning (exchange holidays are not known here)."""
    if end <= start:
        return 0
    weeks, rest = divmod((end - start).days, 7)
    return weeks * 5 + sum(1 for i in range(1, rest + 1) if (start + dt.timedelta(days=weeks * 7 + i)).weekday() < 5)


def staleness(last: dt.date | None, today: dt.date) -> tuple[int | None, bool]:
    """Trading days the last close is behind today (None: no close at all), and whether that is stale."""
    if last is None:
        return None, True
    behind = trading_days_between(last, today)
    return behind, behind > STALE_TRADING_DAYS
