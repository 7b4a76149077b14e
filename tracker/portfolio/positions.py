"""Position figures: each position's entry, last close, return, target, progress and pace.

A position's figures are over its own holding period, in its own currency; `ret_base` is the
same return converted into the thesis currency with the FX pair, which is what the portfolio
counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tracker.portfolio import maths
from tracker.portfolio.figures import PositionFigures
from tracker.thesis.model import Position, Thesis, fx_pair
from tracker.thesis.units import Duration

TRAILING_WINDOWS = (Duration(1, "m"), Duration(3, "m"))
SPARKLINE_CLOSES = 60


@dataclass(frozen=True)
class BaseValue:
    """A position's closes in the thesis currency from its entry, for the portfolio path."""

    entry_date: dt.date
    entry_price: float  # in the thesis currency
    closes: pd.Series  # in the thesis currency, from the entry on


def _fx_series(closes: pd.DataFrame, currency: str, base: str) -> pd.Series | None:
    """Units of `base` per unit of `currency` by date; None when no conversion is needed."""
    if currency == base:
        return None
    return maths.column(closes, fx_pair(currency, base))


def _to_base(prices: pd.Series, fx: pd.Series | None) -> pd.Series | None:
    """Prices converted with the last known rate on each day; None when the pair has no rates."""
    if fx is None:
        return prices
    if fx.empty:
        return None
    rate = fx.reindex(fx.index.union(prices.index)).ffill().reindex(prices.index)
    return (prices * rate).dropna()


def position_figures(thesis: Thesis, pos: Position, closes: pd.DataFrame, today: dt.date) -> tuple[PositionFigures, BaseValue | None]:
    """The figures of one position, and its value in the thesis currency (None without prices or FX)."""
    cur = thesis.currency_of(pos)
    series = maths.column(closes, pos.ticker)
    entry = maths.entry_point(series, thesis.opened, pos.entry_price)
    last = maths.latest(series)
    entry_date, entry_price = entry if entry else (None, None)
    last_date, last_price = last if last and entry else (None, None)
    ret = maths.simple_return(entry_price, last_price)
    target = maths.target_price(entry_price, pos.target, pos.upside)
    prog = maths.progress(entry_price, last_price, target)
    horizon = thesis.horizon_date(pos)
    left = maths.days_left(horizon, today)
    since_entry = series[series.index >= pd.Timestamp(entry_date)] if entry_date else series.iloc[0:0]

    base_series = _to_base(since_entry, _fx_series(closes, cur, thesis.currency))
    base: BaseValue | None = None
    ret_base = None
    if base_series is not None and not base_series.empty and entry_price is not None and entry_date is not None:
        fx_entry = 1.0 if cur == thesis.currency else float(base_series.iloc[0] / since_entry.iloc[0])
        base = BaseValue(entry_date, entry_price * fx_entry, base_series)
        ret_base = maths.simple_return(base.entry_price, float(base_series.iloc[-1]))
    held_days = (last_date - entry_date).days if last_date and entry_date else 0
    figures = PositionFigures(
        ticker=pos.ticker,
        name=pos.name,
        weight=pos.weight,
        currency=cur,
        entry_date=entry_date,
        entry_price=entry_price,
        last_date=last_date,
        last_price=last_price,
        ret=ret,
        ret_base=ret_base,
        trailing={str(w): maths.trailing_return(series, w) for w in TRAILING_WINDOWS},
        drawdown=maths.drawdown(since_entry) if entry_date else None,
        target=target,
        progress=prog,
        horizon_date=horizon,
        days_left=left,
        pace=maths.pace(prog, entry_date, horizon, today),
        rate_needed=maths.required_rate(last_price, target, left),
        rate_so_far=maths.annualised(ret, held_days),
        contribution=pos.weight * ret_base if ret_base is not None else None,
        sparkline=[float(x) for x in since_entry.tail(SPARKLINE_CLOSES)],
    )
    return figures, base
