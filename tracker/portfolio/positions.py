"""Position figures: each position's entry, exit or last close, return, target, progress and pace,
over its own holding period (from its own opening to its sale or today), in its own currency.

`ret_base` is the same return converted into the thesis currency with the FX pair, which is what
the portfolio counts; `Holding` is the position as the portfolio path trades it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tracker.portfolio import maths
from tracker.portfolio.figures import PositionFigures, PositionState
from tracker.thesis.model import Position, Thesis, fx_pair
from tracker.thesis.units import Duration

TRAILING_WINDOWS = (Duration(1, "m"), Duration(3, "m"))
SPARKLINE_CLOSES = 60


@dataclass(frozen=True)
class Holding:
    """A position as the portfolio trades it, in the thesis currency."""

    ticker: str
    weight: float
    at_opening: bool  # bought with the portfolio at the thesis's opening (not a later purchase)
    entry_date: dt.date
    entry_price: float
    exit_date: dt.date | None
    exit_price: float | None
    closes: pd.Series  # from the entry to the exit (or the last close)


def _fx_series(closes: pd.DataFrame, currency: str, base: str) -> pd.Series | None:
    """Units of `base` per unit of `currency` by date; None when no conversion is needed."""
    if currency == base:
        return None
    return maths.column(closes, fx_pair(currency, base))


def _rate(fx: pd.Series | None, day: dt.date) -> float | None:
    """The last known rate on or before `day` (1 without conversion)."""
    if fx is None:
        return 1.0
    known = maths.latest(fx, day)
    return known[1] if known else None


def _to_base(prices: pd.Series, fx: pd.Series | None) -> pd.Series | None:
    """Prices converted with the last known rate on each day; None when the pair has no rates."""
    if fx is None:
        return prices
    if fx.empty:
        return None
    rate = fx.reindex(fx.index.union(prices.index)).ffill().reindex(prices.index)
    return (prices * rate).dropna()


def position_figures(thesis: Thesis, pos: Position, closes: pd.DataFrame, today: dt.date) -> tuple[PositionFigures, Holding | None]:
    """The figures of one position, and the position as the portfolio holds it (None without prices or FX)."""
    cur = thesis.currency_of(pos)
    opened = thesis.opened_on(pos)
    closed = thesis.closed_on(pos)
    as_of = min(today, closed) if closed is not None else today
    series = maths.column(closes, pos.ticker)
    entry = maths.entry_point(series, opened, pos.entry_price)
    entry_date, entry_price = entry if entry else (None, None)
    exit_point = maths.latest(series, closed) if closed is not None and entry else None
    if closed is not None and exit_point is not None and entry_date is not None and exit_point[0] < entry_date:
        exit_point = None  # sold before any close of its holding period was stored
    exit_date = exit_point[0] if exit_point else None
    exit_price = (float(pos.exit_price) if pos.exit_price is not None else exit_point[1]) if exit_point else None
    last = (exit_date, exit_price) if exit_point else maths.latest(series)
    last_date, last_price = last if last and entry else (None, None)
    state: PositionState = "pending" if entry is None and opened > thesis.opened else "closed" if exit_point else "open"
    if entry is None and closed is not None and closed <= today:
        state = "closed"

    ret = maths.simple_return(entry_price, last_price)
    target = maths.target_price(entry_price, pos.target, pos.upside)
    prog = maths.progress(entry_price, last_price, target)
    horizon = thesis.horizon_date(pos)
    left = maths.days_left(horizon, as_of)
    held = series[series.index >= pd.Timestamp(entry_date)] if entry_date else series.iloc[0:0]
    if exit_date is not None:
        held = held[held.index <= pd.Timestamp(exit_date)]

    fx = _fx_series(closes, cur, thesis.currency)
    base_series = _to_base(held, fx)
    holding: Holding | None = None
    ret_base = None
    if base_series is not None and not base_series.empty and entry_price is not None and entry_date is not None:
        fx_entry = 1.0 if cur == thesis.currency else float(base_series.iloc[0] / held.iloc[0])
        exit_base = None
        if exit_date is not None and exit_price is not None:
            rate = _rate(fx, exit_date)
            exit_base = exit_price * rate if rate is not None else None
        holding = Holding(pos.ticker, pos.weight, opened == thesis.opened, entry_date, entry_price * fx_entry, exit_date, exit_base, base_series)
        end_base = exit_base if exit_base is not None else float(base_series.iloc[-1])
        ret_base = maths.simple_return(holding.entry_price, end_base)
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
        trailing={str(w): maths.trailing_return(series, w, exit_date) for w in TRAILING_WINDOWS},
        drawdown=maths.drawdown(held) if entry_date else None,
        target=target,
        progress=prog,
        horizon_date=horizon,
        days_left=left,
        pace=maths.pace(prog, entry_date, horizon, as_of),
        rate_needed=maths.required_rate(last_price, target, left) if state == "open" else None,
        rate_so_far=maths.annualised(ret, held_days),
        contribution=pos.weight * ret_base if ret_base is not None else None,
        sparkline=[float(x) for x in held.tail(SPARKLINE_CLOSES)],
        state=state,
        opened=opened,
        closed=closed,
        exit_date=exit_date,
        exit_price=exit_price,
    )
    return figures, holding
