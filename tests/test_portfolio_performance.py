"""Thesis figures from CSV prices with known end points, exact to the cent or basis point.

The fixture has a missing day (BBB has no close on 2026-06-15), an `entry_price` override,
an `upside` target, a position in EUR converted with EURUSD=X, and a benchmark.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tracker.portfolio.calculator import thesis_performance
from tracker.status_report import performance_json
from tracker.validation import parse_thesis_text

FIXTURE = Path(__file__).parent / "fixtures" / "prices" / "known.csv"
TODAY = dt.date(2026, 6, 18)

THESIS = """
title: Known figures
opened: 2026-06-11
benchmark: IDX
positions:
  - {ticker: AAA, weight: 50%, target: 150, horizon: 200d}
  - {ticker: BBB, weight: 30%, upside: 20%, horizon: 30d, entry_price: 40}
  - {ticker: CCC.AS, currency: EUR, weight: 20%, target: 30, until: 2026-12-31}
"""


def wide(path: Path) -> pd.DataFrame:
    long = pd.read_csv(path, parse_dates=["date"])
    return long.pivot(index="date", columns="ticker", values="close").sort_index()


@pytest.fixture
def perf():
    thesis = parse_thesis_text(THESIS, "known.yaml", "known")
    return thesis_performance(thesis, wide(FIXTURE), TODAY)


def by_ticker(perf):
    return {p.ticker: p for p in perf.positions}


@pytest.mark.parametrize(
    "ticker, entry, last, ret, target, progress, days_left, pace",
    [
        ("AAA", 100.00, 120.00, 0.20, 150.00, 0.40, 193, "ahead"),
        ("BBB", 40.00, 55.00, 0.375, 48.00, 1.875, 23, "target hit"),
        ("CCC.AS", 20.00, 24.00, 0.20, 30.00, 0.40, 196, "ahead"),
    ],
)
def test_position_figures(perf, ticker, entry, last, ret, target, progress, days_left, pace):
    p = by_ticker(perf)[ticker]
    assert p.entry_price == pytest.approx(entry, abs=0.005)
    assert p.last_price == pytest.approx(last, abs=0.005)
    assert p.ret == pytest.approx(ret, abs=1e-4)
    assert p.target == pytest.approx(target, abs=0.005)
    assert p.progress == pytest.approx(progress, abs=1e-4)
    assert p.days_left == days_left
    assert p.pace == pace


def test_foreign_position_is_converted_for_portfolio_figures(perf):
    ccc = by_ticker(perf)["CCC.AS"]
    assert ccc.currency == "EUR"
    # in USD: entry 20 × 1.10 = 22.00, last 24 × 1.20 = 28.80
    assert ccc.ret_base == pytest.approx(28.80 / 22.00 - 1, abs=1e-4)
    assert ccc.contribution == pytest.approx(0.20 * (28.80 / 22.00 - 1), abs=1e-4)


def test_portfolio_value_handles_the_missing_day_and_override(perf):
    v = perf.value
    # 06-12: AAA 104/100, BBB 45/40, CCC 21*1.10/22
    assert v[pd.Timestamp("2026-06-12")] == pytest.approx(100 * (0.5 * 1.04 + 0.3 * 45 / 40 + 0.2 * 23.1 / 22), abs=1e-4)
    # 06-15: BBB has no close; its last close (45) carries forward, never a gap or a zero
    assert v[pd.Timestamp("2026-06-15")] == pytest.approx(100 * (0.5 * 0.98 + 0.3 * 45 / 40 + 0.2 * 22 * 1.12 / 22), abs=1e-4)
    # opening day: BBB's override (40) differs from its close (50) — the value reflects it
    assert v[pd.Timestamp("2026-06-11")] == pytest.approx(100 * (0.5 + 0.3 * 50 / 40 + 0.2), abs=1e-4)


def test_portfolio_figures(perf):
    final = 0.5 * 1.20 + 0.3 * 55 / 40 + 0.2 * 28.8 / 22
    port = perf.portfolio
    assert port.ret == pytest.approx(final - 1, abs=1e-4)
    assert port.benchmark_return == pytest.approx(210 / 200 - 1, abs=1e-4)
    assert port.excess == pytest.approx(final - 1 - 0.05, abs=1e-4)
    assert sum(p.contribution for p in perf.positions) == pytest.approx(port.ret, abs=1e-9)
    # target return: 50% × (150/100 − 1) + 30% × 20% + 20% × (30/20 − 1)
    assert port.target_return == pytest.approx(0.25 + 0.06 + 0.10, abs=1e-4)
    peak = perf.value.max()
    assert port.drawdown == pytest.approx(1 - perf.value.iloc[-1] / peak, abs=1e-9)
    assert perf.benchmark_value.iloc[0] == pytest.approx(100.0)


def test_unknown_figures_are_none_not_zero():
    thesis = parse_thesis_text(THESIS, "known.yaml", "known")
    frame = wide(FIXTURE).drop(columns=["EURUSD=X"])
    perf = thesis_performance(thesis, frame, TODAY)
    ccc = by_ticker(perf)["CCC.AS"]
    assert ccc.ret == pytest.approx(0.20)  # its own-currency figures are still known
    assert ccc.ret_base is None and ccc.contribution is None
    assert perf.portfolio.ret is None and perf.portfolio.excess is None
    assert performance_json(perf)["portfolio"]["return"] is None


def test_no_prices_at_all():
    thesis = parse_thesis_text(THESIS, "known.yaml", "known")
    perf = thesis_performance(thesis, pd.DataFrame(), TODAY)
    assert all(p.last_price is None and p.ret is None and p.progress is None for p in perf.positions)
    assert perf.portfolio.ret is None and perf.value.empty
    d = performance_json(perf)
    assert {"ticker", "weight", "entry_price", "last_price", "last_date", "return", "target", "progress", "horizon_date", "days_left"} <= set(d["positions"][0])
