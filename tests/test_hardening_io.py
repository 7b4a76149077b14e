"""Hostile local files and servers: each is a recorded failure within a hard time limit, and the
other feeds and alerts are unharmed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import select

from tests.support.feed_server import FeedServer, Route
from tests.support.hostile_server import HostileServer
from tracker.conditions.alerts import deliver_pending
from tracker.news import fetch as fetch_module
from tracker.news.feeds import FeedSpec
from tracker.news.fetch import fetch, make_client, read_local
from tracker.news.stage import refresh_news
from tracker.sample import FEEDS_DIR
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import Alert
from tracker.validation import parse_thesis_text

SAMPLE = FEEDS_DIR / "ai-infrastructure.rss.xml"
SETTINGS = dataclasses.replace(load_settings({}), default_feeds=())
DEADLINE = 1.0
SLACK = 2.0


def thesis(feeds):
    listed = "\n".join(f"  - {f}" for f in feeds)
    return parse_thesis_text(f"title: F\nopened: 2026-06-11\npositions:\n  - {{ticker: NET, weight: 100%, horizon: 1y}}\nfeeds:\n{listed}\n", "f.yaml", "f")


@pytest.mark.timeout(20)
def test_fifo_and_dev_zero_feeds_fail_at_once_and_the_good_feed_is_stored(engine, tmp_path):
    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    report = refresh_news(engine, [thesis([str(fifo), "/dev/zero", str(tmp_path), str(SAMPLE)])], {}, SETTINGS)
    elapsed = time.monotonic() - started
    assert elapsed < 10
    errors = {f.source: f.error for f in report.failures}
    assert len(errors) == 3
    assert all("not a regular file" in e for e in errors.values()), errors
    assert report.counts["articles_new"] == 15


def test_local_file_is_read_up_to_the_limit_only(tmp_path):
    big = tmp_path / "big.xml"
    big.write_bytes(b"x" * 101)
    assert read_local(big, limit=101) == b"x" * 101
    with pytest.raises(OSError, match="larger than"):
        read_local(big, limit=100)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("mode", ["slow_headers", "silent", "slow_body"])
def test_hostile_server_fails_within_the_deadline(mode):
    with HostileServer(mode) as srv, make_client(allow_private=True) as client:
        started = time.monotonic()
        got = fetch(FeedSpec(srv.url("/feed")), client, etag=None, last_modified=None, sec_user_agent="x", deadline=DEADLINE)
        elapsed = time.monotonic() - started
    assert got.body is None and got.error == f"took longer than {DEADLINE:g}s (deadline)"
    assert DEADLINE * 0.9 <= elapsed < DEADLINE + SLACK, elapsed


@pytest.mark.timeout(30)
def test_refresh_with_a_slow_header_feed_finishes_and_stores_the_good_feed(engine, monkeypatch):
    monkeypatch.setattr(fetch_module, "DEADLINE_SECONDS", DEADLINE)
    with HostileServer("slow_headers") as slow, FeedServer() as good:
        good.routes["/f"] = Route(SAMPLE.read_bytes(), headers={"Content-Type": "application/rss+xml"})
        slow_url = slow.url("/feed")
        started = time.monotonic()
        report = refresh_news(engine, [thesis([slow_url, good.url("/f")])], {}, SETTINGS)
        elapsed = time.monotonic() - started
    assert elapsed < DEADLINE + SLACK + 3, elapsed
    assert [(f.source, f.error) for f in report.failures] == [(slow_url, f"took longer than {DEADLINE:g}s (deadline)")]
    assert report.counts["articles_new"] == 15


def test_the_deadline_does_not_cut_a_normal_fetch():
    with FeedServer() as srv, make_client(allow_private=True) as client:
        srv.routes["/f"] = Route(SAMPLE.read_bytes(), headers={"Content-Type": "application/rss+xml"})
        got = fetch(FeedSpec(srv.url("/f")), client, etag=None, last_modified=None, sec_user_agent="x", deadline=DEADLINE)
        time.sleep(DEADLINE + 0.2)  # the watchdog was cancelled: nothing fires late
    assert got.error is None and got.body == SAMPLE.read_bytes()


def test_mock_transports_still_work():
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"<rss/>")))
    got = fetch(FeedSpec("http://example.test/f"), client, etag=None, last_modified=None, sec_user_agent="x", deadline=DEADLINE)
    assert got.body == b"<rss/>"


def _seed_alerts(engine, n: int) -> None:
    at = dt.datetime(2026, 6, 2, tzinfo=dt.UTC)
    with transaction(engine) as s:
        s.add_all(Alert(kind="review_overdue", dedupe_key=f"k{i}", thesis_id="t", created_at=at, evidence={"text": f"alert {i}"}) for i in range(n))


class _Receiver:
    def __init__(self) -> None:
        self.bodies: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                receiver.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("mode", ["slow_headers", "silent"])
def test_hung_webhook_costs_one_attempt_and_the_next_run_sends_each_alert_once(engine, mode):
    _seed_alerts(engine, 20)
    with HostileServer(mode) as hung:
        started = time.monotonic()
        sent, failures = deliver_pending(engine, hung.url("/hook"), deadline=DEADLINE)
        elapsed = time.monotonic() - started
        assert hung.connections == 1
    assert DEADLINE * 0.9 <= elapsed < DEADLINE + SLACK, elapsed
    assert sent == 0 and len(failures) == 1 and failures[0].error.endswith(f"took longer than {DEADLINE:g}s (deadline)")
    with transaction(engine) as s:
        assert [a.delivery_attempts for a in s.scalars(select(Alert).order_by(Alert.id))] == [1] + [0] * 19
    receiver = _Receiver()
    try:
        assert deliver_pending(engine, receiver.url, deadline=DEADLINE) == (20, [])
        assert deliver_pending(engine, receiver.url, deadline=DEADLINE) == (0, [])
    finally:
        receiver.httpd.shutdown()
    assert sorted(b["text"] for b in receiver.bodies) == sorted(f"alert {i}" for i in range(20))
    with transaction(engine) as s:
        assert all(a.delivered_at is not None for a in s.scalars(select(Alert)))


def test_failing_webhook_stops_the_run_at_its_first_failure(engine):
    _seed_alerts(engine, 20)
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content)["alert_id"])
        return httpx.Response(503)

    sent, failures = deliver_pending(engine, "http://127.0.0.1/hook", httpx.Client(transport=httpx.MockTransport(handler)))
    assert sent == 0 and len(calls) == 1 and [f.error.split(": ", 1)[1] for f in failures] == ["HTTP 503"]
