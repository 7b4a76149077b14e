"""The news stage: fetch feeds concurrently, keep new articles, score and link them."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import Engine, insert

from tracker.news import sentiment
from tracker.news.feeds import FeedSpec, feeds_for
from tracker.news.fetch import Fetched, fetch, make_client
from tracker.news.links import TickerTerms, link_assumptions, link_tickers
from tracker.news.parse import ParsedFeed, parse_feed
from tracker.news.store import article_row, feed_row, insert_articles, known_keys
from tracker.pipeline.progress import NullProgress, Progress
from tracker.pipeline.report import StageReport
from tracker.settings import Settings
from tracker.storage.db import transaction
from tracker.storage.tables import ArticleAssumption, ArticleTicker, Feed, utcnow
from tracker.thesis.model import Thesis

log = logging.getLogger(__name__)
MAX_CONCURRENT_FEEDS = 4


def _universe(theses: Sequence[Thesis]) -> list[TickerTerms]:
    terms: dict[str, set[str]] = {}
    for thesis in theses:
        for pos in thesis.positions:
            names = terms.setdefault(pos.ticker, set())
            if pos.name:
                names.add(pos.name)
            names.update(pos.aliases)
    return [TickerTerms(t, tuple(sorted(n))) for t, n in sorted(terms.items())]


def _pair_score(text: str, terms: TickerTerms, matched: list[str], overall: float) -> float:
    """Sentiment of the sentences that mention the ticker; the article's score when none do."""
    words = [m.lstrip("$") for m in matched]
    relevant = [s for s in sentiment.sentences(text) if any(w.lower() in s.lower() for w in words)]
    if not relevant:
        return overall
    return sum(sentiment.score(s) for s in relevant) / len(relevant)


def ingest(engine: Engine, spec: FeedSpec, fetched: Fetched, parsed: ParsedFeed | None, theses: Sequence[Thesis], report: StageReport) -> None:
    """Store one feed's outcome and its new articles in one transaction."""
    now = utcnow()
    universe = _universe(theses)
    keywords = {(t.id, a.id): a.keywords for t in theses for a in t.assumptions if a.keywords}
    with transaction(engine) as s:
        feed = feed_row(s, spec.url)
        feed.last_attempt_at = now
        feed.last_status = fetched.status
        error = fetched.error or (parsed.error if parsed else None)
        if error:
            feed.last_error = error
            feed.consecutive_failures += 1
            report.fail("feed", spec.url, error)
            report.lines.append(f"{spec.url}: FAILED — {error}")
            return
        feed.last_error = parsed.warning if parsed else None
        feed.consecutive_failures = 0
        feed.last_success_at = now
        if fetched.etag or fetched.last_modified:
            feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
        if fetched.not_modified or parsed is None:
            report.add("feeds_not_modified")
            report.lines.append(f"{spec.url}: not modified")
            return
        feed.title = parsed.title
        feed.entries_seen += len(parsed.entries)
        uids, keys = known_keys(s, parsed.entries)
        by_symbol = {t.ticker: t for t in universe}
        fresh = []
        for entry in parsed.entries:
            if entry.uid in uids or entry.title_key in keys:
                continue
            uids.add(entry.uid)
            keys.add(entry.title_key)
            overall = sentiment.article_score(entry.raw_title, entry.summary_text)
            fresh.append((entry, overall))
        ids = insert_articles(s, [article_row(e, feed.id, o, sentiment.label(o), spec.sample) for e, o in fresh])
        ticker_rows, assumption_rows = [], []
        for entry, overall in fresh:
            text = f"{entry.raw_title}. {entry.summary_text}"
            article_id = ids[entry.uid]
            for ticker, matched in link_tickers(text, universe).items():
                ticker_rows.append({"article_id": article_id, "ticker": ticker, "matched": matched, "published_at": entry.published_at,
                                    "sentiment": _pair_score(text, by_symbol[ticker], matched, overall)})
            for (thesis_id, assumption_id), matched in link_assumptions(text, keywords).items():
                assumption_rows.append({"article_id": article_id, "thesis_id": thesis_id, "assumption_id": assumption_id, "matched": matched, "published_at": entry.published_at})
        if ticker_rows:
            s.execute(insert(ArticleTicker), ticker_rows)
        if assumption_rows:
            s.execute(insert(ArticleAssumption), assumption_rows)
        new = len(fresh)
        report.add("feeds_ok")
        report.add("articles_new", new)
        warn = f" (warning: {parsed.warning})" if parsed.warning else ""
        report.lines.append(f"{spec.url}: {len(parsed.entries)} entries, {new} new{warn}")


def refresh_news(
    engine: Engine,
    theses: Sequence[Thesis],
    thesis_paths: Mapping[str, Path],
    settings: Settings,
    progress: Progress | None = None,
    *,
    client: httpx.Client | None = None,
) -> StageReport:
    """Read every feed once; one bad feed never stops the others."""
    progress = progress or NullProgress()
    report = StageReport("news")
    specs = feeds_for(theses, thesis_paths, settings)
    with transaction(engine) as s:
        state = {f.url: (f.etag, f.last_modified) for f in s.query(Feed).filter(Feed.url.in_([sp.url for sp in specs])).all()} if specs else {}
    own = client is None
    client = client or make_client()

    def work(spec: FeedSpec) -> tuple[FeedSpec, Fetched]:
        etag, modified = state.get(spec.url, (None, None))
        try:
            return spec, fetch(spec, client, etag=etag, last_modified=modified, sec_user_agent=settings.sec_user_agent)
        except Exception as exc:  # never let one feed's surprise stop the others
            log.exception("fetching feed %s failed", spec.url)
            return spec, Fetched(None, error=f"{type(exc).__name__}: {exc}")

    def parse(got: Fetched) -> ParsedFeed | None:
        if got.body is None or got.error:
            return None
        try:
            return parse_feed(got.body, got.headers, utcnow())
        except Exception as exc:  # a parser crash on hostile bytes is this feed's failure only
            log.exception("parsing a feed failed")
            got.error = f"{type(exc).__name__}: {exc}"
            return None

    progress.start("news", len(specs))
    try:
        with ThreadPoolExecutor(max_workers=MAX_CONCURRENT_FEEDS, thread_name_prefix="feed") as pool:
            # threads wait on the network; parsing and storing are CPU work, done here one feed
            # at a time so they do not fight the fetchers for the interpreter lock
            for spec, got in pool.map(work, specs):
                try:
                    ingest(engine, spec, got, parse(got), theses, report)
                except Exception as exc:  # one bad feed never stops the others
                    log.exception("storing feed %s failed", spec.url)
                    report.fail("feed", spec.url, f"{type(exc).__name__}: {exc}")
                progress.advance(spec.url[-60:])
    finally:
        if own:
            client.close()
        progress.finish()
    return report
