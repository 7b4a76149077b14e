"""Tables as an investor reads them: every cell formatted, an unknown value a dash.

Streamlit draws a missing cell as the word "None" whatever the column's format, so a table is
shown through `shown`: each formatted column becomes its text (a dash where the value is unknown),
and text and date columns show a dash for a missing value too. Only the columns drawn as graphics
(progress bars, sparklines) keep their raw values: an empty bar or line is drawn as nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from tracker.formatting import DASH
from tracker.ui.format import money

Formatter = Callable[[Any], str]


def missing(value: Any) -> bool:
    """None, NaN or NaT: a value that is not known."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    if missing(value):
        return DASH
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def signed_percent(digits: int = 1) -> Formatter:
    """A number already in percent: 20 → `+20.0%`."""
    return lambda v: DASH if missing(v) else f"{v:+.{digits}f}%"


def percent(digits: int = 0) -> Formatter:
    """A number already in percent, unsigned: 20 → `20%`."""
    return lambda v: DASH if missing(v) else f"{v:.{digits}f}%"


def signed_points(digits: int = 1) -> Formatter:
    """A difference of returns already in percentage points: 16.2 → `+16.2 pp`."""
    return lambda v: DASH if missing(v) else f"{v:+.{digits}f} pp"


def price(currency: str) -> Formatter:
    """A price in its currency: `$182.33`, `€20.00`, `20.00 CHF`."""
    return lambda v: money(None if missing(v) else float(v), currency)


def number(digits: int = 0) -> Formatter:
    return lambda v: DASH if missing(v) else f"{v:,.{digits}f}"


def shown(frame: pd.DataFrame, formats: Mapping[str, Formatter] | None = None, keep: Iterable[str] = ()) -> pd.DataFrame:
    """The frame as it is displayed: `formats` per column, a dash for every unknown value, text
    for every other column; the `keep` columns (bars, sparklines) keep their raw values."""
    formats = dict(formats or {})
    kept = set(keep)
    out = frame.copy()
    for column in out.columns:
        if column in kept:
            continue
        fmt = formats.get(column, _text)
        out[column] = [DASH if missing(v) else fmt(v) for v in frame[column]]
    return out


def prices_by_row(values: Iterable[Any], currencies: Iterable[str]) -> list[str]:
    """Prices of positions in different currencies, each with its own symbol."""
    return [money(None if missing(v) else float(v), c) for v, c in zip(values, currencies, strict=True)]
