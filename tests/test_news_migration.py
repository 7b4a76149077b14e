"""Migration 0004 on a database written the way revision 0003 ingested feeds: duplicates of an
undated item stored once per day, escaped titles, untitled items keyed by an empty title, a date
in year 9999. After the upgrade: one article per item, its links kept, the earliest first-seen,
plain text, a count in the job history, and the next refresh stores nothing twice."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from pathlib import Path

import feedparser
from alembic import command
from sqlalchemy import insert, select, text

from tracker.news.parse import entry_uid, parse_feed
from tracker.news.sanitize import clean_html, safe_link, to_text
from tracker.news.stage import refresh_news
from tracker.pipeline.runs import last_refresh, last_success_at, recent_runs
from tracker.settings import load_settings
from tracker.storage.db import alembic_config, create_db_engine, current_revisions, head_revisions, open_database, transaction, upgrade
from tracker.storage.tables import (
    Alert,
    Article,
    ArticleAssumption,
    ArticleFeed,
    ArticleTicker,
    CheckResult,
    Feed,
    JobRun,
    StatusChange,
)
from tracker.validation import parse_thesis_text

DAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
SETTINGS = dataclasses.replace(load_settings({}), default_feeds=())

FEED_A = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire A</title>
<item><title>DeepSeek outage takes inference endpoints offline</title><description>Users saw errors for hours.</description></item>
<item><title>Cloud_provider outage (partial) in [EU] regions</title><guid>g-1</guid><pubDate>Mon, 02 Nov 2026 07:00:00 GMT</pubDate>
  <description>Some *regions* down.</description></item>
<item><guid>post-1</guid><pubDate>Mon, 02 Nov 2026 06:00:00 GMT</pubDate><description>Datadog raises its guidance</description></item>
<item><guid>post-2</guid><pubDate>Mon, 02 Nov 2026 06:30:00 GMT</pubDate><description>Cloudflare suffers a global outage</description></item>
<item><title>Datadog beats estimates</title><link>https://example.com/dd</link><pubDate>Mon, 02 Nov 2026 05:00:00 GMT</pubDate></item>
<item><title>A cloud story from the year 9999</title><guid>g-future</guid><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>
<item><description>A note without a title or a date</description></item>
</channel></rss>"""
FEED_B = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire B</title>
<item><title>DATADOG BEATS ESTIMATES</title><guid>b-1</guid><pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate></item>
</channel></rss>"""


# --- how revision 0003 stored a feed (tracker/news/parse.py and stage.py as they were) ---------

_OLD_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|<>~$])")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _normalise(title: str) -> str:
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFKC", title).casefold()).strip()


def old_entries(xml: str, feed_url: str, fetched_at: dt.datetime) -> list[dict]:
    headers = {"content-type": "application/xml", "content-location": feed_url}  # what fetching a file gave (guids resolve against it)
    parsed = feedparser.parse(io.BytesIO(xml.encode()), response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    feed_title = to_text(parsed.feed.get("title")) or None
    out = []
    for e in parsed.entries:
        raw_title = to_text(e.get("title"))
        link = safe_link(e.get("link"))
        summary = e.get("summary") or ""
        published, estimated = fetched_at, True
        if e.get("published_parsed"):  # believed whatever it said
            published, estimated = dt.datetime.fromtimestamp(calendar.timegm(e["published_parsed"]), dt.UTC), False
        ident = e.get("id") or e.get("guid")
        day = published.date().isoformat()
        uid = _digest("id", str(ident)) if ident else _digest("link", link) if link else _digest("title", _normalise(raw_title), day)
        out.append({"uid": uid, "title_key": _digest(_normalise(raw_title), day), "title": _OLD_SPECIALS.sub(r"\\\1", raw_title or "(untitled)"),
                    "link": link, "publisher": feed_title, "summary_html": clean_html(summary), "summary_text": to_text(summary)[:5000],
                    "published_at": published, "published_estimated": estimated, "fetched_at": fetched_at, "sentiment": -0.5,
                    "sentiment_label": "bearish", "is_sample": False, "raw": f"{raw_title}. {to_text(summary)}"})
    return out


def old_ingest(engine, feed_url: str, xml: str, fetched_at: dt.datetime) -> None:
    """Revision 0003's ingest: a new row unless the uid or the title key is stored already."""
    with transaction(engine) as s:
        feed = s.scalar(select(Feed).where(Feed.url == feed_url))
        if feed is None:
            feed = Feed(url=feed_url, consecutive_failures=0, entries_seen=0)
            s.add(feed)
            s.flush()
        uids, keys = set(s.scalars(select(Article.uid))), set(s.scalars(select(Article.title_key)))
        for entry in old_entries(xml, feed_url, fetched_at):
            text = entry.pop("raw").lower()
            if entry["uid"] in uids or entry["title_key"] in keys:
                continue
            uids.add(entry["uid"])
            keys.add(entry["title_key"])
            article_id = s.execute(insert(Article).returning(Article.id), [{**entry, "feed_id": feed.id}]).scalar_one()
            if "outage" in text:
                s.add(ArticleAssumption(article_id=article_id, thesis_id="t", assumption_id="outages", matched=["outage"],
                                        published_at=entry["published_at"]))
            if "cloud" in text or "datadog" in text:
                # a Core insert names only the columns of that revision (an ORM object would ask for later ones back)
                s.execute(insert(ArticleTicker.__table__), [{"article_id": article_id, "ticker": "NET" if "cloud" in text else "DDOG",
                                                             "matched": ["x"], "sentiment": -0.5, "published_at": entry["published_at"]}])


