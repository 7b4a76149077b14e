"""The condition language of checks (`when:`): parsing, validation and evaluation."""

from __future__ import annotations

from tracker.conditions.parser import ConditionError, parse


def validate_when(
    text: str,
    tickers: frozenset[str],
    *,
    positions: frozenset[str] | None = None,
    targeted: frozenset[str] | None = None,
    benchmark: str | None = None,
) -> list[tuple[int, str]]:
    """Problems with a `when:` expression as `(column, message)`, columns 1-based in `text`.

    The thesis loader calls this for every check, so a typo is a validation error with its
    column, long before a refresh would evaluate it.
    """
    try:
        parse(text, tickers, positions=positions, targeted=targeted, benchmark=benchmark)
    except ConditionError as exc:
        return [(exc.column, exc.message)]
    return []


__all__ = ["ConditionError", "parse", "validate_when"]
