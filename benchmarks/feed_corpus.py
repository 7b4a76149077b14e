"""Ingest feedparser's own test corpus through the project's news path, on two simulated days.

    python benchmarks/feed_corpus.py PATH/TO/feedparser/tests [--db sqlite:///corpus.db]

PATH is the `tests` folder of a feedparser source tree (its public repository, or the sdist:
`pip download feedparser --no-binary :all: --no-deps`); the corpus is not part of this project.
Every file of `wellformed`, `illformed`, `encoding` and `entities` is read as a local feed file,
with the HTTP headers its leading comment names (`Header:`, as feedparser's harness sends them),
through the stage's own functions (fetch, parse, sanitise, score, link, store; one feed per
transaction) on day 1, then all again on day 2. Reported: feeds ok / with warnings / failed,
articles stored, exceptions raised by the ingestion (goal: none), articles new on day 2 and
stored content twice (goal: none), untitled entries against untitled articles, and the files
whose undeclared encoding was guessed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import tempfile
import traceback
from collections import Counter
from pathlib import Path

from common import figure, machine
from sqlalchemy import func, select

from tracker.news.analyse import Vocabulary, parse_and_analyse
from tracker.news.feeds import FeedSpec
from tracker.news.fetch import fetch, make_client
from tracker.news.stage import ingest
from tracker.news.store import stored_uids
from tracker.reporting.report import StageReport
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import Article
from tracker.validation import parse_thesis_text

FOLDERS = ("wellformed", "illformed", "encoding", "entities")
DAY1 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
THESIS = parse_thesis_text(
    "title: Corpus\nopened: 2026-01-01\npositions:\n  - {ticker: NET, name: Cloudflare, weight: 50%, horizon: 1y}\n"
    "  - {ticker: DDOG, name: Datadog, weight: 50%, horizon: 1y}\n"
    "assumptions:\n  - {id: a, statement: s, falsified_if: f, keywords: [outage, feed, entry, title]}\n",
    "corpus.yaml", "corpus")


def harness_headers(body: bytes) -> dict[str, str]:
    """The HTTP headers a corpus file asks its test harness to send (`Header: Content-type: …` in its
    leading comment), as if the file had been fetched over HTTP with them."""
    head = body[:2000].decode("latin-1")
    found = re.findall(r"^Header:\s*([\w-]+):\s*(.+?)\s*$", head.split("-->")[0], re.M) if head.startswith("<!--") else []
    return {k.lower(): v for k, v in found}


def run_day(engine, files: list[Path], now: dt.datetime, vocabulary: Vocabulary) -> dict[str, object]:
    report = StageReport("news")
    outcome: Counter[str] = Counter()
    errors: list[tuple[Path, str]] = []
    guessed: list[tuple[Path, str, str]] = []
    untitled_entries = 0
    client = make_client()
    try:
        for path in files:
            spec = FeedSpec(path.as_uri(), path=path)
            try:
                got = fetch(spec, client, etag=None, last_modified=None, sec_user_agent="corpus run")
                if got.headers is not None:
                    got.headers |= harness_headers(got.body or b"")
                parsed, analysed = None, []
                if got.body is not None and not got.error:
                    with transaction(engine) as s:
                        known = frozenset(stored_uids(s, spec.url))
                    parsed, analysed = parse_and_analyse(got.body, got.headers, now, vocabulary, known)
                ingest(engine, spec, got, parsed, analysed, report, now)
            except Exception:  # what the stage would have logged and reported as this feed's failure
                errors.append((path, traceback.format_exc(limit=-3)))
                continue
            if parsed is None or parsed.error:
                outcome["failed"] += 1
            elif parsed.warning:
                outcome["warning"] += 1
            else:
                outcome["ok"] += 1
            if parsed is not None:
                untitled_entries += sum(1 for e in parsed.entries if not e.title)
                if parsed.encoding:
                    guessed.append((path, parsed.encoding, (parsed.entries[0].title or parsed.entries[0].summary_text)[:50] if parsed.entries else ""))
    finally:
        client.close()
    return {"outcome": outcome, "errors": errors, "new": report.counts.get("articles_new", 0), "guessed": guessed,
            "untitled_entries": untitled_entries}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tests", type=Path, help="the tests folder of a feedparser source tree")
    ap.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    args = ap.parse_args()
    files = sorted(p for folder in FOLDERS for p in (args.tests / folder).rglob("*.xml"))
    if not files:
        raise SystemExit(f"no feed files under {args.tests}/{{{','.join(FOLDERS)}}}")
    print(f"# feedparser corpus on {machine()}: {len(files)} files")
    vocabulary = Vocabulary.of([THESIS])
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(args.db or f"sqlite:///{tmp}/corpus.db")
        day1 = run_day(engine, files, DAY1, vocabulary)
        with transaction(engine) as s:
            after1 = s.scalar(select(func.count()).select_from(Article))
        day2 = run_day(engine, files, DAY1 + dt.timedelta(days=1), vocabulary)
        with transaction(engine) as s:
            after2 = s.scalar(select(func.count()).select_from(Article))
            twice = s.execute(
                select(func.count()).select_from(
                    select(Article.feed_id, Article.title, Article.summary_text, Article.link)
                    .group_by(Article.feed_id, Article.title, Article.summary_text, Article.link)
                    .having(func.count() > 1)
                    .subquery()
                )
            ).scalar_one()
            untitled = s.scalar(select(func.count()).select_from(Article).where(Article.title == ""))
            untitled_summaries = s.scalar(select(func.count(func.distinct(Article.summary_text))).where(Article.title == ""))
            estimated = s.scalar(select(func.count()).select_from(Article).where(Article.published_estimated.is_(True)))
            latest = s.scalar(select(func.max(Article.published_at)))
        engine.dispose()
    out = day1["outcome"]
    ok = True
    ok &= figure("feeds ok / with warnings / failed (day 1)", f"{out['ok']} / {out['warning']} / {out['failed']}")
    ok &= figure("exceptions raised by the ingestion, day 1 + day 2", f"{len(day1['errors']) + len(day2['errors'])}", "0",
                 not day1["errors"] and not day2["errors"])
    ok &= figure("articles stored after day 1", f"{after1:,}")
    ok &= figure("articles new on day 2", f"{day2['new']}", "0", day2["new"] == 0 and after2 == after1)
    ok &= figure("same feed, title, summary and link stored twice", f"{twice}", "0", twice == 0)
    ok &= figure("untitled entries read (day 1) → untitled articles", f"{day1['untitled_entries']} → {untitled}")
    ok &= figure("distinct summaries among untitled articles", f"{untitled_summaries}")
    ok &= figure("articles with an estimated date", f"{estimated}")
    ok &= figure("latest published date stored", f"{latest:%Y-%m-%d}" if latest else "-", f"≤ {DAY1 + dt.timedelta(days=2):%Y-%m-%d}",
                 latest is None or latest <= DAY1 + dt.timedelta(days=2))
    ok &= figure("files whose undeclared encoding was guessed", f"{len(day1['guessed'])}")
    for path, encoding, text in day1["guessed"]:
        print(f"    {path.relative_to(args.tests)}: {encoding}: {text}")
    for path, error in (day1["errors"] + day2["errors"])[:20]:
        print(f"!! {path.relative_to(args.tests)}\n{error}")
    print(f"summary: feed corpus run {'meets' if ok else 'MISSES'} its goals")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
