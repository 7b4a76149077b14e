"""Portfolio maths, table-driven, against figures worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tracker.portfolio import maths
from tracker.thesis.units import Duration

D = dt.date


def s(points: dict[str, float | None]) -> pd.Series:
    return pd.Series({pd.Timestamp(k): (float("nan") if v is None else v) for k, v in points.items()}, dtype=float)


SERIES = s({"2026-06-10": 95, "2026-06-11": 100, "2026-06-12": None, "2026-06-15": 90, "2026-06-16": 120, "2026-06-17": 108})


@pytest.mark.parametrize(
    "opened, override, expected",
    [
        (D(2026, 6, 11), None, (D(2026, 6, 11), 100.0)),
        (D(2026, 6, 12), None, (D(2026, 6, 15), 90.0)),  # holiday/gap: next trading day
        (D(2026, 6, 13), None, (D(2026, 6, 15), 90.0)),  # weekend
        (D(2026, 6, 11), 97.5, (D(2026, 6, 11), 97.5)),  # entry_price overrides the price only
        (D(2026, 6, 18), None, None),  # no close yet
        (D(2026, 6, 18), 80.0, (D(2026, 6, 18), 80.0)),
    ],
)
def test_entry_point(opened, override, expected):
    assert maths.entry_point(maths.clean(SERIES), opened, override) == expected


@pytest.mark.parametrize(
    "asof, expected",
    [(None, (D(2026, 6, 17), 108.0)), (D(2026, 6, 12), (D(2026, 6, 11), 100.0)), (D(2026, 6, 1), None)],
)
def test_latest(asof, expected):
    assert maths.latest(maths.clean(SERIES), asof) == expected


@pytest.mark.parametrize(
    "start, end, expected",
    [(100, 108, 0.08), (100, 50, -0.5), (None, 10, None), (10, None, None), (0, 10, None)],
)
def test_simple_return(start, end, expected):
    got = maths.simple_return(start, end)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(
    "window, expected",
    [
        (Duration(2, "d"), 108 / 90 - 1),  # from the last close on/before 06-15
        (Duration(5, "d"), 108 / 100 - 1),  # 06-12 has no close: falls back to 06-11
        (Duration(1, "w"), 108 / 95 - 1),
        (Duration(1, "m"), None),  # history does not reach back a month
    ],
)
def test_trailing_return(window, expected):
    got = maths.trailing_return(maths.clean(SERIES), window)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(
    "since, expected",
    [(D(2026, 6, 11), 1 - 108 / 120), (D(2026, 6, 17), 0.0), (D(2026, 7, 1), None)],
)
def test_drawdown_from_peak_since_opening(since, expected):
    got = maths.drawdown(maths.clean(SERIES), since)
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_max_drawdown():
    assert maths.max_drawdown(maths.clean(SERIES)) == pytest.approx(0.10)  # 100 → 90


@pytest.mark.parametrize(
    "entry, target, upside, expected",
    [(100, 150, None, 150), (100, None, 0.25, 125), (None, None, 0.25, None), (100, None, None, None)],
)
def test_target_price(entry, target, upside, expected):
    assert maths.target_price(entry, target, upside) == (pytest.approx(expected) if expected else None)


@pytest.mark.parametrize(
    "entry, last, target, expected",
    [(100, 125, 150, 0.5), (100, 150, 150, 1.0), (100, 90, 150, -0.2), (100, 160, 150, 1.2), (100, 120, None, None), (100, 120, 100, None)],
)
def test_progress(entry, last, target, expected):
    got = maths.progress(entry, last, target)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(
    "last, target, expected",
    # NET at 182.33 with a target of 330 still has +81% to go, whatever its progress from entry says
    [(182.33, 330, 330 / 182.33 - 1), (100, 150, 0.5), (160, 150, 150 / 160 - 1), (100, None, None), (None, 150, None), (0, 150, None)],
)
def test_upside_to_target(last, target, expected):
    got = maths.upside(last, target)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(
    "prog, today, expected",
    [
        (1.0, D(2026, 7, 1), "target hit"),
        (1.3, D(2027, 1, 1), "target hit"),
        (0.5, D(2027, 1, 2), "expired"),
        (0.5, D(2026, 7, 1), "ahead"),  # 30 of 200 days elapsed = 15%
        (0.2, D(2026, 7, 1), "on pace"),
        (0.5, D(2026, 9, 29), "on pace"),  # 120/200 days = 60%
        (0.45, D(2026, 9, 29), "behind"),
        (None, D(2026, 7, 1), None),
    ],
)
def test_pace(prog, today, expected):
    assert maths.pace(prog, D(2026, 6, 1), D(2026, 12, 18), today) == expected


@pytest.mark.parametrize(
    "horizon, today, expected",
    [(D(2027, 12, 3), D(2026, 11, 24), 374), (D(2026, 11, 24), D(2026, 11, 24), 0), (D(2026, 11, 20), D(2026, 11, 24), -4)],
)
def test_days_left(horizon, today, expected):
    assert maths.days_left(horizon, today) == expected


@pytest.mark.parametrize(
    "last, target, days, expected",
    [(100, 121, 730, 0.10), (100, 100, 365, 0.0), (100, 120, 0, None), (None, 120, 100, None)],
)
def test_required_rate(last, target, days, expected):
    got = maths.required_rate(last, target, days)
    assert got == pytest.approx(expected, abs=1e-3) if expected is not None else got is None


@pytest.mark.parametrize(
    "start, end, expected",
    [(D(2026, 11, 20), D(2026, 11, 23), 1), (D(2026, 11, 20), D(2026, 11, 22), 0), (D(2026, 11, 16), D(2026, 11, 30), 10), (D(2026, 11, 24), D(2026, 11, 24), 0)],
)
def test_trading_days_between(start, end, expected):
    assert maths.trading_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("ret", "days", "expected"),
    [(0.21, 365, 0.21), (0.0, 10, 0.0), (None, 10, None), (0.1, 0, None), (-1.0, 30, None), (341.0, 1, None)],
)
def test_annualised_is_unknown_when_there_is_none_or_it_overflows(ret, days, expected):
    got = maths.annualised(ret, days)
    assert got == (pytest.approx(expected) if expected is not None else None)
