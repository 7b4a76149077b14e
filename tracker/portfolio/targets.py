"""Target figures of the whole portfolio: the return if every target is hit, and progress."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.portfolio.figures import PositionFigures


def target_return(positions: Sequence[PositionFigures]) -> float | None:
    """The weighted return from entry to target of the positions that have a target."""
    targeted = [f for f in positions if f.target is not None]
    if not targeted or not all(f.entry_price for f in targeted):
        return None
    return sum(f.weight * (f.target / f.entry_price - 1.0) for f in targeted if f.target is not None and f.entry_price)


def weighted_progress(positions: Sequence[PositionFigures]) -> float | None:
    """Progress to target averaged by weight over the positions whose progress is known."""
    known = [(f.weight, f.progress) for f in positions if f.target is not None and f.progress is not None]
    if not known:
        return None
    return sum(w * p for w, p in known) / sum(w for w, _ in known)
