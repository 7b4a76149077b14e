"""The news stage: fetch feeds concurrently, keep new articles, score and link them."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy import Engine, insert

from tracker.news.analyse import Analysed, Vocabulary, parse_and_analyse
from tracker.news.feeds import FeedSpec, feeds_for
from tracker.news.fetch import Fetched, fetch, make_client
from tracker.news.parse import ParsedFeed
from tracker.news.store import add_sources, article_row, feed_row, insert_articles, stored_matches, stored_uids
from tracker.reporting.progress import NullProgress, Progress
from tracker.reporting.report import StageReport, budget_spent
from tracker.settings import Settings
from tracker.storage.db import transaction
from tracker.storage.tables import ArticleAssumption, ArticleTicker, Feed, utcnow
from tracker.thesis.model import Thesis

log = logging.getLogger(__name__)
MAX_CONCURRENT_FEEDS = 4
PARSE_PROCESSES = max(1, min(4, (os.cpu_count() or 1)))
PROCESS_POOL_MIN_FEEDS = 8  # below this, starting worker processes costs more than it saves


def ingest(
    engine: Engine,
    spec: FeedSpec,
    fetched: Fetched,
    parsed: ParsedFeed | None,
    analysed: list[Analysed],
    report: StageReport,
    now: dt.datetime | None = None,
) -> None:
    """Store one feed's outcome and its new articles in one transaction.

    An entry that is an article already stored (same uid, or a copy syndicated from another feed:
    `stored_matches`) adds this feed as one of its sources and is not stored again. The feed is
    stored, reported and shown by its key (its URL with any token hidden).
    """
    now = now or utcnow()
    with transaction(engine) as s:
        feed = feed_row(s, spec.key)
        feed.last_attempt_at = now
        feed.last_status = fetched.status
        error = fetched.error or (parsed.error if parsed else None)
        if error:
            feed.last_error = error
            feed.consecutive_failures += 1
            report.fail("feed", spec.key, error)
            report.lines.append(f"{spec.key}: FAILED — {error}")
            return
        feed.last_error = parsed.warning if parsed else None
        feed.consecutive_failures = 0
        feed.last_success_at = now
        if fetched.etag or fetched.last_modified:
            feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
        if fetched.not_modified or parsed is None:
            report.add("feeds_not_modified")
            report.lines.append(f"{spec.key}: not modified")
            return
        feed.title = parsed.title
        feed.entries_seen += len(parsed.entries)
        stored = stored_matches(s, feed.id, [a.entry for a in analysed])
        fresh: dict[str, Analysed] = {}
        for item in analysed:
            if item.entry.uid not in stored:
                fresh.setdefault(item.entry.uid, item)  # an entry listed twice in one feed is one article
        ids = insert_articles(s, [article_row(a.entry, feed.id, a.score, a.label, spec.sample, now, a.why) for a in fresh.values()])
        syndicated = add_sources(s, feed.id, stored, ids, now)
        ticker_rows = [
            {"article_id": ids[a.entry.uid], "ticker": t, "matched": link.matched, "sentiment": link.score,
             "sentiment_basis": link.basis, "published_at": a.entry.published_at}
            for a in fresh.values()
            for t, link in a.tickers.items()
        ]
        assumption_rows = [
            {"article_id": ids[a.entry.uid], "thesis_id": th, "assumption_id": asm, "matched": m, "published_at": a.entry.published_at}
            for a in fresh.values()
            for (th, asm), m in a.assumptions.items()
        ]
        if ticker_rows:
            s.execute(insert(ArticleTicker), ticker_rows)
        if assumption_rows:
            s.execute(insert(ArticleAssumption), assumption_rows)
        report.add("feeds_ok")
        report.add("articles_new", len(fresh))
        warn = f" (warning: {parsed.warning})" if parsed.warning else ""
        also = f", {syndicated} already stored from another feed" if syndicated else ""
        guessed = f" (undeclared encoding read as {parsed.encoding})" if parsed.encoding else ""
        report.lines.append(f"{spec.key}: {len(parsed.entries)} entries, {len(fresh)} new{also}{guessed}{warn}")


def refresh_news(
    engine: Engine,
    theses: Sequence[Thesis],
    thesis_paths: Mapping[str, Path],
    settings: Settings,
    progress: Progress | None = None,
    *,
    client: httpx.Client | None = None,
    process_workers: int | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
    timer: Callable[[], float] = time.monotonic,
) -> StageReport:
    """Read every feed once; one bad feed never stops the others.

    `clock` tells the time of each fetch (the date of an undated entry, when an article was first
    seen); tests move it to refresh "on another day".

    Once the stage has run for `settings.news_budget` seconds (by `timer`) it starts no new feed:
    the feeds left are reported as skipped, their stored state untouched, and read next run.

    Closed theses are left out: their news stops at their close, so nothing new is fetched for
    them or linked to their assumptions.
    """
    progress = progress or NullProgress()
    report = StageReport("news")
    theses = [t for t in theses if t.closed is None]
    specs = feeds_for(theses, thesis_paths, settings)
    with transaction(engine) as s:
        state = {f.url: (f.etag, f.last_modified) for f in s.query(Feed).filter(Feed.url.in_([sp.key for sp in specs])).all()} if specs else {}
    own = client is None
    client = client or make_client(allow_private=settings.allow_private_feeds)
    began, started, budget_lock = timer(), [0], threading.Lock()
    skipped = budget_spent(settings.news_budget, "TRACKER_NEWS_BUDGET")

    def work(spec: FeedSpec) -> tuple[FeedSpec, Fetched]:
        with budget_lock:  # the first feed always starts, so every run makes progress
            if started[0] and timer() - began > settings.news_budget:
                return spec, Fetched(None, error=skipped, skipped=True)
            started[0] += 1
        etag, modified = state.get(spec.key, (None, None))
        try:
            return spec, fetch(spec, client, etag=etag, last_modified=modified, sec_user_agent=settings.sec_user_agent,
                               local_dirs=settings.local_feed_dirs)
        except Exception as exc:  # never let one feed's surprise stop the others
            log.exception("fetching feed %s failed", spec.key)
            return spec, Fetched(None, error=f"{type(exc).__name__}: {exc}")

    vocabulary = Vocabulary.of(theses)
    workers = process_workers if process_workers is not None else (PARSE_PROCESSES if len(specs) >= PROCESS_POOL_MIN_FEEDS else 0)
    processes = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) if workers else None

    def parse(spec: FeedSpec, got: Fetched):
        """Start parsing and analysing (in a worker process when there are many feeds)."""
        if got.body is None or got.error:
            return None
        with transaction(engine) as s:
            known = frozenset(stored_uids(s, spec.key))
        if processes is not None:
            return processes.submit(parse_and_analyse, got.body, got.headers, clock(), vocabulary, known)
        return partial(parse_and_analyse, got.body, got.headers, clock(), vocabulary, known)

    def result(got: Fetched, pending) -> tuple[ParsedFeed | None, list[Analysed]]:
        if pending is None:
            return None, []
        try:
            return pending.result() if isinstance(pending, Future) else pending()
        except Exception as exc:  # a parser crash on hostile bytes is this feed's failure only
            log.exception("parsing a feed failed")
            got.error = f"{type(exc).__name__}: {exc}"
            return None, []

    progress.start("news", len(specs))
    try:
        with ThreadPoolExecutor(max_workers=MAX_CONCURRENT_FEEDS, thread_name_prefix="feed") as pool:
            # threads only wait on the network; parsing and scoring run in worker processes (or
            # inline for a few feeds) while this thread stores, one feed per transaction
            fetched = [(spec, got, parse(spec, got)) for spec, got in pool.map(work, specs)]
        for spec, got, pending in fetched:
            if got.skipped:
                report.fail("feed", spec.key, got.error or skipped)
                report.add("feeds_skipped")
                report.lines.append(f"{spec.key}: {got.error}")
                progress.advance(spec.key[-60:])
                continue
            parsed, analysed = result(got, pending)
            try:
                ingest(engine, spec, got, parsed, analysed, report, clock())
            except Exception as exc:  # one bad feed never stops the others
                log.exception("storing feed %s failed", spec.key)
                report.fail("feed", spec.key, f"{type(exc).__name__}: {exc}")
            progress.advance(spec.key[-60:])
    finally:
        if processes is not None:
            processes.shutdown(cancel_futures=True)
        if own:
            client.close()
        progress.finish()
    return report
