"""Stored outcomes of the checks: current status per assumption, check results, the status
history (one row per change) and the alerts those changes raised.

The checks stage writes through `save_outcomes`; the pages and `tracker status` read through the
functions below, so each of these queries exists once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tracker.attention.reasons import Reminder
from tracker.storage.db import transaction, upsert
from tracker.storage.tables import Alert, AssumptionStatus, CheckResult, StatusChange


@dataclass(frozen=True)
class StoredStatus:
    """An assumption's current status as of the last checks run."""

    status: str
    since: dt.datetime
    reasons: list[str]


@dataclass(frozen=True)
class StatusChangeRecord:
    """A status change found by a checks run, with the evidence its alert carries."""

    thesis_id: str
    assumption_id: str
    before: str | None
    after: str
    reasons: list[str]
    evidence: dict[str, Any]
    alert: bool = True  # a closed thesis records its changes but raises no alert
    changed_at: dt.datetime | None = None  # when the new status began (None: when the run found it)


StatusKey = tuple[str, str]  # (thesis id, assumption id)


def current_statuses(source: Engine | Session, thesis_ids: Iterable[str]) -> dict[StatusKey, StoredStatus]:
    """The current status of every assumption of these theses that has been evaluated."""
    ids = sorted(set(thesis_ids))
    if not ids:
        return {}
    query = select(AssumptionStatus.thesis_id, AssumptionStatus.assumption_id, AssumptionStatus.status, AssumptionStatus.since,
                   AssumptionStatus.reasons).where(AssumptionStatus.thesis_id.in_(ids))
    if isinstance(source, Session):
        rows = source.execute(query).all()
    else:
        with transaction(source) as s:
            rows = s.execute(query).all()
    return {(t, a): StoredStatus(status, since, list(reasons or [])) for t, a, status, since, reasons in rows}


def check_results(engine: Engine, thesis_id: str) -> list[dict[str, Any]]:
    """The latest result of every check of a thesis, by assumption then check order."""
    with transaction(engine) as s:
        rows = s.scalars(
            select(CheckResult).where(CheckResult.thesis_id == thesis_id).order_by(CheckResult.assumption_id, CheckResult.check_index)
        ).all()
        return [
            {"assumption": r.assumption_id, "index": r.check_index, "when": r.expression, "outcome": r.outcome, "detail": r.detail,
             "evidence": (r.values or {}).get("evidence"), "article_ids": list(r.article_ids), "at": r.evaluated_at}
            for r in rows
        ]


def status_history(engine: Engine, thesis_id: str) -> list[tuple[str, str | None, str, dt.datetime, list[str]]]:
    """Every status change of a thesis's assumptions, oldest first: (assumption, from, to, when it began, reasons)."""
    with transaction(engine) as s:
        rows = s.execute(
            select(StatusChange.assumption_id, StatusChange.from_status, StatusChange.to_status, StatusChange.changed_at, StatusChange.reasons)
            .where(StatusChange.thesis_id == thesis_id)
            .order_by(StatusChange.changed_at, StatusChange.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def latest_alerts(engine: Engine, thesis_ids: Iterable[str], limit: int) -> list[tuple[Any, ...]]:
    """The newest alerts of these theses: (created, thesis, assumption, from, to, delivered, kind, evidence text)."""
    with transaction(engine) as s:
        rows = s.execute(
            select(Alert.created_at, Alert.thesis_id, Alert.assumption_id, Alert.from_status, Alert.to_status, Alert.delivered_at,
                   Alert.kind, Alert.evidence)
            .where(Alert.thesis_id.in_(sorted(set(thesis_ids))))
            .order_by(Alert.created_at.desc(), Alert.id.desc())
            .limit(limit)
        ).all()
    return [(*r[:7], (r[7] or {}).get("text")) for r in rows]


def save_reminders(session: Session, items: Sequence[Reminder], now: dt.datetime) -> int:
    """Store each reminder once: a key already stored is skipped (it was raised by an earlier run)."""
    keys = [r.key for r in items]
    if not keys:
        return 0
    seen = set(session.scalars(select(Alert.dedupe_key).where(Alert.dedupe_key.in_(keys))).all())
    fresh = [r for r in items if r.key not in seen]
    for r in fresh:
        session.add(Alert(kind=r.kind, dedupe_key=r.key, thesis_id=r.thesis_id, created_at=now, evidence={"text": r.text}))
    return len(fresh)


def save_outcomes(
    session: Session,
    results: Sequence[dict[str, Any]],
    statuses: Sequence[dict[str, Any]],
    changes: Sequence[StatusChangeRecord],
    now: dt.datetime,
    run_id: int | None,
) -> None:
    """Store a checks run's results and statuses, and a history row and an alert per change."""
    upsert(session, CheckResult, list(results), ["thesis_id", "assumption_id", "check_index"])
    upsert(session, AssumptionStatus, list(statuses), ["thesis_id", "assumption_id"])
    for c in changes:
        change = StatusChange(thesis_id=c.thesis_id, assumption_id=c.assumption_id, from_status=c.before, to_status=c.after,
                              changed_at=c.changed_at or now, reasons=c.reasons, run_id=run_id)
        session.add(change)
        if not c.alert:
            continue
        session.flush()
        session.add(Alert(change_id=change.id, thesis_id=c.thesis_id, assumption_id=c.assumption_id, from_status=c.before,
                          to_status=c.after, created_at=now, evidence=c.evidence))
