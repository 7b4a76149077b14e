"""The checks of a thesis, parsed once: the loader's validation rule and the checks stage both
come here, so a `when:` is parsed with the same names in scope and, within a process, only once.
"""

from __future__ import annotations

from functools import lru_cache

from tracker.conditions.ast import Expr
from tracker.conditions.parser import ConditionError, parse
from tracker.thesis.model import Thesis

LocPath = tuple[str | int, ...]


@lru_cache(maxsize=16_384)
def _parse(text: str, tickers: frozenset[str], positions: frozenset[str] | None, targeted: frozenset[str] | None, benchmark: str | None) -> Expr:
    return parse(text, tickers, positions=positions, targeted=targeted, benchmark=benchmark)


def validate_when(
    text: str,
    tickers: frozenset[str],
    *,
    positions: frozenset[str] | None = None,
    targeted: frozenset[str] | None = None,
    benchmark: str | None = None,
) -> list[tuple[int, str]]:
    """Problems with a `when:` expression as `(column, message)`, columns 1-based in `text`."""
    try:
        _parse(text, tickers, positions, targeted, benchmark)
    except ConditionError as exc:
        return [(exc.column, exc.message)]
    return []


def parse_check(thesis: Thesis, when: str) -> Expr:
    """A check's condition with the thesis's tickers, targets and benchmark in scope; raises `ConditionError`."""
    positions = frozenset(thesis.tickers)
    tickers = positions | ({thesis.benchmark} if thesis.benchmark else set())
    targeted = frozenset(p.ticker for p in thesis.positions if p.target is not None or p.upside is not None)
    return _parse(when, frozenset(tickers), positions, targeted, thesis.benchmark)


def condition_rule(thesis: Thesis) -> list[tuple[LocPath, str, int]]:
    """Validation rule for the thesis loader: each `when:` that does not parse, with its column."""
    found: list[tuple[LocPath, str, int]] = []
    for ai, assumption in enumerate(thesis.assumptions):
        for ci, check in enumerate(assumption.checks):
            try:
                parse_check(thesis, check.when)
            except ConditionError as exc:
                found.append((("assumptions", ai, "checks", ci, "when"), exc.message, exc.column))
    return found
