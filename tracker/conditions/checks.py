"""The checks of a thesis, parsed once: the loader's validation rule and the checks stage both
come here, so a `when:` is parsed with the same names in scope and, within a process, only once.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from tracker.conditions.ast import Expr
from tracker.conditions.parser import ConditionError, parse
from tracker.thesis.model import Thesis

LocPath = tuple[str | int, ...]


@lru_cache(maxsize=16_384)
def _parse(text: str, tickers: frozenset[str] | None, positions: frozenset[str] | None, targeted: frozenset[str] | None, benchmark: str | None) -> Expr:
    return parse(text, tickers, positions=positions, targeted=targeted, benchmark=benchmark)


def validate_when(
    text: str,
    tickers: frozenset[str] | None,
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


_ANY: dict[str, Any] = {"tickers": None, "positions": None, "targeted": None, "benchmark": None}


def _ticker(value: object) -> str | None:
    return str(value).strip() or None if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def _scope(data: Mapping[str, Any]) -> dict[str, Any]:
    """The names a `when:` may use, as far as the plain values of a file tell; where they cannot
    be read (a position without a ticker, a benchmark that is not text), names are not checked."""
    positions = data.get("positions")
    items = [p for p in positions if isinstance(p, dict)] if isinstance(positions, list) else []
    tickers = [_ticker(p.get("ticker")) for p in items]
    benchmark = data.get("benchmark")
    if not isinstance(positions, list) or len(items) != len(positions) or None in tickers or not isinstance(benchmark, (str, type(None))):
        return _ANY
    held = frozenset(t for t in tickers if t is not None)
    targeted = frozenset(t for p, t in zip(items, tickers, strict=True) if t is not None and (p.get("target") is not None or p.get("upside") is not None))
    bench = benchmark.strip() or None if benchmark is not None else None
    return {"tickers": held | ({bench} if bench else set()), "positions": held, "targeted": targeted, "benchmark": bench}


def condition_rule_on_values(data: Mapping[str, Any]) -> list[tuple[LocPath, str, int]]:
    """The same rule on the plain values of a file whose fields do not all validate: every `when:`
    written as text is checked with the tickers, targets and benchmark the file gives, so its
    condition errors come in the same run as its field errors."""
    found: list[tuple[LocPath, str, int]] = []
    scope = _scope(data)
    assumptions = data.get("assumptions")
    for ai, assumption in enumerate(assumptions if isinstance(assumptions, list) else []):
        checks = assumption.get("checks") if isinstance(assumption, dict) else None
        for ci, check in enumerate(checks if isinstance(checks, list) else []):
            when = check.get("when") if isinstance(check, dict) else None
            if isinstance(when, str) and when.strip():
                for column, message in validate_when(when.strip(), **scope):
                    found.append((("assumptions", ai, "checks", ci, "when"), message, column))
    return found
