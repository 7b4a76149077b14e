"""Storing articles and their links; the news queries the dashboard and checks use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, func, insert, or_, select
from sqlalchemy.orm import Session

from tracker.news.parse import Entry
from tracker.redact import redact_url
from tracker.storage.tables import Article, ArticleAssumption, ArticleFeed, ArticleTicker, Feed


def feed_row(session: Session, url: str) -> Feed:
    row = session.scalar(select(Feed).where(Feed.url == url))
    if row is None:
        row = Feed(url=url, consecutive_failures=0, entries_seen=0)
        session.add(row)
        session.flush()
    return row


def stored_uids(session: Session, feed_url: str) -> list[str]:
    """Uids of the entries of this feed already stored (to skip re-analysing them)."""
    return list(session.scalars(select(ArticleFeed.entry_uid).join(Feed, Feed.id == ArticleFeed.feed_id).where(Feed.url == feed_url)))


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(values), size):
        yield list(values[i : i + size])


def stored_matches(session: Session, feed_id: int, entries: Sequence[Entry]) -> dict[str, int]:
    """Entry uid → id of the stored article it is, for the entries of this feed already stored.

    An entry is a stored article when its uid is the article's or one of its sources' (the same
    guid or link in another feed), or, for a titled entry with a real date, when its title key is
    that of an article no entry of this feed has given (a copy syndicated from another feed; two
    entries of one feed with different ids are two articles, as the feed says).
    """
    uids = sorted({e.uid for e in entries})
    found: dict[str, int] = {}
    for chunk in _chunks(uids):
        found.update(session.execute(select(ArticleFeed.entry_uid, ArticleFeed.article_id).where(ArticleFeed.entry_uid.in_(chunk))).all())
        found.update(session.execute(select(Article.uid, Article.id).where(Article.uid.in_(chunk))).all())
    keys = sorted({e.title_key for e in entries if e.title_key and e.uid not in found})
    by_key: dict[str, int] = {}
    from_this_feed = select(ArticleFeed.article_id).where(ArticleFeed.feed_id == feed_id)
    for chunk in _chunks(keys):
        rows = session.execute(
            select(Article.title_key, Article.id)
            .where(Article.title_key.in_(chunk), or_(Article.feed_id.is_(None), Article.feed_id != feed_id), Article.id.not_in(from_this_feed))
            .order_by(Article.id)
        )
        for key, id_ in rows:
            by_key.setdefault(key, id_)
    out = {}
    for e in entries:
        if e.uid in found:
            out[e.uid] = found[e.uid]
        elif e.title_key and e.title_key in by_key:
            out[e.uid] = by_key[e.title_key]
    return out


def article_row(
    entry: Entry, feed_id: int, sentiment: float, label: str, sample: bool, now: dt.datetime, why: str = ""
) -> dict[str, Any]:
    """The `articles` row of a parsed entry, first seen `now`."""
    return {
        "uid": entry.uid, "title_key": entry.title_key or "", "feed_id": feed_id, "title": entry.title, "link": entry.link,
        "publisher": entry.publisher, "summary_html": entry.summary_html, "summary_text": entry.summary_text,
        "published_at": entry.published_at, "published_estimated": entry.published_estimated, "fetched_at": now,
        "sentiment": sentiment, "sentiment_label": label, "is_sample": sample, "sentiment_why": why[:300],
    }


def insert_articles(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert new articles in one batched statement; returns uid → id."""
    if not rows:
        return {}
    result = session.execute(insert(Article).returning(Article.uid, Article.id), rows)
    return {uid: id_ for uid, id_ in result.all()}


def add_sources(session: Session, feed_id: int, stored: dict[str, int], new: dict[str, int], now: dt.datetime) -> int:
    """Record that this feed carried these entries (entry uid → article id): entries of articles
    stored before (once per feed and entry) and of articles just inserted; returns how many of the
    stored ones are new sources."""
    known: set[str] = set()
    for chunk in _chunks(sorted(stored)):
        known |= set(session.scalars(select(ArticleFeed.entry_uid).where(ArticleFeed.feed_id == feed_id, ArticleFeed.entry_uid.in_(chunk))))
    added = {uid: aid for uid, aid in stored.items() if uid not in known}
    rows = [{"feed_id": feed_id, "entry_uid": uid, "article_id": aid, "first_seen_at": now} for uid, aid in (added | new).items()]
    if rows:
        session.execute(insert(ArticleFeed.__table__), rows)  # Core executemany: no ORM bookkeeping
    return len(added)


def article_sources(session: Session, article_ids: Sequence[int]) -> dict[int, list[str]]:
    """Article id → the URLs of the feeds that carried it, in the order they were first seen."""
    out: dict[int, list[str]] = {}
    ids = sorted(set(article_ids))
    for i in range(0, len(ids), 500):
        rows = session.execute(
            select(ArticleFeed.article_id, Feed.url)
            .join(Feed, Feed.id == ArticleFeed.feed_id)
            .where(ArticleFeed.article_id.in_(ids[i : i + 500]))
            .order_by(ArticleFeed.first_seen_at, Feed.id)
        )
        for aid, stored in rows:
            url = redact_url(stored)  # rows written before feeds were stored by their key
            if url not in out.setdefault(aid, []):
                out[aid].append(url)
    return out


