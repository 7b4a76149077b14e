"""Delivering alerts to a webhook: each alert is POSTed once, and retried next run on failure.

Each POST has a hard wall-clock limit (`DEADLINE_SECONDS`, connect to last byte, enforced by the
feed fetcher's `Deadline` watchdog), and a run stops at its first failed delivery: a hung or
failing webhook costs one deadline per run, and the alerts not tried stay undelivered for the
next run (none lost, none sent twice).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import httpx
from sqlalchemy import Engine, select

from tracker.news.fetch import Deadline
from tracker.reporting.report import Failure
from tracker.storage.db import transaction
from tracker.storage.tables import Alert, utcnow

log = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_PER_RUN = 200
DEADLINE_SECONDS = 15.0  # one POST, connect to last byte


def payload(alert: Alert) -> dict[str, Any]:
    if alert.kind != "status_change":
        return {
            "type": alert.kind,
            "alert_id": alert.id,
            "thesis": alert.thesis_id,
            "text": (alert.evidence or {}).get("text"),
            "at": alert.created_at.isoformat(),
        }
    return {
        "type": "assumption_status_changed",
        "alert_id": alert.id,
        "thesis": alert.thesis_id,
        "assumption": alert.assumption_id,
        "from": alert.from_status,
        "to": alert.to_status,
        "at": alert.created_at.isoformat(),
        "evidence": alert.evidence,
    }


def deliver_pending(
    engine: Engine, url: str, client: httpx.Client | None = None, *, deadline: float | None = None
) -> tuple[int, list[Failure]]:
    """POST undelivered alerts, oldest first; mark each delivered right after its 2xx answer.

    Stops at the first failure: the alerts after it are left for the next run. `deadline`
    (default `DEADLINE_SECONDS`) is the hard limit of each POST.
    """
    limit = DEADLINE_SECONDS if deadline is None else deadline
    with transaction(engine) as s:
        pending: Sequence[Alert] = s.scalars(
            select(Alert).where(Alert.delivered_at.is_(None)).order_by(Alert.id).limit(MAX_PER_RUN)
        ).all()
    if not pending:
        return 0, []
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    sent, failures = 0, []
    try:
        for alert in pending:
            error = None
            with Deadline(limit) as watchdog:
                try:
                    response = client.post(url, json=payload(alert), timeout=TIMEOUT, headers=watchdog.headers, extensions=watchdog.extensions)
                    if response.status_code >= 300:
                        error = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
            if error is not None and watchdog.expired:
                error = f"took longer than {limit:g}s (deadline)"
            with transaction(engine) as s:
                row = s.get(Alert, alert.id)
                assert row is not None
                row.delivery_attempts += 1
                if error is None:
                    row.delivered_at = utcnow()
                    row.last_error = None
                    sent += 1
                else:
                    row.last_error = error
            if error is not None:
                log.warning("webhook delivery of alert %s failed: %s", alert.id, error)
                failures.append(Failure("webhook", url, f"alert {alert.id}: {error}"))
                break  # the rest wait for the next run
    finally:
        if own:
            client.close()
    return sent, failures
