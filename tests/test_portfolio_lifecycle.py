"""The event-driven portfolio against hand-computed numbers on step-shaped prices.

Business days from Monday 2026-01-05 (d0) to Friday 2026-01-16 (d9):

    A: 100 on d0–d2, 120 on d3–d7, 132 on d8–d9
    B: 100 on d0–d2,  80 on d3–d9
    C:  50 on d0–d6,  60 on d7–d9
    IDX (benchmark): 200 on d0–d4, 210 on d5–d9

A and B are bought 50/50 at the opening (0.5 units each, 100 in all). Every expected value below
is worked out in its comment.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.portfolio.calculator import thesis_performance
from tracker.validation import parse_thesis_text

DAYS = pd.bdate_range("2026-01-05", "2026-01-16")
TODAY = dt.date(2026, 1, 16)


def _steps(*parts: tuple[int, float]) -> list[float]:
    out: list[float] = []
    for count, price in parts:
        out += [price] * count
    return out


CLOSES = pd.DataFrame(
    {
        "A": _steps((3, 100.0), (5, 120.0), (2, 132.0)),
        "B": _steps((3, 100.0), (7, 80.0)),
        "C": _steps((7, 50.0), (3, 60.0)),
        "IDX": _steps((5, 200.0), (5, 210.0)),
    },
    index=DAYS,
)


def thesis(positions: str, extra: str = ""):
    text = f"title: Steps\nid: steps\nopened: 2026-01-05\nbenchmark: IDX\npositions:\n{positions}{extra}"
    return parse_thesis_text(text, "steps.yaml")


AB = "  - {ticker: A, weight: 50%, target: 150, horizon: 90d}\n  - {ticker: B, weight: 50%, horizon: 90d}\n"


def figures(t):
    perf = thesis_performance(t, CLOSES, TODAY)
    return perf, {p.ticker: p for p in perf.positions}


CASES = [
    # name, positions, extra, final value, {ticker: contribution}
    (
        # d5: C bought with 20% of 100 = 20 at 50 (0.4 units); A and B sold pro rata to 0.4 units each.
        # d9: A 0.4 × 132 = 52.8, B 0.4 × 80 = 32, C 0.4 × 60 = 24 → 108.8.
        # Gains: A 52.8 + 0.1 × 120 − 50 = 14.8; B 32 + 0.1 × 80 − 50 = −10; C 24 − 20 = 4.
        "later purchase",
        AB + "  - {ticker: C, weight: 20%, horizon: 30d, opened: 2026-01-12}\n",
        "",
        108.8,
        {"A": 0.148, "B": -0.10, "C": 0.04},
    ),
    (
        # d6: B sold at its exit price 85 (its close is 80): 0.5 × 85 = 42.5, all into A at 120
        # (+0.354167 units). d9: A 0.854167 × 132 = 112.75. Gains: A 112.75 − 92.5; B 42.5 − 50.
        "sale at an exit price",
        "  - {ticker: A, weight: 50%, horizon: 90d}\n  - {ticker: B, weight: 50%, horizon: 90d, closed: 2026-01-13, exit_price: 85}\n",
        "",
        112.75,
        {"A": 0.2025, "B": -0.075},
    ),
    (
        # d4 (A 120, B 80, value 100): A to 30% = 0.25 units, B to 70% = 0.875 units.
        # d9: 0.25 × 132 + 0.875 × 80 = 33 + 70 = 103.
        # Gains: A bought for 50, 0.25 units sold at 120 (30 out), worth 33 → 13;
        # B bought for 50, 0.375 units more at 80 (30 in), worth 70 → −10.
        "rebalance",
        AB,
        "rebalances:\n  - {date: 2026-01-09, weights: {A: 30%, B: 70%}, note: lean into B}\n",
        103.0,
        {"A": 0.13, "B": -0.10},
    ),
    (
        # Closed on d7: 0.5 × 120 + 0.5 × 80 = 100; A's rise to 132 afterwards does not count.
        "closed thesis",
        AB,
        "closed: {date: 2026-01-14, outcome: expired, note: nothing happened}\n",
        100.0,
        {"A": 0.10, "B": -0.10},
    ),
    (
        # All on d5, in order. Sale: B 0.5 × 80 = 40 into A (A worth 100). Purchase: C 20% of 100 = 20,
        # A down to 80. Rebalance to A 50 / C 50: A 50/120 units, C 1 unit.
        # d9: A 0.416667 × 132 = 55, C 1 × 60 = 60 → 115.
        # Gains: A 55 + (20 + 30) − (50 + 40) = 15; B 40 − 50 = −10; C 60 − (20 + 30) = 10.
        "sale, purchase and rebalance on one day",
        "  - {ticker: A, weight: 50%, horizon: 90d}\n  - {ticker: B, weight: 50%, horizon: 90d, closed: 2026-01-12}\n"
        "  - {ticker: C, weight: 20%, horizon: 30d, opened: 2026-01-12}\n",
        "rebalances:\n  - {date: 2026-01-12, weights: {A: 50%, C: 50%}}\n",
        115.0,
        {"A": 0.15, "B": -0.10, "C": 0.10},
    ),
]


@pytest.mark.parametrize("name, positions, extra, final, contributions", CASES, ids=[c[0] for c in CASES])
def test_event_portfolios(name, positions, extra, final, contributions):
    perf, _ = figures(thesis(positions, extra))
    assert perf.value.iloc[-1] == pytest.approx(final, abs=1e-9)
    assert perf.portfolio.ret == pytest.approx(final / 100 - 1, abs=1e-12)
    got = {p.ticker: p.contribution for p in perf.positions}
    assert got == pytest.approx(contributions, abs=1e-9)
    assert sum(got.values()) == pytest.approx(perf.portfolio.ret, abs=1e-12)


def test_rebalance_is_an_event_with_its_weights():
    perf, by = figures(thesis(AB, "rebalances:\n  - {date: 2026-01-10, weights: {A: 30%, B: 70%}}\n"))
    # dated on a Saturday: it trades at the next close, Monday 01-12
    assert [(e.date, e.kind, e.text) for e in perf.events] == [(dt.date(2026, 1, 12), "rebalance", "rebalanced: A 30%, B 70%")]
    assert by["A"].weight_now == pytest.approx(0.25 * 132 / 103) and by["B"].weight_now == pytest.approx(70 / 103)


def test_later_position_counts_from_its_own_opening():
    perf, by = figures(thesis(AB + "  - {ticker: C, weight: 20%, target: 70, horizon: 30d, opened: 2026-01-12}\n"))
    c = by["C"]
    assert (c.state, c.opened, c.entry_date, c.entry_price, c.last_price) == ("open", dt.date(2026, 1, 12), dt.date(2026, 1, 12), 50.0, 60.0)
    assert c.ret == pytest.approx(0.20)
    assert c.horizon_date == dt.date(2026, 2, 11)  # 30 days from its own opening, not the thesis's
    assert c.progress == pytest.approx((60 - 50) / (70 - 50))
    assert c.weight_now == pytest.approx(24 / 108.8)
    assert [(e.date, e.kind, e.ticker) for e in perf.events] == [(dt.date(2026, 1, 12), "buy", "C")]
    # A's own figures are unchanged by the purchase: from the opening
    assert by["A"].ret == pytest.approx(0.32)


def test_sold_position_keeps_its_final_figures():
    t = thesis("  - {ticker: A, weight: 50%, horizon: 90d}\n  - {ticker: B, weight: 50%, target: 120, horizon: 90d, closed: 2026-01-10}\n")
    perf, by = figures(t)
    b = by["B"]  # sold on Saturday 01-10: at the last close on or before it, Friday 01-09 (80)
    assert (b.state, b.exit_date, b.exit_price, b.last_price, b.weight_now) == ("closed", dt.date(2026, 1, 9), 80.0, 80.0, 0.0)
    assert b.ret == pytest.approx(-0.20)
    assert b.progress == pytest.approx(-1.0)  # 100 → 80 against a target of 120
    assert b.days_left == (dt.date(2026, 4, 5) - dt.date(2026, 1, 10)).days  # as of its sale
    assert by["A"].weight_now == pytest.approx(1.0)


def test_closed_thesis_is_frozen_at_its_close():
    t = thesis(AB, "closed: {date: 2026-01-14, outcome: played_out}\n")
    perf, by = figures(t)
    assert perf.as_of == dt.date(2026, 1, 14) and perf.portfolio.last_date == dt.date(2026, 1, 14)
    assert perf.value.index[-1] == pd.Timestamp("2026-01-14")
    assert {p.state for p in perf.positions} == {"closed"}
    assert by["A"].exit_price == 120.0 and by["A"].ret == pytest.approx(0.20)
    assert all(p.weight_now == 0 for p in perf.positions)
    assert perf.portfolio.benchmark_return == pytest.approx(210 / 200 - 1)  # benchmark on the same dates
    assert perf.events[-1].kind == "close"
    assert by["A"].progress == pytest.approx(20 / 50)  # target 150 from 100, as of the close


def test_pending_position_waits_without_blocking_the_portfolio():
    t = thesis(AB + "  - {ticker: C, weight: 20%, horizon: 30d, opened: 2026-02-02}\n")
    perf, by = figures(t)
    assert by["C"].state == "pending" and by["C"].contribution is None and by["C"].entry_price is None
    assert perf.portfolio.ret == pytest.approx((0.5 * 132 + 0.5 * 80) / 100 - 1)


# ---- a thesis without lifecycle fields gives exactly the buy-and-hold figures -----------------


def buy_and_hold(closes: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """The plain formula: 100 × Σ wᵢ × closeᵢ / entryᵢ / Σ w, each held as cash before its first close."""
    total = sum(weights.values())
    parts = []
    for ticker, w in weights.items():
        s = closes[ticker]
        first = s.first_valid_index()
        rel = s.ffill() / s[first]
        rel[rel.index < first] = 1.0
        parts.append(w * rel)
    return sum(parts) * 100 / total


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(min_value=20, max_value=80), min_size=2, max_size=4),
    st.lists(st.lists(st.floats(min_value=1, max_value=500), min_size=10, max_size=10), min_size=4, max_size=4),
    st.lists(st.integers(min_value=0, max_value=6), min_size=4, max_size=4),
)
def test_without_events_the_figures_are_plain_buy_and_hold(raw_weights, paths, starts):
    n = len(raw_weights)
    weights = [w / sum(raw_weights) for w in raw_weights]
    tickers = [f"T{i}" for i in range(n)]
    frame = pd.DataFrame({t: paths[i] for i, t in enumerate(tickers)}, index=DAYS)
    for i, t in enumerate(tickers[1:], start=1):  # later listings: no close before their start
        frame.loc[frame.index[: starts[i]], t] = np.nan
    lines = "".join(f"  - {{ticker: {t}, weight: {w!r}, horizon: 90d}}\n" for t, w in zip(tickers, weights, strict=True))
    t = parse_thesis_text(f"title: P\nid: p\nopened: 2026-01-05\npositions:\n{lines}", "p.yaml")
    perf = thesis_performance(t, frame, TODAY)
    expected = buy_and_hold(frame, dict(zip(tickers, weights, strict=True)))
    assert np.allclose(perf.value.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=1e-9)
    for p, w in zip(perf.positions, weights, strict=True):
        assert p.contribution == pytest.approx(w * p.ret_base, rel=1e-9, abs=1e-12)
