"""Target figures of the whole portfolio: the return if every target is hit, and progress.

Both are over the positions that have a target, weighted among themselves: a position without a
target is left out, never counted as a 0% target (which would pull the figure towards zero), and a
position past its target counts as 100% of the way, so one runaway winner cannot make the whole
portfolio look further along than it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.portfolio.figures import PositionFigures


def targeted(positions: Sequence[PositionFigures]) -> list[PositionFigures]:
    """The positions that have a target: the ones the target figures are over."""
    return [f for f in positions if f.target is not None]


def target_return(positions: Sequence[PositionFigures]) -> float | None:
    """The return from entry to target, weighted over the positions that have a target.

    Unknown (None) when no position has a target, or when one of them has no entry price yet.
    """
    with_target = targeted(positions)
    weight = sum(f.weight for f in with_target)
    if not with_target or weight <= 0 or not all(f.entry_price for f in with_target):
        return None
    return sum(f.weight * (f.target / f.entry_price - 1.0) for f in with_target if f.target is not None and f.entry_price) / weight


def weighted_progress(positions: Sequence[PositionFigures]) -> float | None:
    """Progress to target averaged by weight over the positions whose progress is known, each
    capped at 1 (target hit); a position moving away from its target counts as negative."""
    known = [(f.weight, min(f.progress, 1.0)) for f in targeted(positions) if f.progress is not None]
    weight = sum(w for w, _ in known)
    if not known or weight <= 0:
        return None
    return sum(w * p for w, p in known) / weight