def build_0003(db_url: str, tmp_path: Path) -> tuple[str, str, dict[str, list[int]]]:
    """A database at revision 0003 after refreshes on three days; returns the feed URLs and ids by title."""
    old = create_db_engine(db_url)
    upgrade(old, "0003")
    a, b = (tmp_path / "a.xml").as_uri(), (tmp_path / "b.xml").as_uri()
    for day in range(3):
        old_ingest(old, a, FEED_A, DAY + dt.timedelta(days=day))
        old_ingest(old, b, FEED_B, DAY + dt.timedelta(days=day))
    with transaction(old) as s:
        ids: dict[str, list[int]] = {}
        for id_, title in s.execute(select(Article.id, Article.title).order_by(Article.id)):
            ids.setdefault(title, []).append(id_)
        undated = ids["DeepSeek outage takes inference endpoints offline"]
        s.add(CheckResult(thesis_id="t", assumption_id="outages", check_index=0, expression='negative_news("DeepSeek outage", 30d) >= 3',
                          outcome="fired", detail="", values={}, article_ids=undated, evaluated_at=DAY + dt.timedelta(days=2)))
        change = StatusChange(thesis_id="t", assumption_id="outages", from_status="intact", to_status="at_risk",
                              changed_at=DAY + dt.timedelta(days=2), reasons=["3 articles"])
        s.add(change)
        s.flush()
        # written with revision 0003's columns (later revisions added some to alerts)
        s.execute(
            text("INSERT INTO alerts (change_id, thesis_id, assumption_id, from_status, to_status, created_at, evidence, delivery_attempts) "
                 "VALUES (:change, 't', 'outages', 'intact', 'at_risk', :at, :evidence, 0)"),
            {"change": change.id, "at": (DAY + dt.timedelta(days=2)).replace(tzinfo=None),
             "evidence": json.dumps({"reasons": ["3 articles"], "article_ids": undated})},
        )
    assert current_revisions(old) == {"0003"}
    old.dispose()
    return a, b, ids


def test_the_current_rows_are_what_the_issue_describes(db_url, tmp_path):
    _, _, ids = build_0003(db_url, tmp_path)
    assert len(ids["DeepSeek outage takes inference endpoints offline"]) == 3  # stored again on each day
    # post-2 lost to post-1 (the same empty title on the same day); the undated note too on the first
    # day (its empty title and estimated day were post-1's key), then stored again on the next two
    assert len(ids["\\(untitled\\)"]) == 1 + 2
    assert "Cloud\\_provider outage \\(partial\\) in \\[EU\\] regions" in ids


