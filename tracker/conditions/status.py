"""From check results to one status per assumption, with reasons; reviews; the thesis verdict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tracker.conditions.evaluate import Result
from tracker.thesis.model import Assumption, Check, Thesis

STATUSES = ("intact", "at_risk", "falsified", "unknown")
SEVERITY = {"falsified": 3, "at_risk": 2, "unknown": 1, "intact": 0}
NO_BASIS = "no check and no review"


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: list[str]
    review: dt.date | None = None  # the date of the review the status comes from, if it does


def unchecked(assumption: Assumption, today: dt.date) -> bool:
    """Nothing can say whether the assumption holds: it has no check and no review (yet)."""
    return not assumption.checks and not any(r.date <= today for r in assumption.reviews)


def _line(check: Check, result: Result) -> str:
    note = f" — {check.note}" if check.note else ""
    return f"{result.detail}{note}"


def computed_status(checks: Sequence[Check], results: Sequence[Result]) -> Verdict:
    """The status the checks support, and why.

    The most severe fired check wins; otherwise unknown if any check could not be evaluated;
    intact only when every check was evaluated and none fired. No check at all is unknown: an
    assumption nothing observes is not shown as holding.
    """
    if not checks:
        return Verdict("unknown", [NO_BASIS])
    pairs = list(zip(checks, results, strict=True))
    fired = [(c, r) for c, r in pairs if r.outcome == "fired"]
    if fired:
        status = "falsified" if any(c.then == "falsified" for c, _ in fired) else "at_risk"
        ordered = sorted(fired, key=lambda cr: SEVERITY[cr[0].then], reverse=True)
        return Verdict(status, [f"{c.then.replace('_', ' ')}: {_line(c, r)}" for c, r in ordered])
    unknown = [(c, r) for c, r in pairs if r.outcome == "unknown"]
    if unknown:
        rest = [r.detail for _, r in pairs if r.outcome == "not_fired"]
        return Verdict("unknown", [_line(c, r) for c, r in unknown] + rest)
    head = "the 1 check was evaluated and did not fire" if len(pairs) == 1 else f"all {len(pairs)} checks evaluated, none fired"
    return Verdict("intact", [head] + [r.detail for _, r in pairs])


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
    computed_line = f"computed: {computed.status}" + ("" if assumption.checks else " (no checks)")
    return Verdict(review.status, [f"review of {review.date}{note}", computed_line], review.date)


def thesis_verdict(statuses: Iterable[str]) -> dict[str, int]:
    """How many assumptions hold, are at risk, falsified, or unknown."""
    counts = {s: 0 for s in STATUSES}
    for s in statuses:
        counts[s if s in counts else "unknown"] += 1
    return counts


def assumption_counts(thesis: Thesis, statuses: Mapping[str, str], today: dt.date) -> dict[str, int]:
    """Per status, how many assumptions of the thesis have it, with `unchecked` apart.

    `statuses`: assumption id → stored status. An assumption with no check and no review counts
    as unchecked whatever is stored (a status stored before that rule is not shown as holding),
    so `intact` counts only assumptions that something observed.
    """
    counts = {s: 0 for s in STATUSES} | {"unchecked": 0}
    for a in thesis.assumptions:
        if unchecked(a, today):
            counts["unchecked"] += 1
        else:
            status = statuses.get(a.id, "unknown")
            counts[status if status in STATUSES else "unknown"] += 1
    return counts
