"""The condition language of checks (`when:`): parsing, validation and evaluation."""

from __future__ import annotations


def validate_when(text: str, tickers: frozenset[str]) -> list[tuple[int, str]]:
    """Problems with a `when:` expression as `(column, message)`, columns 1-based in `text`.

    The thesis loader calls this for every check; the parser plugs in here.
    """
    return []
