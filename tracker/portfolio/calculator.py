"""The one calculator of thesis figures, used by the checks, `tracker status` and the pages.

It decides which prices a thesis needs (`price_window`) and computes every figure from exactly
that window (`thesis_performance`), composed from the small pure parts beside it: position
figures, the portfolio path, the benchmark path and the target figures. Callers may load a wider
frame (several theses at once); each thesis is cut to its own window first, so trailing returns
and every other figure are the same whoever asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from tracker.portfolio import maths, targets
from tracker.portfolio.figures import PortfolioFigures, PositionFigures, ThesisPerformance
from tracker.portfolio.paths import benchmark_path, portfolio_dates, portfolio_path
from tracker.portfolio.positions import BaseValue, position_figures
from tracker.thesis.model import Thesis, required_tickers

# Prices kept before a thesis opens, so trailing windows of up to a year work from the first day.
HISTORY_BEFORE_OPENING = dt.timedelta(days=400)


def history_start(thesis: Thesis) -> dt.date:
    """The first day of prices the thesis's figures and checks may look at."""
    return thesis.opened - HISTORY_BEFORE_OPENING


def price_window(theses: Iterable[Thesis]) -> tuple[list[str], dt.date | None]:
    """The tickers and the first day of closes to load for these theses (None: no thesis)."""
    items = list(theses)
    return required_tickers(items), min((history_start(t) for t in items), default=None)


def thesis_closes(thesis: Thesis, closes: pd.DataFrame) -> pd.DataFrame:
    """The thesis's own window of a (possibly wider) frame of closes: its tickers, from its history start."""
    if closes.empty:
        return closes
    columns = [t for t in thesis.required_tickers if t in closes.columns]
    return closes.loc[closes.index >= pd.Timestamp(history_start(thesis)), columns]


def thesis_performance(thesis: Thesis, closes: pd.DataFrame, today: dt.date) -> ThesisPerformance:
    """Every figure the dashboard, `tracker status` and the checks use for one thesis (pure)."""
    own = thesis_closes(thesis, closes)
    figures: list[PositionFigures] = []
    values: dict[str, BaseValue] = {}
    for pos in thesis.positions:
        fig, base = position_figures(thesis, pos, own, today)
        figures.append(fig)
        if base is not None:
            values[pos.ticker] = base

    dates = portfolio_dates(thesis, own)
    value = portfolio_path(thesis, values, dates)
    complete = not value.empty
    port_ret = float(value.iloc[-1] / 100.0 - 1.0) if complete else None
    bench_value = benchmark_path(thesis, own, dates) if complete else pd.Series(dtype=float)
    bench_ret = float(bench_value.iloc[-1] / 100.0 - 1.0) if not bench_value.empty else None
    portfolio = PortfolioFigures(
        ret=port_ret,
        benchmark=thesis.benchmark,
        benchmark_return=bench_ret,
        excess=port_ret - bench_ret if port_ret is not None and bench_ret is not None else None,
        drawdown=maths.drawdown(value) if complete else None,
        target_return=targets.target_return(figures),
        weighted_progress=targets.weighted_progress(figures),
        start_date=dates[0].date() if len(dates) else None,
        last_date=dates[-1].date() if len(dates) else None,
    )
    return ThesisPerformance(thesis.id, thesis.currency, portfolio, figures, value, bench_value, own)
