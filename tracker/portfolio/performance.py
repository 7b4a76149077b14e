"""Thesis-level figures: each position against its target and the buy-and-hold portfolio
against its benchmark, in the thesis currency.

The portfolio is bought at each position's entry with the thesis weights and then held (no
rebalancing). Until a position's first close it counts as cash (relative value 1). Missing days
are forward-filled explicitly and only after a series has started, so a holiday never reads as a
crash and a late listing never reads as −100%.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tracker.portfolio import maths
from tracker.thesis.model import Thesis, fx_pair
from tracker.thesis.units import Duration

TRAILING_WINDOWS = (Duration(1, "m"), Duration(3, "m"))


@dataclass(frozen=True)
class PositionFigures:
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
    pace: maths.Pace | None
    rate_needed: float | None
    rate_so_far: float | None
    contribution: float | None
    sparkline: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class PortfolioFigures:
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
    thesis_id: str
    currency: str
    portfolio: PortfolioFigures
    positions: list[PositionFigures]
    value: pd.Series  # portfolio value indexed to 100 at opening
    benchmark_value: pd.Series  # benchmark indexed to 100 over the same dates (empty without one)

    def as_status_dict(self) -> dict[str, Any]:
        """The `portfolio` and `positions` parts of the `tracker status --json` contract."""
        p = self.portfolio
        return {
            "portfolio": {
                "return": p.ret,
                "benchmark_return": p.benchmark_return,
                "excess": p.excess,
                "drawdown": p.drawdown,
                "target_return": p.target_return,
                "weighted_progress": p.weighted_progress,
                "last_date": p.last_date.isoformat() if p.last_date else None,
            },
            "positions": [
                {
                    "ticker": f.ticker,
                    "weight": f.weight,
                    "currency": f.currency,
                    "entry_price": f.entry_price,
                    "entry_date": f.entry_date.isoformat() if f.entry_date else None,
                    "last_price": f.last_price,
                    "last_date": f.last_date.isoformat() if f.last_date else None,
                    "return": f.ret,
                    "target": f.target,
                    "progress": f.progress,
                    "horizon_date": f.horizon_date.isoformat(),
                    "days_left": f.days_left,
                    "pace": f.pace,
                    "contribution": f.contribution,
                }
                for f in self.positions
            ],
        }


def _fx_series(closes: pd.DataFrame, currency: str, base: str) -> pd.Series | None:
    """Units of `base` per unit of `currency` by date; None when the pair is missing."""
    if currency == base:
        return None
    return maths.column(closes, fx_pair(currency, base))


def _relative_path(prices: pd.Series, entry_date: dt.date, entry_price: float, index: pd.DatetimeIndex) -> pd.Series:
    """Value of 1 unit of money put in at entry, on every date of `index` (1 before entry)."""
    p = prices.reindex(index.union(prices.index)).ffill().reindex(index)
    rel = p / entry_price
    rel[index < pd.Timestamp(entry_date)] = 1.0
    return rel


def _to_base(prices: pd.Series, fx: pd.Series | None) -> pd.Series | None:
    if fx is None:
        return prices
    if fx.empty:
        return None
    rate = fx.reindex(fx.index.union(prices.index)).ffill().reindex(prices.index)
    return (prices * rate).dropna()


def thesis_performance(thesis: Thesis, closes: pd.DataFrame, today: dt.date) -> ThesisPerformance:
    """Every figure the dashboard and `tracker status` show for one thesis (pure)."""
    opened = pd.Timestamp(thesis.opened)
    figures: list[PositionFigures] = []
    rel_paths: dict[str, pd.Series] = {}

    # The portfolio's dates: every day since opening on which at least one position traded.
    present = [p.ticker for p in thesis.positions if p.ticker in closes.columns]
    dates = pd.DatetimeIndex(closes.loc[closes.index >= opened, present].dropna(how="all").index) if present else pd.DatetimeIndex([])

    for pos in thesis.positions:
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
        ret_base = None
        if base_series is not None and not base_series.empty and entry_price is not None:
            fx_entry = 1.0 if cur == thesis.currency else float(base_series.iloc[0] / since_entry.iloc[0])
            entry_base = entry_price * fx_entry
            rel_paths[pos.ticker] = _relative_path(base_series, entry_date, entry_base, dates)
            ret_base = maths.simple_return(entry_base, float(base_series.iloc[-1]))
        held_days = (last_date - entry_date).days if last_date and entry_date else 0
        figures.append(
            PositionFigures(
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
                sparkline=[float(x) for x in since_entry.tail(60)],
            )
        )

    complete = len(rel_paths) == len(thesis.positions) and len(dates) > 0
    if complete:
        value = sum(pos.weight * rel_paths[pos.ticker] for pos in thesis.positions) * 100.0
        value = value / sum(p.weight for p in thesis.positions)
    else:
        value = pd.Series(dtype=float)
    port_ret = float(value.iloc[-1] / 100.0 - 1.0) if complete else None
    port_dd = maths.drawdown(value) if complete else None

    bench_value = pd.Series(dtype=float)
    bench_ret = None
    if thesis.benchmark and complete:
        bench = maths.column(closes, thesis.benchmark)
        b_entry = maths.entry_point(bench, thesis.opened)
        if b_entry is not None:
            bench_value = _relative_path(bench, b_entry[0], b_entry[1], dates) * 100.0
            bench_ret = float(bench_value.iloc[-1] / 100.0 - 1.0)

    targeted = [(p, f) for p, f in zip(thesis.positions, figures, strict=True) if f.target is not None]
    target_return = None
    if targeted and all(f.entry_price for _, f in targeted):
        target_return = sum(p.weight * (f.target / f.entry_price - 1.0) for p, f in targeted)  # type: ignore[operator]
    with_progress = [(p.weight, f.progress) for p, f in targeted if f.progress is not None]
    weighted_progress = (
        sum(w * pr for w, pr in with_progress) / sum(w for w, _ in with_progress) if with_progress else None
    )

    portfolio = PortfolioFigures(
        ret=port_ret,
        benchmark=thesis.benchmark,
        benchmark_return=bench_ret,
        excess=port_ret - bench_ret if port_ret is not None and bench_ret is not None else None,
        drawdown=port_dd,
        target_return=target_return,
        weighted_progress=weighted_progress,
        start_date=dates[0].date() if len(dates) else None,
        last_date=dates[-1].date() if len(dates) else None,
    )
    return ThesisPerformance(thesis.id, thesis.currency, portfolio, figures, value, bench_value)
