"""The small value notations of thesis files: percentages, numbers, durations and dates."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from tracker.thesis.units import Duration, UnitError, parse_date, parse_duration, parse_number, parse_percent

D = dt.date


@pytest.mark.parametrize(
    "value, expected",
    [
        ("20%", 0.20),
        ("12.5%", 0.125),
        ("-5%", -0.05),
        ("+3%", 0.03),
        (" 20 % ", 0.20),
        (".5%", 0.005),
        ("100%", 1.0),
        ("0%", 0.0),
        ("0.20", 0.20),
        (".2", 0.2),
        (0.2, 0.2),
        (1, 1.0),
        (0, 0.0),
        (-0.3, -0.3),
        (60, 60.0),  # a plain 60 is 6000%: the weight rule explains it, the notation accepts it
    ],
)
def test_parse_percent(value, expected):
    assert parse_percent(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value, message",
    [
        ("lots", "expected a percentage like 20% or a fraction like 0.20, got 'lots'"),
        ("20 percent", "expected a percentage like 20% or a fraction like 0.20, got '20 percent'"),
        ("%", "expected a percentage like 20% or a fraction like 0.20, got '%'"),
        ("2e1%", "expected a percentage like 20% or a fraction like 0.20, got '2e1%'"),
        (True, "expected a percentage like 20% or a fraction like 0.20, got true"),
        (None, "expected a percentage like 20% or a fraction like 0.20, got nothing"),
        ([20], "expected a percentage like 20% or a fraction like 0.20, got a list"),
        ({"a": 1}, "expected a percentage like 20% or a fraction like 0.20, got a mapping"),
        (float("nan"), "nan is not a usable number"),
        (float("inf"), "inf is not a usable number"),
        (10**400, "100000000000… is too large to be a usable number"),
        ("9" * 400 + "%", "999999999999… is not a usable number"),
    ],
)
def test_parse_percent_rejects(value, message):
    with pytest.raises(UnitError) as info:
        parse_percent(value)
    assert str(info.value) == message


def test_parse_percent_can_require_the_percent_sign():
    assert parse_percent("20%", allow_plain=False) == pytest.approx(0.2)
    with pytest.raises(UnitError):
        parse_percent("0.2", allow_plain=False)


@pytest.mark.parametrize(
    "value, expected",
    [(330, 330.0), (221.4, 221.4), ("330", 330.0), (" 85.5 ", 85.5), (-5, -5.0), (0, 0.0)],
)
def test_parse_number(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        (True, "expected a number, got true"),
        ("$330", "expected a number, got '$330'; write it bare, without currency signs, units or thousands separators"),
        ("1,000", "expected a number, got '1,000'; write it bare, without currency signs, units or thousands separators"),
        ("330 USD", "expected a number, got '330 USD'; write it bare, without currency signs, units or thousands separators"),
        ("abc", "expected a number, got 'abc'"),
        ("nan", "expected a number, got 'nan'"),
        (None, "expected a number, got nothing"),
        (float("-inf"), "-inf is not a usable number"),
    ],
)
def test_parse_number_rejects(value, message):
    with pytest.raises(UnitError) as info:
        parse_number(value)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "value, expected",
    [
        ("540d", Duration(540, "d")),
        ("6w", Duration(6, "w")),
        ("18m", Duration(18, "m")),
        ("2y", Duration(2, "y")),
        (" 30 d ", Duration(30, "d")),
        ("0d", Duration(0, "d")),  # notation only; the thesis rules require a positive horizon
        (540, Duration(540, "d")),
        (540.0, Duration(540, "d")),
        ("540", Duration(540, "d")),
        (Duration(3, "m"), Duration(3, "m")),
    ],
)
def test_parse_duration(value, expected):
    assert parse_duration(value) == expected


@pytest.mark.parametrize(
    "duration, words",
    [(Duration(90, "d"), "90 days"), (Duration(1, "d"), "1 day"), (Duration(1, "w"), "1 week"), (Duration(3, "m"), "3 months"),
     (Duration(1, "m"), "1 month"), (Duration(2, "y"), "2 years")],
)
def test_a_duration_reads_in_words_on_screen(duration, words):
    assert duration.words() == words


@pytest.mark.parametrize(
    "value, message",
    [
        ("soon", "expected a duration like 540d, 6w, 18m or 2y, got 'soon'"),
        ("18M", "expected a duration like 540d, 6w, 18m or 2y, got '18M'"),
        ("1.5y", "expected a duration like 540d, 6w, 18m or 2y, got '1.5y'"),
        ("-3d", "expected a duration like 540d, 6w, 18m or 2y, got '-3d'"),
        ("18 months", "expected a duration like 540d, 6w, 18m or 2y, got '18 months'"),
        (540.5, "expected a duration like 540d, 6w, 18m or 2y, got 540.5"),
        (False, "expected a duration like 540d, 6w, 18m or 2y, got false"),
        (None, "expected a duration like 540d, 6w, 18m or 2y, got nothing"),
        ("1234567890d", "'1234567890d' is longer than 100 years"),
    ],
)
def test_parse_duration_rejects(value, message):
    with pytest.raises(UnitError) as info:
        parse_duration(value)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "duration, start, expected",
    [
        (Duration(540, "d"), D(2026, 6, 11), D(2027, 12, 3)),
        (Duration(450, "d"), D(2026, 6, 11), D(2027, 9, 4)),
        (Duration(6, "w"), D(2026, 6, 11), D(2026, 7, 23)),
        (Duration(18, "m"), D(2026, 6, 11), D(2027, 12, 11)),
        (Duration(1, "m"), D(2026, 1, 31), D(2026, 2, 28)),  # clamped to the month's end
        (Duration(1, "m"), D(2028, 1, 31), D(2028, 2, 29)),  # leap year
        (Duration(3, "m"), D(2026, 11, 30), D(2027, 2, 28)),
        (Duration(18, "m"), D(2026, 1, 31), D(2027, 7, 31)),
        (Duration(2, "y"), D(2026, 6, 11), D(2028, 6, 11)),
        (Duration(1, "y"), D(2028, 2, 29), D(2029, 2, 28)),
        (Duration(0, "d"), D(2026, 6, 11), D(2026, 6, 11)),
    ],
)
def test_duration_after(duration, start, expected):
    assert duration.after(start) == expected


@pytest.mark.parametrize(
    "duration, end, expected",
    [
        (Duration(30, "d"), D(2026, 3, 31), D(2026, 3, 1)),
        (Duration(1, "w"), D(2026, 3, 31), D(2026, 3, 24)),
        (Duration(1, "m"), D(2026, 3, 31), D(2026, 2, 28)),
        (Duration(1, "y"), D(2028, 2, 29), D(2027, 2, 28)),
    ],
)
def test_duration_before(duration, end, expected):
    assert duration.before(end) == expected


@pytest.mark.parametrize(
    "duration, text, days",
    [
        (Duration(540, "d"), "540d", 540.0),
        (Duration(6, "w"), "6w", 42.0),
        (Duration(12, "m"), "12m", 365.2425),
        (Duration(2, "y"), "2y", 730.485),
    ],
)
def test_duration_text_and_length(duration, text, days):
    assert str(duration) == text and parse_duration(text) == duration
    assert math.isclose(duration.approx_days(), days)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-06-11", D(2026, 6, 11)),
        (" 2026-06-11 ", D(2026, 6, 11)),
        ("2028-02-29", D(2028, 2, 29)),
        (D(2026, 6, 11), D(2026, 6, 11)),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("2026-02-30", "2026-02-30 is not a real date (day is out of range for month)"),
        ("2027-02-29", "2027-02-29 is not a real date (day is out of range for month)"),
        ("2026-13-01", "2026-13-01 is not a real date (month must be in 1..12)"),
        ("06/11/2026", "expected a date like 2026-06-11 (year-month-day), got '06/11/2026'"),
        ("2026-6-11", "expected a date like 2026-06-11 (year-month-day), got '2026-6-11'"),
        ("20260611", "expected a date like 2026-06-11 (year-month-day), got '20260611'"),
        (20260611, "expected a date like 2026-06-11 (year-month-day), got 20260611"),
        ("2026-06-11T10:00:00", "expected a date like 2026-06-11 (year-month-day), got a date and time '2026-06-11T10:00:00'; drop the time"),
        ("2026-06-11 10:00", "expected a date like 2026-06-11 (year-month-day), got a date and time '2026-06-11 10:00'; drop the time"),
        (dt.datetime(2026, 6, 11, 10), "expected a date like 2026-06-11 (year-month-day), got a date and time; drop the time"),
        (None, "expected a date like 2026-06-11 (year-month-day), got nothing"),
    ],
)
def test_parse_date_rejects(value, message):
    with pytest.raises(UnitError) as info:
        parse_date(value)
    assert str(info.value) == message


def test_unit_errors_are_value_errors():
    """Pydantic turns ValueErrors raised in validators into located validation errors."""
    assert issubclass(UnitError, ValueError)
