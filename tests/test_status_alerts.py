"""Statuses across refreshes with changing data, review overrides, history rows and webhook alerts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
from sqlalchemy import event, select

from tracker.conditions.stage import run_checks
from tracker.conditions.status import thesis_verdict
from tracker.prices.store import upsert_closes
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import Alert, AssumptionStatus, StatusChange
from tracker.validation import parse_thesis_text

UTC = dt.UTC

YAML = """
title: Status
opened: 2026-06-01
positions:
  - {ticker: AAA, weight: 100%, target: 150, horizon: 1y}
assumptions:
  - id: holds
    statement: s
    falsified_if: f
    checks:
      - when: return(AAA) < -10%
        then: at_risk
      - when: return(AAA) < -30%
REVIEWS
"""


def thesis(reviews: str = ""):
    return parse_thesis_text(YAML.replace("REVIEWS", reviews), "s.yaml", "s")


def set_price(engine, day: str, close: float) -> None:
    frame = pd.DataFrame([(pd.Timestamp(day), "AAA", close, None)], columns=["date", "ticker", "close", "currency"])
    with transaction(engine) as s:
        upsert_closes(s, frame, "csv")


def status(engine):
    with transaction(engine) as s:
        row = s.get(AssumptionStatus, ("s", "holds"))
        return row.status if row else None


def history(engine):
    with transaction(engine) as s:
        return [(h.from_status, h.to_status) for h in s.scalars(select(StatusChange).order_by(StatusChange.id))]


SETTINGS = dataclasses.replace(load_settings({}), webhook_url=None)


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=23, tzinfo=UTC)


def test_transitions_are_recorded_only_when_status_changes(engine):
    t = thesis()
    report = run_checks(engine, [t], SETTINGS, now=at("2026-06-01"))
    assert status(engine) == "unknown" and report.counts["statuses_changed"] == 1  # no prices yet
    set_price(engine, "2026-06-01", 100)
    run_checks(engine, [t], SETTINGS, now=at("2026-06-02"))
    assert status(engine) == "intact"
    run_checks(engine, [t], SETTINGS, now=at("2026-06-03"))  # same data: no new row
    set_price(engine, "2026-06-04", 85)
    run_checks(engine, [t], SETTINGS, now=at("2026-06-04"))
    assert status(engine) == "at_risk"
    set_price(engine, "2026-06-05", 60)
    run_checks(engine, [t], SETTINGS, now=at("2026-06-05"))
    assert status(engine) == "falsified"  # the most severe fired check wins
    set_price(engine, "2026-06-08", 101)
    run_checks(engine, [t], SETTINGS, now=at("2026-06-08"))
    assert history(engine) == [(None, "unknown"), ("unknown", "intact"), ("intact", "at_risk"), ("at_risk", "falsified"), ("falsified", "intact")]
    with transaction(engine) as s:
        alerts = s.scalars(select(Alert).order_by(Alert.id)).all()
        assert [a.to_status for a in alerts] == ["unknown", "intact", "at_risk", "falsified", "intact"]
        assert alerts[3].evidence["reasons"][0] == "falsified: return(AAA) = -40.0%, < -30% ✔"


def test_review_overrides_until_a_new_check_fires(engine):
    set_price(engine, "2026-06-01", 100)
    set_price(engine, "2026-06-10", 85)  # at_risk check firing before the review
    reviewed = thesis("    reviews:\n      - {date: 2026-06-12, status: intact, note: one bad week}\n")
    run_checks(engine, [reviewed], SETTINGS, now=at("2026-06-12"))
    assert status(engine) == "intact"  # the human saw it and said intact
    set_price(engine, "2026-06-15", 88)
    run_checks(engine, [reviewed], SETTINGS, now=at("2026-06-15"))
    assert status(engine) == "intact"  # same check still firing: the review holds
    set_price(engine, "2026-06-16", 65)  # a check that was not firing at the review date fires
    run_checks(engine, [reviewed], SETTINGS, now=at("2026-06-16"))
    assert status(engine) == "falsified"
    with transaction(engine) as s:
        reasons = s.get(AssumptionStatus, ("s", "holds")).reasons
    assert any("review of 2026-06-12 (intact) lapsed" in r for r in reasons)


def test_statement_count_does_not_grow_with_checks(sqlite_engine):
    set_price(sqlite_engine, "2026-06-01", 100)

    def count(theses):
        n = [0]

        def inc(*_a, **_k):
            n[0] += 1

        event.listen(sqlite_engine, "before_cursor_execute", inc)
        run_checks(sqlite_engine, theses, SETTINGS, now=at("2026-06-02"))
        event.remove(sqlite_engine, "before_cursor_execute", inc)
        return n[0]

    few = [thesis()]
    many = [parse_thesis_text(YAML.replace("REVIEWS", "").replace("title: Status", f"title: S{i}"), f"s{i}.yaml", f"s{i}") for i in range(30)]
    count(few)  # first run creates the rows
    count(many)
    assert count(many) == count(few)


def test_thesis_verdict_counts():
    assert thesis_verdict(["intact", "at_risk", "intact", "weird"]) == {"intact": 2, "at_risk": 1, "falsified": 0, "unknown": 1}


class Receiver:
    def __init__(self, fail_first: int = 0) -> None:
        self.bodies: list[dict] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    self.send_response(500)
                else:
                    receiver.bodies.append(body)
                    self.send_response(204)
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


def test_webhook_sends_once_and_retries_after_failure(engine):
    receiver = Receiver(fail_first=1)
    settings = dataclasses.replace(SETTINGS, webhook_url=receiver.url)
    set_price(engine, "2026-06-01", 100)
    first = run_checks(engine, [thesis()], settings, now=at("2026-06-02"))
    assert [f.kind for f in first.failures] == ["webhook"] and receiver.bodies == []
    second = run_checks(engine, [thesis()], settings, now=at("2026-06-03"))
    assert second.ok and second.counts["alerts_sent"] == 1
    third = run_checks(engine, [thesis()], settings, now=at("2026-06-04"))
    assert third.counts["alerts_sent"] == 0  # never sent twice
    assert len(receiver.bodies) == 1
    body = receiver.bodies[0]
    assert (body["thesis"], body["assumption"], body["from"], body["to"]) == ("s", "holds", None, "intact")
    with transaction(engine) as s:
        alert = s.scalar(select(Alert))
        assert alert.delivery_attempts == 2 and alert.delivered_at is not None
    receiver.httpd.shutdown()


def test_unreachable_webhook_is_a_recorded_failure(engine):
    settings = dataclasses.replace(SETTINGS, webhook_url="http://127.0.0.1:9/hook")
    report = run_checks(engine, [thesis()], settings, now=at("2026-06-02"))
    assert report.failures and report.failures[0].kind == "webhook"
