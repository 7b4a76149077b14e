"""Rules that span several fields of a thesis, each reported at the field it concerns.

Pydantic checks each field on its own; these run after, on the typed model, and return
`(path, message)` pairs so the loader can attach a file position to each.
"""

from __future__ import annotations

from collections.abc import Callable

from tracker.thesis.model import Thesis

Path = tuple[str | int, ...]
Finding = tuple[Path, str]

WEIGHT_TOLERANCE = 0.005


def _pct(x: float) -> str:
    return f"{x * 100:.4g}%"


def position_findings(thesis: Thesis) -> list[Finding]:
    found: list[Finding] = []
    seen: dict[str, int] = {}
    for i, p in enumerate(thesis.positions):
        at: Path = ("positions", i)
        if p.ticker in seen:
            found.append((at + ("ticker",), f"duplicate ticker {p.ticker}, also positions[{seen[p.ticker]}]"))
        seen.setdefault(p.ticker, i)
        if p.weight <= 0:
            found.append((at + ("weight",), f"weight must be positive, got {_pct(p.weight)}"))
        elif p.weight > 1:
            found.append(
                (at + ("weight",), f"{p.weight:g} reads as {_pct(p.weight)}; write {p.weight:g}% or {p.weight / 100:g}")
            )
        if p.target is not None and p.upside is not None:
            found.append((at + ("upside",), "give either target or upside, not both"))
        if p.target is not None and p.target <= 0:
            found.append((at + ("target",), f"target must be a positive price, got {p.target:g}"))
        if p.upside is not None and p.upside <= -1:
            found.append((at + ("upside",), f"upside must be above -100%, got {_pct(p.upside)}"))
        if p.entry_price is not None and p.entry_price <= 0:
            found.append((at + ("entry_price",), f"entry_price must be positive, got {p.entry_price:g}"))
        if p.horizon is None and p.until is None:
            found.append((at, "needs a horizon (like 540d) or an until date"))
        if p.horizon is not None and p.until is not None:
            found.append((at + ("until",), "give either horizon or until, not both"))
        if p.horizon is not None and p.horizon.amount <= 0:
            found.append((at + ("horizon",), f"horizon must be positive, got {p.horizon}"))
        if p.until is not None and p.until <= thesis.opened:
            found.append((at + ("until",), f"until {p.until} is not after opened {thesis.opened}"))
    total = sum(p.weight for p in thesis.positions)
    if abs(total - 1.0) > WEIGHT_TOLERANCE and all(0 < p.weight <= 1 for p in thesis.positions):
        last = len(thesis.positions) - 1
        found.append((("positions", last, "weight"), f"weights sum to {_pct(total)}, expected 100%"))
    return found


def assumption_findings(thesis: Thesis) -> list[Finding]:
    found: list[Finding] = []
    seen: dict[str, int] = {}
    for i, a in enumerate(thesis.assumptions):
        if a.id in seen:
            found.append((("assumptions", i, "id"), f"duplicate assumption id {a.id!r}, also assumptions[{seen[a.id]}]"))
        seen.setdefault(a.id, i)
    return found


RULES: list[Callable[[Thesis], list[Finding]]] = [position_findings, assumption_findings]


def findings(thesis: Thesis) -> list[Finding]:
    """Every cross-field problem of a thesis, in file order of the rules."""
    return [f for rule in RULES for f in rule(thesis)]
