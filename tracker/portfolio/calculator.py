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
from dataclasses import replace

import pandas as pd

from tracker.portfolio import maths, targets
from tracker.portfolio.figures import PortfolioFigures, PositionFigures, ThesisPerformance
from tracker.portfolio.paths import START_VALUE, benchmark_path, portfolio_dates, portfolio_path
from tracker.portfolio.positions import Holding, position_figures
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


def figures_day(thesis: Thesis, today: dt.date) -> dt.date:
    """The day a thesis's figures are for: today, or its closing day once it is closed."""
    return min(today, thesis.closed.date) if thesis.closed is not None else today


def thesis_performance(thesis: Thesis, closes: pd.DataFrame, today: dt.date) -> ThesisPerformance:
    """Every figure the dashboard, `tracker status` and the checks use for one thesis (pure).

    A closed thesis is computed as of its closing day: nothing after it counts.
    """
    as_of = figures_day(thesis, today)
    own = thesis_closes(thesis, closes)
    if thesis.closed is not None:
        own = own.loc[own.index <= pd.Timestamp(thesis.closed.date)]
    figures: list[PositionFigures] = []
    holdings: list[Holding] = []
    complete = True
    for pos in thesis.positions:
        fig, holding = position_figures(thesis, pos, own, as_of)
        figures.append(fig)
        if holding is not None:
            holdings.append(holding)
        elif fig.state != "pending":
            complete = False  # a position that should be held has no price (or no FX rate)

    dates = portfolio_dates(thesis, own)
    path = portfolio_path(thesis, holdings, dates, complete)
    value = path.value
    has_path = not value.empty
    if has_path:
        figures = [
            replace(f, contribution=path.gains.get(f.ticker, 0.0) / START_VALUE if f.state != "pending" else None,
                    weight_now=path.weights_now.get(f.ticker, 0.0))
            for f in figures
        ]
    elif thesis.has_events:
        figures = [replace(f, contribution=None) for f in figures]
    port_ret = float(value.iloc[-1] / START_VALUE - 1.0) if has_path else None
    bench_value = benchmark_path(thesis, own, dates) if has_path else pd.Series(dtype=float)
    bench_ret = float(bench_value.iloc[-1] / 100.0 - 1.0) if not bench_value.empty else None
    counted = [f for f in figures if f.state == ("closed" if thesis.closed is not None else "open") or (thesis.closed is not None and f.state == "open")]
    portfolio = PortfolioFigures(
        ret=port_ret,
        benchmark=thesis.benchmark,
        benchmark_return=bench_ret,
        excess=port_ret - bench_ret if port_ret is not None and bench_ret is not None else None,
        drawdown=maths.drawdown(value) if has_path else None,
        target_return=targets.target_return(counted),
        weighted_progress=targets.weighted_progress(counted),
        start_date=dates[0].date() if len(dates) else None,
        last_date=dates[-1].date() if len(dates) else None,
    )
    return ThesisPerformance(thesis.id, thesis.currency, portfolio, figures, value, bench_value, own, path.events, as_of)
