"""Which feeds a refresh may read, and for how long: public addresses only (every redirect hop
checked), local files only from the allowed folders, and a time budget per stage after which the
sources left are skipped and read next run. Each case is a recorded failure; the good feed is stored."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import shutil
import socket

import pytest
from sqlalchemy import select

from tests.support.feed_server import FeedServer, Route
from tracker.news import fetch as fetch_module
from tracker.news.fetch import is_public
from tracker.news.stage import refresh_news
from tracker.prices.source import FetchResult, empty_closes
from tracker.prices.stage import refresh_prices
from tracker.sample import FEEDS_DIR
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import Feed
from tracker.validation import parse_thesis_text

SAMPLE = FEEDS_DIR / "ai-infrastructure.rss.xml"
RSS = {"Content-Type": "application/rss+xml"}
PUBLIC_ONLY = dataclasses.replace(load_settings({}), default_feeds=(), allow_private_feeds=False)


def thesis(feeds, tickers=("NET",)):
    listed = "\n".join(f'  - "{f}"' for f in feeds)
    weight = 100 // len(tickers)
    positions = "\n".join(f"  - {{ticker: {t}, weight: {weight}%, horizon: 1y}}" for t in tickers)
    return parse_thesis_text(f"title: F\nopened: 2026-06-11\npositions:\n{positions}\nfeeds:\n{listed}\n", "f.yaml", "f")


def feed_errors(engine) -> dict[str, str | None]:
    with transaction(engine) as s:
        return {f.url: f.last_error for f in s.scalars(select(Feed))}


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False), ("127.8.9.10", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
        ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False), ("255.255.255.255", False),
        ("::1", False), ("fe80::1%eth0", False), ("fd00::1", False), ("::ffff:127.0.0.1", False), ("::", False),
        ("93.184.216.34", True), ("8.8.8.8", True), ("2606:4700::1111", True), ("::ffff:8.8.8.8", True),
        # IPv6 forms that lead to an IPv4 address are judged by it
        ("64:ff9b::a9fe:a9fe", False), ("64:ff9b::7f00:1", False), ("64:ff9b:1::808:808", False), ("64:ff9b::808:808", True),
        ("2002:7f00:1::1", False), ("2002:c0a8:101::1", False), ("2002:808:808::1", True),
        ("::7f00:1", False), ("::ffff:0:7f00:1", False),
    ],
)
def test_which_addresses_are_public(address, public):
    assert is_public(address) is public


@pytest.mark.timeout(30)
def test_a_loopback_feed_is_refused_and_recorded_and_the_other_feed_is_stored(engine):
    with FeedServer() as srv:
        srv.routes["/f"] = Route(SAMPLE.read_bytes(), headers=RSS)
        url = srv.url("/f")
        report = refresh_news(engine, [thesis([url, str(SAMPLE)])], {}, PUBLIC_ONLY)
        assert srv.routes["/f"].hits == 0  # refused before connecting
    refused = "refused: 127.0.0.1 is not a public address (127.0.0.1); TRACKER_ALLOW_PRIVATE_FEEDS allows it"
    assert [(f.source, f.error) for f in report.failures] == [(url, refused)]
    assert report.counts["articles_new"] == 15
    assert feed_errors(engine)[url] == refused


@pytest.mark.timeout(30)
def test_a_host_that_resolves_to_a_private_address_is_refused_without_connecting(monkeypatch):
    resolved = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)), (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: resolved)
    with fetch_module.make_client() as client:
        got = fetch_module.fetch(fetch_module.FeedSpec("http://metadata.example.test/latest"), client, etag=None, last_modified=None,
                                 sec_user_agent="x", deadline=5)
    assert got.error == "refused: metadata.example.test is not a public address (169.254.169.254); TRACKER_ALLOW_PRIVATE_FEEDS allows it"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("allowed", [False, True])
def test_a_redirect_into_loopback_is_refused_at_its_hop(engine, monkeypatch, allowed):
    # 127.0.0.2 stands for a public server here; the redirect points at 127.0.0.1, the machine itself
    monkeypatch.setattr(fetch_module, "is_public", lambda address: address == "127.0.0.2")
    with FeedServer() as inner, FeedServer(host="127.0.0.2") as outer:
        inner.routes["/f"] = Route(SAMPLE.read_bytes(), headers=RSS)
        outer.routes["/go"] = Route(status=302, headers={"Location": inner.url("/f")})
        url = outer.url("/go")
        report = refresh_news(engine, [thesis([url])], {}, dataclasses.replace(PUBLIC_ONLY, allow_private_feeds=allowed))
        assert outer.routes["/go"].hits == 1
        assert inner.routes["/f"].hits == (1 if allowed else 0)
    if allowed:  # the same redirect is followed when private feeds are allowed: the refusal is the check's doing
        assert report.failures == [] and report.counts["articles_new"] == 15
    else:
        assert [(f.source, f.error) for f in report.failures] == [
            (url, "refused: 127.0.0.1 is not a public address (127.0.0.1); TRACKER_ALLOW_PRIVATE_FEEDS allows it")
        ]


def test_local_feed_files_outside_the_allowed_folders_are_refused(engine, tmp_path):
    allowed, other = tmp_path / "allowed", tmp_path / "other"
    allowed.mkdir()
    other.mkdir()
    shutil.copy(SAMPLE, allowed / "a.xml")
    shutil.copy(SAMPLE, other / "b.xml")
    (allowed / "escape.xml").symlink_to(other / "b.xml")  # a link out of the folder is judged by its target
    settings = dataclasses.replace(PUBLIC_ONLY, local_feed_dirs=(allowed.resolve(),))
    report = refresh_news(engine, [thesis([str(allowed / "a.xml"), str(other / "b.xml"), str(allowed / "escape.xml"), str(SAMPLE)])], {}, settings)
    target = (other / "b.xml").resolve()
    assert {f.source: f.error for f in report.failures} == {
        target.as_uri(): f"refused: {target} is outside the folders TRACKER_LOCAL_FEED_DIRS allows",
    }
    assert report.counts["feeds_ok"] == 2  # the allowed folder's file and the bundled sample
    assert report.counts["articles_new"] == 15


def test_the_local_feed_folders_setting(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    settings = load_settings({"TRACKER_LOCAL_FEED_DIRS": f"{a}:{b}:"})
    assert settings.local_feed_dirs == (a.resolve(), b.resolve())
    assert load_settings({}).local_feed_dirs == ()


def test_the_news_budget_skips_the_feeds_left_and_the_next_run_reads_them(engine, tmp_path):
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"f{i}.xml")
        shutil.copy(SAMPLE, paths[-1])
    theses = [thesis([str(p) for p in paths])]
    settings = dataclasses.replace(PUBLIC_ONLY, news_budget=600.0)
    ticks = itertools.count(0, 1000)  # each look at the clock is 1000 s later: the budget is spent after the first feed
    first = refresh_news(engine, theses, {}, settings, process_workers=0, timer=lambda: float(next(ticks)))
    skipped = "skipped: time budget spent (TRACKER_NEWS_BUDGET=600s); retried next run"
    assert sorted(f.error for f in first.failures) == [skipped, skipped]
    assert first.counts["feeds_ok"] == 1 and first.counts["feeds_skipped"] == 2
    assert len(feed_errors(engine)) == 1  # the skipped feeds' stored state is untouched
    second = refresh_news(engine, theses, {}, settings, process_workers=0)
    assert second.failures == [] and second.counts["feeds_ok"] == 3


class _SlowSource:
    """A price source whose every batch comes back empty; its clock is advanced by the test."""

    name = "fake"
    batch_size = 1

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def fetch(self, tickers, start, end):
        self.calls.append(list(tickers))
        return FetchResult(closes=empty_closes(), failures={}, requests=1)


def test_the_prices_budget_stops_starting_batches_and_the_skipped_tickers_are_planned_again(engine):
    source = _SlowSource()
    settings = dataclasses.replace(PUBLIC_ONLY, prices_budget=60.0)
    ticks = itertools.count(0, 100)
    t = thesis([str(SAMPLE)], tickers=("NET", "DDOG", "MDB", "SNOW"))
    report = refresh_prices(engine, [t], settings, source=source, today=dt.date(2026, 11, 20), clock=lambda: float(next(ticks)))
    assert source.calls == [["DDOG"]]  # the first batch always starts
    assert {f.source: f.error for f in report.failures} == {
        tk: "skipped: time budget spent (TRACKER_PRICES_BUDGET=60s); retried next run" for tk in ("MDB", "NET", "SNOW")
    }
    assert report.counts["tickers_skipped"] == 3
    again = refresh_prices(engine, [t], settings, source=source, today=dt.date(2026, 11, 20))
    assert again.failures == [] and source.calls[1:] == [["DDOG"], ["MDB"], ["NET"], ["SNOW"]]
