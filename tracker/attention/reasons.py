"""Why a thesis needs attention today: each reason a short text that says what to do.

The contract's list: an assumption falsified or at risk, a review overdue, a position past its
horizon without its target, a catalyst within 7 days, stale data. A closed thesis needs none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tracker.attention.catalysts import SOON_DAYS, CatalystView
from tracker.attention.review import ReviewState
from tracker.formatting import headline_of
from tracker.portfolio.figures import PositionFigures
from tracker.portfolio.maths import staleness
from tracker.thesis.model import Thesis


def _days(n: int) -> str:
    return "today" if n == 0 else "tomorrow" if n == 1 else f"in {n} days"


def _soon(upcoming: Iterable[CatalystView], today: dt.date) -> list[tuple[CatalystView, str]]:
    """The catalysts within the next week, each with the text that announces it."""
    out = []
    for c in upcoming:
        days = (c.date - today).days
        if 0 <= days <= SOON_DAYS:
            out.append((c, f"catalyst {_days(days)} ({c.date}): {c.event}"))
    return out


def _overdue(review: ReviewState) -> str | None:
    """The text of an overdue review, or None."""
    if not review.overdue or review.due is None:
        return None
    return f"review overdue since {review.due}: review each assumption and record it under reviews:"


def attention_reasons(
    thesis: Thesis,
    statuses: Mapping[str, str],
    review: ReviewState,
    upcoming: Iterable[CatalystView],
    past_horizon: Iterable[str],
    last_closes: Mapping[str, dt.date | None],
    today: dt.date,
) -> list[str]:
    """`statuses`: assumption id → status; `past_horizon`: tickers of open positions whose horizon
    passed without reaching their target; `last_closes`: ticker → last stored close."""
    if thesis.closed is not None:
        return []
    reasons: list[str] = []
    for a in thesis.assumptions:
        status = statuses.get(a.id)
        # the statement is what an investor recognises, the id what a review in the file refers to
        named = f'assumption "{headline_of(a.statement, limit=60)}" ({a.id})'
        if status == "falsified":
            reasons.append(f"{named} is falsified: decide whether the thesis still stands, or close it")
        elif status == "at_risk":
            reasons.append(f"{named} is at risk: read its evidence and record a review")
    overdue = _overdue(review)
    if overdue:
        reasons.append(overdue)
    for ticker in past_horizon:
        reasons.append(f"{ticker} passed its horizon without reaching its target: sell it (closed:) or give it a new dated target")
    reasons += [text for _, text in _soon(upcoming, today)]
    needed = [t for t, until in thesis.needed_until().items() if until is None]
    stale = [t for t in needed if staleness(last_closes.get(t), today)[1]]
    if stale:
        shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
        reasons.append(f"prices of {shown} are stale: run `tracker refresh` and check Data health")
    return reasons


def past_horizon(positions: Iterable[PositionFigures]) -> list[str]:
    """Tickers of held positions whose horizon passed before they reached their target."""
    return [p.ticker for p in positions if p.state == "open" and p.pace == "expired"]


@dataclass(frozen=True)
class Reminder:
    """An alert that is not a status change: raised once per key, however many refreshes see it."""

    thesis_id: str
    kind: str  # catalyst_soon | review_overdue
    key: str
    text: str


def reminders(thesis: Thesis, review: ReviewState, upcoming: Iterable[CatalystView], today: dt.date) -> list[Reminder]:
    """A catalyst within 7 days, and a review that fell overdue, for an open thesis."""
    if thesis.closed is not None:
        return []
    out = [
        Reminder(thesis.id, "catalyst_soon", f"catalyst:{thesis.id}:{c.date}:{hashlib.sha256(c.event.encode()).hexdigest()[:16]}", text)
        for c, text in _soon(upcoming, today)
    ]
    overdue = _overdue(review)
    if overdue:
        out.append(Reminder(thesis.id, "review_overdue", f"review:{thesis.id}:{review.due}", overdue))
    return out
