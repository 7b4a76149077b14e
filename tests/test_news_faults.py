"""Fault injection for the news stage and the database: each fault is a recorded failure, stored
data stays intact, and the next run recovers. Plus the corpus of broken and hostile feeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.feed_server import FeedServer, Route
from tracker.news.parse import parse_feed
from tracker.news.stage import refresh_news
from tracker.pipeline.refresh import run_refresh
from tracker.sample import FEEDS_DIR
from tracker.settings import load_settings
from tracker.storage.db import DatabaseError, open_database, transaction
from tracker.storage.tables import Article, Feed
from tracker.validation import parse_thesis_text

CORPUS = Path(__file__).parent / "corpus" / "feeds"
SAMPLE = FEEDS_DIR / "ai-infrastructure.rss.xml"
SETTINGS = dataclasses.replace(load_settings({}), default_feeds=())


def thesis(feeds):
    listed = "\n".join(f"  - {f}" for f in feeds)
    return parse_thesis_text(f"title: F\nopened: 2026-06-11\npositions:\n  - {{ticker: NET, weight: 100%, horizon: 1y}}\nfeeds:\n{listed}\n", "f.yaml", "f")


def rows():
    return [tuple(line.split("\t")) for line in (CORPUS / "expected.tsv").read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("name, outcome, entries", rows())
def test_feed_corpus(name, outcome, entries):
    parsed = parse_feed((CORPUS / name).read_bytes(), {"content-type": "application/rss+xml"}, dt.datetime.now(dt.UTC))
    assert len(parsed.entries) == int(entries)
    assert (parsed.error is not None) == (outcome == "error")
    assert (parsed.warning is not None) == (outcome == "warning")
    for e in parsed.entries:  # no entity was expanded, no local file was read
        assert "root:" not in e.title and "lollol" not in e.title


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "route, error",
    [
        (Route(b"slow down", status=429), "HTTP 429 Too Many Requests"),
        (Route(b"boom", status=500), "HTTP 500 Internal Server Error"),
        (Route(b"<html>blocked</html>", headers={"Content-Type": "text/html"}), "malformed feed: NonXMLContentType: text/html is not an XML media type"),
    ],
)
def test_http_faults_are_recorded_and_the_next_run_recovers(engine, route, error):
    good = SAMPLE.read_bytes()
    with FeedServer() as srv:
        srv.routes["/f"] = route
        first = refresh_news(engine, [thesis([srv.url("/f")])], {}, SETTINGS)
        assert [f.error for f in first.failures] == [error]
        srv.routes["/f"] = Route(good, headers={"Content-Type": "application/rss+xml"})
        second = refresh_news(engine, [thesis([srv.url("/f")])], {}, SETTINGS)
    assert second.ok and second.counts["articles_new"] == 15
    with transaction(engine) as s:
        feed = s.scalar(select(Feed))
        assert feed.consecutive_failures == 0 and feed.last_error is None


def test_truncated_body_keeps_what_parsed_and_connection_refused_is_a_failure(engine):
    body = SAMPLE.read_bytes()
    with FeedServer() as srv:
        srv.routes["/cut"] = Route(body[: len(body) // 2], headers={"Content-Type": "application/rss+xml"})
        refused = f"http://127.0.0.1:{_closed_port()}/feed"
        report = refresh_news(engine, [thesis([srv.url("/cut"), refused])], {}, SETTINGS)
    assert [f.source for f in report.failures] == [refused] and "ConnectError" in report.failures[0].error
    assert 0 < report.counts["articles_new"] < 15
    assert any("warning: malformed feed" in line for line in report.lines)




def test_read_only_database_keeps_its_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    engine = open_database(url)
    refresh_news(engine, [thesis([str(SAMPLE)])], {}, SETTINGS)
    engine.dispose()
    ro = f"sqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true"
    theses = tmp_path / "theses"
    theses.mkdir()
    (theses / "f.yaml").write_text(f"title: F\nopened: 2026-06-11\npositions:\n  - {{ticker: NET, weight: 100%, horizon: 1y}}\nfeeds: ['{SAMPLE}']\n")
    settings = dataclasses.replace(SETTINGS, db_url=ro, theses_dir=theses, price_source="demo")
    with pytest.raises(DatabaseError, match="cannot write to the database .*readonly"):
        run_refresh(settings)
    again = open_database(url)
    with transaction(again) as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 15
    again.dispose()