def ticker_sentiment(session: Session, tickers: Iterable[str], since: dt.datetime) -> dict[str, tuple[float, int]]:
    """Ticker → (mean sentiment, article count) since a moment, in one grouped query."""
    names = sorted(set(tickers))
    if not names:
        return {}
    rows = session.execute(
        select(ArticleTicker.ticker, func.avg(ArticleTicker.sentiment), func.count())
        .where(ArticleTicker.ticker.in_(names), ArticleTicker.published_at >= since)
        .group_by(ArticleTicker.ticker)
    ).all()
    return {t: (float(m), int(n)) for t, m, n in rows}


def assumption_sentiment(session: Session, thesis_id: str, since: dt.datetime) -> dict[str, tuple[float, int]]:
    """Assumption id → (mean article sentiment, count) since a moment, in one grouped query."""
    rows = session.execute(
        select(ArticleAssumption.assumption_id, func.avg(Article.sentiment), func.count())
        .join(Article, Article.id == ArticleAssumption.article_id)
        .where(ArticleAssumption.thesis_id == thesis_id, ArticleAssumption.published_at >= since)
        .group_by(ArticleAssumption.assumption_id)
    ).all()
    return {a: (float(m), int(n)) for a, m, n in rows}


def articles_for(
    session: Session,
    *,
    tickers: Sequence[str] | None = None,
    thesis_id: str | None = None,
    assumption_id: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    labels: Sequence[str] | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Newest articles matching the filters, each with its linked tickers and assumptions and the
    number of feeds that carried it; title and summary as stored (raw plain text, escape to render)."""
    query = select(Article).order_by(Article.published_at.desc(), Article.id.desc()).limit(limit)
    conditions = []
    if tickers is not None:
        conditions.append(Article.id.in_(select(ArticleTicker.article_id).where(ArticleTicker.ticker.in_(list(tickers)))))
    if thesis_id is not None:
        sub = select(ArticleAssumption.article_id).where(ArticleAssumption.thesis_id == thesis_id)
        if assumption_id is not None:
            sub = sub.where(ArticleAssumption.assumption_id == assumption_id)
        if tickers is not None and assumption_id is None:
            conditions = [or_(conditions[0], Article.id.in_(sub))]
        else:
            conditions.append(Article.id.in_(sub))
    if since is not None:
        conditions.append(Article.published_at >= since)
    if until is not None:
        conditions.append(Article.published_at <= until)
    if labels:
        conditions.append(Article.sentiment_label.in_(list(labels)))
    rows = session.scalars(query.where(*conditions)).all()
    ids = [r.id for r in rows]
    t_links: dict[int, dict[str, float]] = {}
    t_basis: dict[int, dict[str, str]] = {}
    a_links: dict[int, list[str]] = {}
    if ids:
        for aid, ticker, s, basis in session.execute(
            select(ArticleTicker.article_id, ArticleTicker.ticker, ArticleTicker.sentiment, ArticleTicker.sentiment_basis).where(
                ArticleTicker.article_id.in_(ids)
            )
        ):
            t_links.setdefault(aid, {})[ticker] = s
            t_basis.setdefault(aid, {})[ticker] = basis
        q = select(ArticleAssumption.article_id, ArticleAssumption.assumption_id).where(ArticleAssumption.article_id.in_(ids))
        if thesis_id is not None:
            q = q.where(ArticleAssumption.thesis_id == thesis_id)
        for aid, assumption in session.execute(q):
            a_links.setdefault(aid, []).append(assumption)
    feeds = article_sources(session, ids)
    return [
        {
            "id": r.id, "title": r.title, "link": r.link, "publisher": r.publisher, "summary_text": r.summary_text,
            "published_at": r.published_at, "published_estimated": r.published_estimated, "sentiment": r.sentiment,
            "label": r.sentiment_label, "is_sample": r.is_sample, "tickers": t_links.get(r.id, {}), "assumptions": a_links.get(r.id, []),
            "why": r.sentiment_why, "basis": t_basis.get(r.id, {}),
            "feeds": max(1, len(feeds.get(r.id, []))),
        }
        for r in rows
    ]


def articles_between(engine: Engine, since: dt.datetime, until: dt.datetime) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Articles (id, title, summary, published, sentiment) and their ticker links (article, ticker,
    sentiment, published) published in [since, until], in two queries: what the checks count."""
    with engine.connect() as conn:
        arts = conn.execute(
            select(Article.id, Article.title, Article.summary_text, Article.published_at, Article.sentiment).where(
                Article.published_at >= since, Article.published_at <= until
            )
        ).all()
        links = conn.execute(
            select(ArticleTicker.article_id, ArticleTicker.ticker, ArticleTicker.sentiment, ArticleTicker.published_at).where(
                ArticleTicker.published_at >= since, ArticleTicker.published_at <= until
            )
        ).all()
    return [tuple(r) for r in arts], [tuple(r) for r in links]


def feed_states(engine: Engine) -> list[tuple[Any, ...]]:
    """Every feed read so far, failing ones first: (url, title, status, last success, failures in a row, last error)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Feed.url, Feed.title, Feed.last_status, Feed.last_success_at, Feed.consecutive_failures, Feed.last_error).order_by(
                Feed.consecutive_failures.desc(), Feed.url
            )
        ).all()
    return [(redact_url(r[0]), *r[1:]) for r in rows]  # rows written before feeds were stored by their key