def test_upgrade_merges_rekeys_unescapes_and_counts(db_url, tmp_path):
    a, b, ids = build_0003(db_url, tmp_path)
    undated = ids["DeepSeek outage takes inference endpoints offline"]
    before = sum(len(v) for v in ids.values())
    engine = open_database(db_url)
    assert current_revisions(engine) == head_revisions() == {"0009"}
    with transaction(engine) as s:
        rows = {r.id: r for r in s.scalars(select(Article))}
        sources = s.execute(select(ArticleFeed.article_id, Feed.url, ArticleFeed.entry_uid).join(Feed)).all()
        assumption_links = s.execute(select(ArticleAssumption.article_id, ArticleAssumption.assumption_id, ArticleAssumption.published_at)).all()
        ticker_links = s.execute(select(ArticleTicker.article_id, ArticleTicker.ticker, ArticleTicker.published_at)).all()
        check = s.scalars(select(CheckResult.article_ids)).one()
        evidence = s.scalars(select(Alert.evidence)).one()
        run = s.scalars(select(JobRun)).one()

    # the undated item: one article, the first one seen, with the first estimate and every link
    assert undated[0] in rows and not set(undated[1:]) & set(rows)
    kept = rows[undated[0]]
    assert kept.uid == entry_uid(None, None, kept.title, kept.summary_text, "Wire A")  # what the ingestion now computes
    assert (kept.published_at, kept.published_estimated, kept.fetched_at, kept.title_key) == (DAY, True, DAY, "")
    assert [(i, asm, at) for i, asm, at in assumption_links if i == kept.id] == [(kept.id, "outages", DAY)]
    assert check == [kept.id] and evidence["article_ids"] == [kept.id] and evidence["reasons"] == ["3 articles"]

    # the untitled note without guid or link: one article; the untitled items carry no placeholder
    notes = [r for r in rows.values() if r.summary_text == "A note without a title or a date"]
    assert len(notes) == 1 and notes[0].title == "" and notes[0].fetched_at == DAY + dt.timedelta(days=1)
    post1 = next(r for r in rows.values() if r.summary_text == "Datadog raises its guidance")
    now_parsed = parse_feed(FEED_A.encode(), {"content-type": "application/xml", "content-location": a}, DAY)
    assert post1.title == "" and post1.title_key == "" and post1.uid == next(e.uid for e in now_parsed.entries if e.summary_text == post1.summary_text)

    # titles are the plain text the feed gave
    assert "Cloud_provider outage (partial) in [EU] regions" in {r.title for r in rows.values()}
    assert not any("\\" in r.title for r in rows.values())

    # a date nobody can believe became the fetch time, estimated, and its links moved with it
    future = next(r for r in rows.values() if r.title == "A cloud story from the year 9999")
    assert (future.published_at, future.published_estimated, future.title_key) == (DAY, True, "")

    # feed sources: every article with the feed it came from
    assert {(i, url) for i, url, _ in sources} == {(r.id, a if r.publisher == "Wire A" else b) for r in rows.values()}
    assert (future.id, "NET", DAY) in ticker_links
    assert all(ticker_at == rows[i].published_at for i, _, ticker_at in ticker_links)

    # the job history says what happened
    merged = 2 + 1  # two more copies of the undated item, one of the untitled note
    assert len(rows) == before - merged
    assert run.trigger == "migration" and run.outcome == "success"
    assert run.counts["articles_merged"] == merged and run.counts["articles_before"] == before and run.counts["articles_after"] == len(rows)
    assert run.counts["titles_unescaped"] == 1 + 1 + 2  # the escaped title, post-1 and the two notes' placeholders
    assert run.counts["dates_estimated"] == 1
    assert [r[1] for r in recent_runs(engine)[0]] == ["migration"]  # listed with the runs on the Data health page
    assert last_refresh(engine) is None and last_success_at(engine) is None  # but it is not a refresh

    # the next refresh (new code, a later day) stores nothing twice, and finds post-2 the old code lost
    (tmp_path / "a.xml").write_text(FEED_A)
    (tmp_path / "b.xml").write_text(FEED_B)
    thesis = parse_thesis_text(f"title: T\nopened: 2026-06-11\npositions:\n  - {{ticker: NET, weight: 100%, horizon: 1y}}\n"
                               f"feeds: ['{tmp_path / 'a.xml'}', '{tmp_path / 'b.xml'}']\n", "t.yaml", "t")
    report = refresh_news(engine, [thesis], {}, SETTINGS, clock=lambda: DAY + dt.timedelta(days=3))
    assert report.ok and report.counts["articles_new"] == 1, report.lines
    with transaction(engine) as s:
        summaries = list(s.scalars(select(Article.summary_text)))
        syndicated = s.scalars(select(ArticleFeed.article_id).join(Feed).where(Feed.url == b)).all()
        dd = s.scalar(select(Article.id).where(Article.title == "Datadog beats estimates"))
    assert "Cloudflare suffers a global outage" in summaries and len(summaries) == len(rows) + 1
    assert dd in syndicated  # Wire B's copy, dropped by the old code, is now recorded as a source
    engine.dispose()


