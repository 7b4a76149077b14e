"""From check results to one status per assumption, with reasons; reviews; the thesis verdict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tracker.conditions.evaluate import Result
from tracker.thesis.model import Assumption, Check

STATUSES = ("intact", "at_risk", "falsified", "unknown")
SEVERITY = {"falsified": 3, "at_risk": 2, "unknown": 1, "intact": 0}


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: list[str]


def _line(check: Check, result: Result) -> str:
    note = f" — {check.note}" if check.note else ""
    return f"{result.detail}{note}"


def computed_status(checks: Sequence[Check], results: Sequence[Result]) -> Verdict:
    """The most severe fired check wins; otherwise unknown if any check could not be evaluated."""
    fired = [(c, r) for c, r in zip(checks, results, strict=True) if r.outcome == "fired"]
    if fired:
        status = "falsified" if any(c.then == "falsified" for c, _ in fired) else "at_risk"
        ordered = sorted(fired, key=lambda cr: SEVERITY[cr[0].then], reverse=True)
        return Verdict(status, [f"{c.then.replace('_', ' ')}: {_line(c, r)}" for c, r in ordered])
    unknown = [(c, r) for c, r in zip(checks, results, strict=True) if r.outcome == "unknown"]
    if unknown:
        return Verdict("unknown", [f"`{c.when}` {r.detail}" for c, r in unknown])
    if not checks:
        return Verdict("intact", ["no machine checks; add `checks:` or record a review"])
    return Verdict("intact", [f"all {len(checks)} checks evaluated, none fired"])


def apply_review(
    assumption: Assumption,
    computed: Verdict,
    results: Sequence[Result],
    today: dt.date,
    fired_at: Callable[[dt.date], Sequence[Result]],
) -> Verdict:
    """The latest review overrides until a check fires that was not firing at the review's date.

    `fired_at(date)` re-evaluates the checks as of a date (pure, same data truncated), so the
    override does not depend on what the database happened to hold when the review was written.
    """
    reviews = [r for r in assumption.reviews if r.date <= today]
    if not reviews:
        return computed
    review = max(reviews, key=lambda r: r.date)
    before = fired_at(review.date)
    new = [
        i
        for i, (now, then) in enumerate(zip(results, before, strict=True))
        if now.outcome == "fired" and then.outcome != "fired"
    ]
    if new:
        return Verdict(computed.status, computed.reasons + [f"review of {review.date} ({review.status}) lapsed: a check fired since"])
    note = f": {review.note}" if review.note else ""
    return Verdict(review.status, [f"review of {review.date}{note}"] + [f"computed: {computed.status}"])


def thesis_verdict(statuses: Iterable[str]) -> dict[str, int]:
    """How many assumptions hold, are at risk, falsified, or unknown."""
    counts = {s: 0 for s in STATUSES}
    for s in statuses:
        counts[s if s in counts else "unknown"] += 1
    return counts
