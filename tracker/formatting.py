"""Numbers as an investor reads them, the same on the terminal and on the dashboard.

An unknown value is a dash, never 0.
"""

from __future__ import annotations

import re

DASH = "—"


def percent(x: float | None, signed: bool = True, digits: int = 1) -> str:
    """A fraction as a percentage: 0.107 → `+10.7%`; None → `—`."""
    if x is None:
        return DASH
    return f"{x * 100:+.{digits}f}%" if signed else f"{x * 100:.{digits}f}%"


def points(x: float | None, digits: int = 1) -> str:
    """A difference of two returns, in percentage points: 0.162 → `+16.2 pp`; None → `—`.

    An excess over a benchmark is not a return of its own, so it is never written as `%`."""
    if x is None:
        return DASH
    return f"{x * 100:+.{digits}f} pp"


def short_percent(x: float, digits: int = 2) -> str:
    """A fraction as a short percentage, trailing zeros dropped: 0.605 → `60.5%`, 1.12 → `112%`.

    At most `digits` decimals, so 100.51% never reads as 100.5% where the difference matters.
    """
    text = f"{x * 100:.{digits}f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text}%"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 check`, `2 checks`, `0 problems`: a number with its noun in the right form."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def headline_of(statement: str, limit: int = 90) -> str:
    """A short human title for an assumption: the first sentence of its statement, cut at a word
    before `limit` characters (the id stays available as help text)."""
    text = " ".join(statement.split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".")
    if len(first) <= limit:
        return first
    cut = first[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
