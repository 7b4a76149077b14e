"""The review cadence: when the thesis was last reviewed, when the next review is due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.thesis.model import Thesis
from tracker.thesis.units import Duration


@dataclass(frozen=True)
class ReviewState:
    every: Duration | None
    last: dt.date  # the latest review of any assumption, or the opening
    due: dt.date | None  # last + every; None without a cadence
    overdue: bool  # today is after the due day


def review_state(thesis: Thesis, today: dt.date) -> ReviewState:
    """Reviews dated after today do not count yet; a closed thesis is never overdue."""
    dates = [r.date for a in thesis.assumptions for r in a.reviews if r.date <= today]
    last = max(dates, default=thesis.opened)
    if thesis.review_every is None:
        return ReviewState(None, last, None, False)
    due = thesis.review_every.after(last)
    return ReviewState(thesis.review_every, last, due, thesis.closed is None and today > due)
