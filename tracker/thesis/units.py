"""Parsing of the small value languages used in thesis files: percentages, durations, dates.

They are parsed once, at load time, into typed values, so the rest of the code never sees
`"20%"` or `"18m"` again. The condition language reuses the same parsers for its literals.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Literal

from dateutil.relativedelta import relativedelta

from tracker.formatting import count

DurationUnit = Literal["d", "w", "m", "y"]

_PERCENT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%\s*$")
_NUMBER = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$")
_DURATION = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt]|\s+)\d")


MAX_DURATION_YEARS = 100  # no horizon, cadence or window is longer; larger ones overflow date arithmetic
MAX_DURATION_DAYS = 36_525


class UnitError(ValueError):
    """A value is not in the expected notation; the message says what was expected."""


@dataclass(frozen=True, order=True)
class Duration:
    """A span of days, weeks, calendar months or years (`18m` adds 18 calendar months)."""

    amount: int
    unit: DurationUnit = "d"

    def after(self, start: dt.date) -> dt.date:
        """The date this duration after `start`, with calendar months clamped to month ends."""
        if self.unit == "d":
            return start + dt.timedelta(days=self.amount)
        if self.unit == "w":
            return start + dt.timedelta(weeks=self.amount)
        if self.unit == "m":
            return start + relativedelta(months=self.amount)
        return start + relativedelta(years=self.amount)

    def before(self, end: dt.date) -> dt.date:
        """The date this duration before `end` (the start of a trailing window)."""
        if self.unit == "d":
            return end - dt.timedelta(days=self.amount)
        if self.unit == "w":
            return end - dt.timedelta(weeks=self.amount)
        if self.unit == "m":
            return end - relativedelta(months=self.amount)
        return end - relativedelta(years=self.amount)

    def approx_days(self) -> float:
        """Length in days, months counted as 30.44 days; for comparisons and sorting only."""
        per = {"d": 1.0, "w": 7.0, "m": 30.436875, "y": 365.2425}[self.unit]
        return self.amount * per

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def words(self) -> str:
        """As a person says it, for screens: `90 days`, `1 month`, `2 years` (the file keeps `90d`)."""
        return count(self.amount, {"d": "day", "w": "week", "m": "month", "y": "year"}[self.unit])


def capped(duration: Duration) -> Duration:
    """`duration`, or a UnitError when it is longer than 100 years (no thesis runs that long, and
    date arithmetic beyond year 9999 fails)."""
    if duration.approx_days() > MAX_DURATION_DAYS:
        raise UnitError(f"{duration} is longer than {MAX_DURATION_YEARS} years")
    return duration


def _finite(number: int | float, shown: object) -> float:
    """`number` as a float, refusing what no price or percentage can be (inf, nan, 10**400)."""
    if len(str(shown)) > 24:
        shown = f"{str(shown).strip(chr(39))[:12]}…"
    try:
        out = float(number)
    except OverflowError:
        raise UnitError(f"{shown} is too large to be a usable number") from None
    if not math.isfinite(out):
        raise UnitError(f"{shown} is not a usable number")
    return out


def parse_number(value: object) -> float:
    """A finite number: `330`, `221.40`, or the same as text (`"330"`); never true/false.

    Prices are written bare: `$330` or `1,000` get a message that says so instead of a guess.
    """
    if isinstance(value, bool):
        raise UnitError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, (int, float)):
        return _finite(value, value)
    if isinstance(value, str):
        if _NUMBER.match(value):
            return _finite(float(value), repr(value))
        if value.strip() and re.search(r"\d", value):
            raise UnitError(
                f"expected a number, got {value!r}; write it bare, without currency signs, units or thousands separators"
            )
    raise UnitError(f"expected a number, got {_shown(value)}")


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def parse_percent(value: object, *, allow_plain: bool = True) -> float:
    """`"20%"` → 0.2; `0.2` → 0.2. Returns a fraction.

    With `allow_plain=False` only the `%` form is accepted for strings.
    """
    expected = "expected a percentage like 20% or a fraction like 0.20"
    if isinstance(value, bool):
        raise UnitError(f"{expected}, got {str(value).lower()}")
    if isinstance(value, (int, float)):
        return _finite(value, value)
    if isinstance(value, str):
        m = _PERCENT.match(value)
        if m:
            return _finite(float(m.group(1)), repr(value)) / 100.0
        if allow_plain and _NUMBER.match(value):
            return _finite(float(value), repr(value))
    raise UnitError(f"{expected}, got {_shown(value)}")


def parse_duration(value: object) -> Duration:
    """`540d`, `6w`, `18m` (calendar months), `2y`, or a plain number of days."""
    expected = "expected a duration like 540d, 6w, 18m or 2y"
    if isinstance(value, Duration):
        return capped(value)
    if isinstance(value, bool):
        raise UnitError(f"{expected}, got {str(value).lower()}")
    if isinstance(value, int):
        if value > MAX_DURATION_DAYS:
            raise UnitError(f"{value} days is longer than {MAX_DURATION_YEARS} years")
        return Duration(value, "d")
    if isinstance(value, float) and value.is_integer():
        return parse_duration(int(value))
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m and len(m.group(1)) <= 9:
            return capped(Duration(int(m.group(1)), m.group(2)))  # type: ignore[arg-type]
        if value.strip().isdigit() and len(value.strip()) <= 9:
            return parse_duration(int(value.strip()))
        if m or value.strip().isdigit():
            raise UnitError(f"{value.strip()[:24]!r} is longer than {MAX_DURATION_YEARS} years")
    raise UnitError(f"{expected}, got {_shown(value)}")


def parse_date(value: object) -> dt.date:
    """An ISO `YYYY-MM-DD` date; anything else (including datetimes) is an error."""
    expected = "expected a date like 2026-06-11 (year-month-day)"
    if isinstance(value, dt.datetime):
        raise UnitError(f"{expected}, got a date and time; drop the time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise UnitError(f"{value.strip()} is not a real date ({exc})") from None
    if isinstance(value, str) and _DATETIME.match(value.strip()):
        raise UnitError(f"{expected}, got a date and time {value.strip()!r}; drop the time")
    raise UnitError(f"{expected}, got {_shown(value)}")
