"""The portfolio path and the benchmark path: values indexed to 100 at the opening, by date.

The portfolio is bought at the opening with the weights of the positions held then, and held
(buy and hold) between events, which are applied in this order on their day:

1. **sales** — a position is sold at its exit (the last close on or before its `closed`, or its
   `exit_price`); the proceeds are reinvested in the open positions pro rata to their value;
2. **purchases** — a position bought later enters at its first close on or after its `opened`
   with its weight of that day's value, paid for by selling the others pro rata to their value;
3. **rebalances** — every open position is set to its new weight of that day's value.

A closed thesis ends its path at the last close on or before its closing date (everything is
sold there). A position of the opening without a close yet counts as cash at its weight until its
first close. Each holding is valued at its own close, forward-filled only after it started, so a
holiday never reads as a crash and a late listing never reads as −100%. The portfolio finances
itself (no money comes in or out), so its time-weighted return — the product of the returns
between events — is the change of its value, which is what the path shows.

Contributions are attributed by profit: each position's gains while held (in the portfolio's
money, as bought and sold) divided by the opening value. They add up to the portfolio's return,
and without events equal weight × return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tracker.formatting import short_percent
from tracker.portfolio import maths
from tracker.portfolio.figures import PortfolioEvent
from tracker.portfolio.positions import Holding
from tracker.thesis.model import Thesis

START_VALUE = 100.0


@dataclass(frozen=True)
class PortfolioPath:
    """The value path with what happened along it."""

    value: pd.Series  # indexed to 100 at the opening; empty when a holding of the opening has no price
    weights_now: dict[str, float] = field(default_factory=dict)  # share of the last value, by ticker
    gains: dict[str, float] = field(default_factory=dict)  # profit of each holding, in points of the opening value
    events: list[PortfolioEvent] = field(default_factory=list)


def portfolio_dates(thesis: Thesis, closes: pd.DataFrame) -> pd.DatetimeIndex:
    """Every day from the opening (to the thesis's close, when closed) on which a position traded."""
    present = [t for t in thesis.tickers if t in closes.columns]
    if not present:
        return pd.DatetimeIndex([])
    frame = closes.loc[closes.index >= pd.Timestamp(thesis.opened), present]
    if thesis.closed is not None:
        frame = frame.loc[frame.index <= pd.Timestamp(thesis.closed.date)]
    return pd.DatetimeIndex(frame.dropna(how="all").index)


def relative_path(prices: pd.Series, entry_date: dt.date, entry_price: float, index: pd.DatetimeIndex) -> pd.Series:
    """Value of 1 unit of money put in at entry, on every date of `index` (1 before entry)."""
    p = prices.reindex(index.union(pd.DatetimeIndex(prices.index))).ffill().reindex(index)
    rel = p / entry_price
    rel[index < pd.Timestamp(entry_date)] = 1.0
    return rel


def _day(index: pd.DatetimeIndex, day: dt.date, *, on_or_before: bool = False) -> int | None:
    """Position in `index` of the first date on or after `day` (or the last on or before it)."""
    ts = pd.Timestamp(day)
    if on_or_before:
        i = int(index.searchsorted(ts, side="right")) - 1
        return i if i >= 0 else None
    i = int(index.searchsorted(ts, side="left"))
    return i if i < len(index) else None


def portfolio_path(thesis: Thesis, holdings: Sequence[Holding], dates: pd.DatetimeIndex, complete: bool = True) -> PortfolioPath:
    """Trade the holdings through their events and value the portfolio on every date (pure, vectorised
    between events). `complete` is False when a position of the opening has no price: no path then."""
    if len(dates) == 0 or not complete or not holdings:
        return PortfolioPath(pd.Series(dtype=float))
    n = len(holdings)
    tickers = [h.ticker for h in holdings]
    # Prices on the portfolio's dates, forward-filled only from each holding's first close on.
    prices = np.full((len(dates), n), np.nan)
    for j, h in enumerate(holdings):
        col = h.closes.reindex(dates.union(pd.DatetimeIndex(h.closes.index))).ffill().reindex(dates).to_numpy(dtype=float, copy=True)
        col[dates < pd.Timestamp(h.entry_date)] = np.nan
        prices[:, j] = col
    filled = np.nan_to_num(prices, nan=0.0)

    opening = [j for j, h in enumerate(holdings) if h.at_opening]
    total_w = sum(holdings[j].weight for j in opening)
    reserved = np.zeros(n)  # cash kept for a holding of the opening until its first close
    for j in opening:
        reserved[j] = START_VALUE * holdings[j].weight / total_w if total_w > 0 else 0.0
    cash = 0.0
    units = np.zeros(n)
    cost = reserved.copy()  # money put into each holding (its share of the opening value to start with)
    proceeds = np.zeros(n)  # money taken out of it

    # Event days, as positions in `dates`.
    sells: dict[int, list[int]] = {}
    buys: dict[int, list[int]] = {}
    for j, h in enumerate(holdings):
        e = _day(dates, h.entry_date)
        if e is not None:
            buys.setdefault(e, []).append(j)
        if h.exit_date is not None:
            x = _day(dates, h.exit_date, on_or_before=True)
            if x is not None:
                sells.setdefault(x, []).append(j)
    rebalances: dict[int, list[dict[str, float]]] = {}
    for r in thesis.rebalances:
        k = _day(dates, r.date)
        if k is not None:
            rebalances.setdefault(k, []).append(dict(r.weights))
    event_days = sorted(set(sells) | set(buys) | set(rebalances))

    value = np.empty(len(dates))
    events: list[PortfolioEvent] = []
    day0 = dates[0].date()
    bounds = [*event_days, len(dates)]
    if not event_days or event_days[0] != 0:
        bounds = [0, *bounds]
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        if start in sells or start in buys or start in rebalances:
            cash = _apply(start, dates, holdings, filled[start], units, reserved, cost, proceeds, cash,
                          sells.get(start, []), buys.get(start, []), rebalances.get(start, []), tickers, events, day0)
        segment = filled[start:stop]
        value[start:stop] = segment @ units + cash + reserved.sum()

    last = filled[-1]
    held_value = units * last
    final = float(value[-1])
    weights_now = {t: (float(held_value[j]) / final if final > 0 else 0.0) for j, t in enumerate(tickers)}
    if thesis.closed is not None:
        weights_now = dict.fromkeys(tickers, 0.0)
        events.append(PortfolioEvent(dates[-1].date(), "close", None, f"thesis closed ({thesis.closed.outcome.replace('_', ' ')}): everything sold"))
    gains = {t: float(held_value[j] + reserved[j] + proceeds[j] - cost[j]) for j, t in enumerate(tickers)}
    return PortfolioPath(pd.Series(value, index=dates), weights_now, gains, events)


def _apply(
    k: int,
    dates: pd.DatetimeIndex,
    holdings: Sequence[Holding],
    price: np.ndarray,
    units: np.ndarray,
    reserved: np.ndarray,
    cost: np.ndarray,
    proceeds: np.ndarray,
    cash: float,
    sells: list[int],
    buys: list[int],
    rebalances: list[dict[str, float]],
    tickers: list[str],
    events: list[PortfolioEvent],
    day0: dt.date,
) -> float:
    """The trades of one day, in place on `units`, `reserved`, `cost` and `proceeds`; returns the cash."""
    day = dates[k].date()
    # 1. sales, reinvested pro rata in what stays open
    for j in sells:
        h = holdings[j]
        sale_price = h.exit_price if h.exit_price is not None else price[j]
        amount = units[j] * sale_price + reserved[j]
        proceeds[j] += amount
        units[j] = 0.0
        reserved[j] = 0.0
        cash += amount
        events.append(PortfolioEvent(day, "sell", h.ticker, f"sold {h.ticker}"))
    if sells:
        cash = _invest(cash, price, units, cost, exclude=set(sells))
    # 2. purchases: the opening's holdings use their reserved cash; later ones take their weight of the value
    for j in buys:
        h = holdings[j]
        if h.at_opening:
            units[j] = reserved[j] / h.entry_price
            reserved[j] = 0.0
            continue
        total = float(units @ price) + cash + reserved.sum()
        amount = h.weight * total
        keep = 1.0 - h.weight
        proceeds += units * h.weight * price + reserved * h.weight
        units *= keep
        cash *= keep
        reserved *= keep
        units[j] = amount / h.entry_price
        cost[j] += amount
        events.append(PortfolioEvent(day, "buy", h.ticker, f"bought {h.ticker} at {short_percent(h.weight, digits=1)} of the portfolio"))
    # 3. rebalances: every open holding to its new weight of the day's value
    for weights in rebalances:
        total = float(units @ price) + cash + reserved.sum()
        named = {tickers.index(t): w for t, w in weights.items() if t in tickers and price[tickers.index(t)] > 0}
        scale = sum(named.values())
        if not named or scale <= 0:
            continue
        target_units = np.zeros_like(units)
        for j, w in named.items():
            target_units[j] = w / scale * total / price[j]
        delta = target_units - units
        cost += np.where(delta > 0, delta * price, 0.0)
        proceeds += np.where(delta < 0, -delta * price, 0.0)
        units[:] = target_units
        cash = total - float(units @ price) - reserved.sum()
        shown = ", ".join(f"{t} {short_percent(w, digits=1)}" for t, w in weights.items())
        events.append(PortfolioEvent(day, "rebalance", None, f"rebalanced: {shown}"))
    return cash


def _invest(cash: float, price: np.ndarray, units: np.ndarray, cost: np.ndarray, exclude: set[int]) -> float:
    """Put `cash` into the open holdings pro rata to their value; keep it as cash when none is open."""
    held = units * price
    open_value = float(sum(v for j, v in enumerate(held) if j not in exclude))
    if open_value <= 0:
        return cash
    for j in range(len(units)):
        if j in exclude or held[j] <= 0:
            continue
        amount = cash * held[j] / open_value
        units[j] += amount / price[j]
        cost[j] += amount
    return 0.0


def benchmark_path(thesis: Thesis, closes: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """The benchmark held from the opening, indexed to 100 on the portfolio's dates (empty without one)."""
    if not thesis.benchmark or len(dates) == 0:
        return pd.Series(dtype=float)
    bench = maths.column(closes, thesis.benchmark)
    entry = maths.entry_point(bench, thesis.opened)
    if entry is None:
        return pd.Series(dtype=float)
    return relative_path(bench, entry[0], entry[1], dates) * 100.0
