"""Rules that span several fields of a thesis, each reported at the field it concerns.

Pydantic checks each field on its own; these run after, on the typed model, and return
`(path, message)` pairs so the loader can attach a file position to each. They are pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tracker.thesis.model import Thesis

Path = tuple[str | int, ...]
Finding = tuple[Path, str]

WEIGHT_TOLERANCE = 0.005
# Sums like 60.5% + 40% are 1.0050000000000001 in binary floating point; they are within ±0.5%.
_FLOAT_SLACK = 1e-9
_FEED_SCHEMES = ("http://", "https://", "file://")


def _pct(x: float) -> str:
    """0.605 → `60.5%`, 1.12 → `112%`: two decimals at most, so 100.51% never shows as 100.5%."""
    text = f"{x * 100:.2f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text}%"


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
                (
                    at + ("weight",),
                    f"weight reads as {_pct(p.weight)}, more than the whole portfolio; "
                    f"if you mean {p.weight:g} percent, write {p.weight:g}% or {p.weight / 100:g}",
                )
            )
        if p.target is not None and p.upside is not None:
            found.append((at + ("upside",), "give either target or upside, not both"))
        if p.target is not None and p.target <= 0:
            found.append((at + ("target",), f"target must be a positive price, got {p.target:g}"))
        if p.upside is not None and p.upside <= -1:
            found.append((at + ("upside",), f"upside must be above -100%, got {_pct(p.upside)}"))
        if p.entry_price is not None and p.entry_price <= 0:
            found.append((at + ("entry_price",), f"entry_price must be a positive price, got {p.entry_price:g}"))
        if p.horizon is None and p.until is None:
            found.append((at, "needs a horizon (like 540d) or an until date"))
        if p.horizon is not None and p.until is not None:
            found.append((at + ("until",), "give either horizon or until, not both"))
        if p.horizon is not None and p.horizon.amount <= 0:
            found.append((at + ("horizon",), f"horizon must be positive, got {p.horizon}"))
        elif p.horizon is not None:
            try:
                p.horizon.after(thesis.opened)
            except (OverflowError, ValueError):
                found.append((at + ("horizon",), f"horizon {p.horizon} ends after the year {dt.MAXYEAR}"))
        if p.until is not None and p.until <= thesis.opened:
            found.append((at + ("until",), f"until {p.until} is not after opened {thesis.opened}"))
    at_opening = [i for i, p in enumerate(thesis.positions) if thesis.opened_on(p) == thesis.opened]
    total = sum(thesis.positions[i].weight for i in at_opening)
    if at_opening and abs(total - 1.0) > WEIGHT_TOLERANCE + _FLOAT_SLACK and all(0 < p.weight <= 1 for p in thesis.positions):
        later = len(at_opening) < len(thesis.positions)
        held = "weights of the positions held at the opening" if later else "weights"
        hint = "" if not later else "; a position bought later takes its weight from the others on its day"
        found.append((("positions", at_opening[-1], "weight"), f"{held} sum to {_pct(total)}, expected 100%{hint}"))
    return found


def assumption_findings(thesis: Thesis) -> list[Finding]:
    found: list[Finding] = []
    seen: dict[str, int] = {}
    observed: dict[tuple[str, dt.date], str] = {}
    for i, a in enumerate(thesis.assumptions):
        if a.id in seen:
            found.append((("assumptions", i, "id"), f"duplicate assumption id {a.id!r}, also assumptions[{seen[a.id]}]"))
        seen.setdefault(a.id, i)
        # metric(name) reads the latest observation across the thesis: two values on one day are ambiguous.
        for j, o in enumerate(a.observations):
            where = f"assumptions[{i}].observations[{j}]"
            first = observed.setdefault((o.metric, o.date), where)
            if first != where:
                found.append(
                    (("assumptions", i, "observations", j, "date"), f"{o.metric} already has a value on {o.date}, at {first}")
                )
        reviewed: dict[dt.date, int] = {}
        for j, r in enumerate(a.reviews):
            if r.date in reviewed:
                found.append(
                    (
                        ("assumptions", i, "reviews", j, "date"),
                        f"another review of this assumption has the same date, reviews[{reviewed[r.date]}]; the latest review counts, so keep one per day",
                    )
                )
            reviewed.setdefault(r.date, j)
    return found


def feed_findings(thesis: Thesis) -> list[Finding]:
    """Feeds are http(s) URLs, file:// URLs or local paths; other schemes would be read as odd paths."""
    found: list[Finding] = []
    for i, feed in enumerate(thesis.feeds):
        if "://" in feed and not feed.lower().startswith(_FEED_SCHEMES):
            scheme = feed.split("://", 1)[0]
            found.append((("feeds", i), f"{scheme}:// feeds are not supported; use http://, https://, file:// or a path"))
    return found


RULES: list[Callable[[Thesis], list[Finding]]] = [position_findings, assumption_findings, feed_findings]


def findings(thesis: Thesis) -> list[Finding]:
    """Every cross-field problem of a thesis, in file order of the rules."""
    return [f for rule in RULES for f in rule(thesis)]
