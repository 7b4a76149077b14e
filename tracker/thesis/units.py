"""Parsing of the small value languages used in thesis files: percentages, durations, dates.

They are parsed once, at load time, into typed values, so the rest of the code never sees
`"20%"` or `"18m"` again. The condition language reuses the same parsers for its literals.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from dateutil.relativedelta import relativedelta

DurationUnit = Literal["d", "w", "m", "y"]

_PERCENT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%\s*$")
_NUMBER = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*$")
_DURATION = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def parse_percent(value: object, *, allow_plain: bool = True) -> float:
    """`"20%"` → 0.2; `0.2` → 0.2. Returns a fraction.

    With `allow_plain=False` only the `%` form is accepted for strings.
    """
    if isinstance(value, bool):
        raise UnitError("expected a percentage like 20% or a fraction like 0.20, got a boolean")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise UnitError("expected a finite number")
        return float(value)
    if isinstance(value, str):
        m = _PERCENT.match(value)
        if m:
            return float(m.group(1)) / 100.0
        if allow_plain and _NUMBER.match(value):
            return float(value)
    raise UnitError(f"expected a percentage like 20% or a fraction like 0.20, got {value!r}")


def parse_duration(value: object) -> Duration:
    """`540d`, `6w`, `18m` (calendar months), `2y`, or a plain number of days."""
    if isinstance(value, bool):
        raise UnitError("expected a duration like 540d, 18m or 2y, got a boolean")
    if isinstance(value, int):
        return Duration(value, "d")
    if isinstance(value, float) and value.is_integer():
        return Duration(int(value), "d")
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return Duration(int(m.group(1)), m.group(2))  # type: ignore[arg-type]
        if value.strip().isdigit():
            return Duration(int(value.strip()), "d")
    if isinstance(value, Duration):
        return value
    raise UnitError(f"expected a duration like 540d, 18m or 2y, got {value!r}")


def parse_date(value: object) -> dt.date:
    """An ISO `YYYY-MM-DD` date; anything else (including datetimes) is an error."""
    if isinstance(value, dt.datetime):
        raise UnitError("expected a date like 2026-06-11, got a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise UnitError(f"{value!r} is not a real date ({exc})") from None
    raise UnitError(f"expected a date like 2026-06-11, got {value!r}")
