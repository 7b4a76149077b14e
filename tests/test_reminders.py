"""Reminders are alerts too: a catalyst within 7 days and a review falling overdue are stored once,
shown, and sent to the webhook once — never again at the next refresh."""

from __future__ import annotations

import datetime as dt
import json

import httpx
from sqlalchemy import select

from tracker.conditions.alerts import deliver_pending, payload
from tracker.conditions.stage import run_checks
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import Alert
from tracker.validation import parse_thesis_text

THESIS = """title: R
id: r
opened: 2026-06-01
positions:
  - {ticker: NET, weight: 100%, horizon: 2y}
assumptions:
  - id: a
    statement: s
    falsified_if: f
    reviews:
      - {date: 2026-10-01, status: intact}
catalysts:
  - {date: 2026-12-04, event: NET results, ticker: NET}
  - {date: 2027-02-01, event: Later}
review_every: 60d
"""


def at(day: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, 22, tzinfo=dt.UTC)


def reminders(engine) -> list[tuple[str, str]]:
    with transaction(engine) as s:
        return [(a.kind, a.evidence["text"]) for a in s.scalars(select(Alert).where(Alert.kind != "status_change").order_by(Alert.id))]


def test_each_reminder_is_raised_once(engine):
    thesis = parse_thesis_text(THESIS, "r.yaml")
    settings = load_settings({})
    run_checks(engine, [thesis], settings, now=at(20))  # 14 days before the catalyst; review due 11-30
    assert reminders(engine) == []
    report = run_checks(engine, [thesis], settings, now=at(27))
    assert reminders(engine) == [("catalyst_soon", "catalyst in 7 days (2026-12-04): NET results")]
    assert report.counts["reminders_raised"] == 1
    run_checks(engine, [thesis], settings, now=at(28))  # seen again: not raised again
    run_checks(engine, [thesis], settings, now=at(1, 12))  # review due 11-30 is now overdue
    assert reminders(engine) == [
        ("catalyst_soon", "catalyst in 7 days (2026-12-04): NET results"),
        ("review_overdue", "review overdue since 2026-11-30: review each assumption and record it under reviews:"),
    ]
    run_checks(engine, [thesis], settings, now=at(3, 12))
    assert len(reminders(engine)) == 2


def test_closed_thesis_raises_no_reminder(engine):
    thesis = parse_thesis_text(THESIS + "closed: {date: 2026-11-15, outcome: abandoned}\n", "r.yaml")
    run_checks(engine, [thesis], load_settings({}), now=at(1, 12))
    assert reminders(engine) == []


def test_reminder_webhook_payload_is_sent_once(engine):
    thesis = parse_thesis_text(THESIS, "r.yaml")
    run_checks(engine, [thesis], load_settings({}), now=at(27))
    sent: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    assert deliver_pending(engine, "http://127.0.0.1/hook", client)[0] >= 1
    assert deliver_pending(engine, "http://127.0.0.1/hook", client)[0] == 0
    reminder = [p for p in sent if p["type"] == "catalyst_soon"]
    assert len(reminder) == 1 and reminder[0]["thesis"] == "r" and reminder[0]["text"].startswith("catalyst in 7 days")
    with transaction(engine) as s:
        row = s.scalars(select(Alert).where(Alert.kind == "catalyst_soon")).one()
        assert payload(row)["type"] == "catalyst_soon" and row.delivered_at is not None
