"""The portfolio path and the benchmark path: values indexed to 100 at the opening, by date.

The portfolio is bought at each position's entry with the thesis weights and then held (no
rebalancing). Until a position's first close it counts as cash (relative value 1). Missing days
are forward-filled explicitly and only after a series has started, so a holiday never reads as a
crash and a late listing never reads as −100%.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from tracker.portfolio import maths
from tracker.portfolio.positions import BaseValue
from tracker.thesis.model import Thesis


def portfolio_dates(thesis: Thesis, closes: pd.DataFrame) -> pd.DatetimeIndex:
    """Every day since the opening on which at least one position traded."""
    present = [t for t in thesis.tickers if t in closes.columns]
    if not present:
        return pd.DatetimeIndex([])
    traded = closes.loc[closes.index >= pd.Timestamp(thesis.opened), present].dropna(how="all")
    return pd.DatetimeIndex(traded.index)


def relative_path(prices: pd.Series, entry_date: dt.date, entry_price: float, index: pd.DatetimeIndex) -> pd.Series:
    """Value of 1 unit of money put in at entry, on every date of `index` (1 before entry)."""
    p = prices.reindex(index.union(prices.index)).ffill().reindex(index)
    rel = p / entry_price
    rel[index < pd.Timestamp(entry_date)] = 1.0
    return rel


def portfolio_path(thesis: Thesis, values: Mapping[str, BaseValue], dates: pd.DatetimeIndex) -> pd.Series:
    """The buy-and-hold portfolio indexed to 100; empty until every position has a value."""
    if len(dates) == 0 or any(p.ticker not in values for p in thesis.positions):
        return pd.Series(dtype=float)
    total = sum(
        pos.weight * relative_path(values[pos.ticker].closes, values[pos.ticker].entry_date, values[pos.ticker].entry_price, dates)
        for pos in thesis.positions
    )
    return total * 100.0 / sum(p.weight for p in thesis.positions)


def benchmark_path(thesis: Thesis, closes: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """The benchmark held from the opening, indexed to 100 on the portfolio's dates (empty without one)."""
    if not thesis.benchmark or len(dates) == 0:
        return pd.Series(dtype=float)
    bench = maths.column(closes, thesis.benchmark)
    entry = maths.entry_point(bench, thesis.opened)
    if entry is None:
        return pd.Series(dtype=float)
    return relative_path(bench, entry[0], entry[1], dates) * 100.0
