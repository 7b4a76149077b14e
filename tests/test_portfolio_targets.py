"""The portfolio's target figures, table-driven: over the positions that have a target, progress capped."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.portfolio.figures import PositionFigures
from tracker.portfolio.targets import target_return, weighted_progress


def pos(weight: float, entry: float | None, target: float | None, progress: float | None = None) -> PositionFigures:
    return PositionFigures(
        ticker="T", name=None, weight=weight, currency="USD", entry_date=dt.date(2026, 6, 11), entry_price=entry,
        last_date=None, last_price=None, ret=None, ret_base=None, trailing={}, drawdown=None, target=target,
        progress=progress, horizon_date=dt.date(2027, 6, 11), days_left=200, pace=None, rate_needed=None,
        rate_so_far=None, contribution=None,
    )


@pytest.mark.parametrize(
    "positions, expected",
    [
        ([pos(0.5, 100, 150), pos(0.5, 40, 48)], 0.5 * 0.5 + 0.5 * 0.2),
        # a position without a target is left out, not counted as a 0% target: (50% × 50%) / 50%
        ([pos(0.5, 100, 150), pos(0.5, 40, None)], 0.5),
        ([pos(0.2, 100, 150), pos(0.3, 40, 48), pos(0.5, 10, None)], (0.2 * 0.5 + 0.3 * 0.2) / 0.5),
        ([pos(0.5, 100, None), pos(0.5, 40, None)], None),  # no target at all: unknown
        ([pos(0.5, None, 150), pos(0.5, 40, 48)], None),  # a targeted position without an entry price: unknown
        ([], None),
    ],
)
def test_target_return_over_positions_with_a_target(positions, expected):
    got = target_return(positions)
    assert got == pytest.approx(expected) if expected is not None else got is None


@pytest.mark.parametrize(
    "positions, expected",
    [
        ([pos(0.5, 100, 150, 0.5), pos(0.5, 40, 48, 0.1)], 0.3),
        # a position at 158% of the way counts as 100%: it cannot lift the others
        ([pos(0.5, 100, 150, 1.58), pos(0.5, 40, 48, 0.2)], 0.6),
        ([pos(0.5, 100, 150, -0.34), pos(0.5, 40, 48, 0.5)], 0.08),  # moving away counts against
        ([pos(0.25, 100, 150, 0.4), pos(0.75, 40, None, None)], 0.4),  # without a target: left out
        ([pos(0.5, 100, 150, None), pos(0.5, 40, None, None)], None),
    ],
)
def test_weighted_progress_is_capped_per_position(positions, expected):
    got = weighted_progress(positions)
    assert got == pytest.approx(expected) if expected is not None else got is None