def test_a_database_without_articles_gets_no_job_row(db_url):
    old = create_db_engine(db_url)
    upgrade(old, "0003")
    old.dispose()
    engine = open_database(db_url)
    assert recent_runs(engine)[0] == []
    engine.dispose()


def test_downgrade_escapes_titles_again(db_url, tmp_path):
    build_0003(db_url, tmp_path)
    engine = open_database(db_url)
    command.downgrade(alembic_config(engine), "0003")
    assert current_revisions(engine) == {"0003"}
    with transaction(engine) as s:
        titles = set(s.scalars(select(Article.title)))
    assert "Cloud\\_provider outage \\(partial\\) in \\[EU\\] regions" in titles and "\\(untitled\\)" in titles
    engine.dispose()


def test_downgrading_the_sentiment_columns_keeps_every_news_link(db_url, tmp_path):
    """SQLite rebuilds `articles` to drop a column; with foreign keys on, dropping the old copy
    deleted every ticker, feed and assumption link by cascade."""
    build_0003(db_url, tmp_path)
    engine = open_database(db_url)
    link_tables = ("article_tickers", "article_feeds", "article_assumptions")

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in ("articles", *link_tables)}

    before = counts()
    assert before["articles"] > 0 and before["article_tickers"] > 0 and before["article_feeds"] > 0
    command.downgrade(alembic_config(engine), "0006")
    assert current_revisions(engine) == {"0006"}
    assert counts() == before
    engine.dispose()


def test_feeds_stored_under_a_url_with_a_token_move_to_their_redacted_key(db_url):
    """Migration 0009: the fetch state, the article links and the failures of a feed stored under
    its full URL follow it to the key the refresh now looks it up by, and the token is gone."""
    from tracker.pipeline.runs import start_run
    from tracker.redact import redacted_key
    from tracker.storage.tables import ArticleFeed, Feed, JobFailure

    secret_a, secret_b = "https://news.example.com/rss?token=s3cretA9", "https://hooks.example.com/feed?api_key=s3cretB9"
    old = create_db_engine(db_url)
    upgrade(old, "0008")
    run = start_run(old, "test", {})
    with transaction(old) as s:
        a = Feed(url=secret_a, etag='"v1"', last_success_at=DAY, consecutive_failures=0, entries_seen=2)
        b_old = Feed(url=secret_b, etag='"old"', consecutive_failures=0, entries_seen=1)
        b_new = Feed(url=redacted_key(secret_b), etag='"new"', consecutive_failures=0, entries_seen=1)  # a refresh ran first
        s.add_all([a, b_old, b_new])
        art = Article(uid="u1", title_key="", title="t", published_at=DAY)
        s.add(art)
        s.flush()
        s.add_all([ArticleFeed(feed_id=a.id, entry_uid="e1", article_id=art.id, first_seen_at=DAY),
                   ArticleFeed(feed_id=b_old.id, entry_uid="e1", article_id=art.id, first_seen_at=DAY),
                   ArticleFeed(feed_id=b_old.id, entry_uid="e2", article_id=art.id, first_seen_at=DAY),
                   ArticleFeed(feed_id=b_new.id, entry_uid="e1", article_id=art.id, first_seen_at=DAY),
                   JobFailure(run_id=run, stage="news", kind="feed", source=secret_a, error="HTTP 503", at=DAY)])
        a_id, b_new_id = a.id, b_new.id
    old.dispose()

    engine = open_database(db_url)
    with transaction(engine) as s:
        feeds = {f.url: f for f in s.scalars(select(Feed))}
        assert set(feeds) == {redacted_key(secret_a), redacted_key(secret_b)}
        moved = feeds[redacted_key(secret_a)]
        assert moved.id == a_id and moved.etag == '"v1"' and moved.last_success_at == DAY
        assert feeds[redacted_key(secret_b)].id == b_new_id
        links = sorted((f.feed_id, f.entry_uid) for f in s.scalars(select(ArticleFeed)))
        assert links == sorted([(a_id, "e1"), (b_new_id, "e1"), (b_new_id, "e2")])
        assert [f.source for f in s.scalars(select(JobFailure))] == [redacted_key(secret_a)]
    with engine.connect() as conn:
        dump = " ".join(str(v) for t in ("feeds", "job_failures") for row in conn.execute(text(f"SELECT * FROM {t}")) for v in row)
    assert "s3cret" not in dump
    engine.dispose()
