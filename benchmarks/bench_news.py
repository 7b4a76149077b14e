"""News: ingest 10,000 articles from local feed files, as a multiple of feedparser's own parse
time of the same files, and a second ingest of the same feeds (adds nothing, should be faster)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import sys
import tempfile
from email.utils import format_datetime
from pathlib import Path

import feedparser
from common import figure, machine, timed
from sqlalchemy import func, select

from tracker.news.stage import refresh_news
from tracker.settings import load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import Article
from tracker.validation import parse_thesis_text

FILES, PER_FILE = 20, 500
WORDS = ["Cloudflare", "Datadog", "outage", "guidance", "beats", "estimates", "DeepSeek", "price cut", "demand", "record", "AI Gateway", "slows"]


def write_feeds(folder: Path) -> list[Path]:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    paths = []
    for f in range(FILES):
        items = []
        for i in range(PER_FILE):
            n = f * PER_FILE + i
            words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(6))
            when = format_datetime(start + dt.timedelta(minutes=37 * n))
            items.append(f"<item><title>Story {n}: {words}</title><link>https://example.com/s/{n}</link><guid>g-{n}</guid>"
                         f"<pubDate>{when}</pubDate><description>&lt;p&gt;Body of story {n} about {words}.&lt;/p&gt;</description></item>")
        path = folder / f"feed{f}.xml"
        path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{f}</title>{"".join(items)}</channel></rss>')
        paths.append(path)
    return paths


def main() -> int:
    print(f"# news benchmark on {machine()}")
    ok = True
    t: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_feeds(folder)
        bodies = [p.read_bytes() for p in paths]
        with timed(t, "parse"):
            for b in bodies:
                feedparser.parse(io.BytesIO(b), response_headers={"content-type": "application/rss+xml"})
        feeds = "\n".join(f"  - {p}" for p in paths)
        thesis = parse_thesis_text(
            "title: N\nopened: 2026-01-01\npositions:\n  - {ticker: NET, name: Cloudflare, aliases: [AI Gateway], weight: 50%, horizon: 1y}\n"
            "  - {ticker: DDOG, name: Datadog, weight: 50%, horizon: 1y}\nassumptions:\n  - {id: a, statement: s, falsified_if: f, keywords: [outage, DeepSeek]}\n"
            f"feeds:\n{feeds}\n", "n.yaml", "n")
        engine = open_database(f"sqlite:///{tmp}/news.db")
        settings = dataclasses.replace(load_settings({}), default_feeds=())
        with timed(t, "first"):
            first = refresh_news(engine, [thesis], {"n": folder / "n.yaml"}, settings)
        with timed(t, "second"):
            second = refresh_news(engine, [thesis], {"n": folder / "n.yaml"}, settings)
        with transaction(engine) as s:
            stored = s.scalar(select(func.count()).select_from(Article))
        n = FILES * PER_FILE
        ok &= figure("articles in the feeds", f"{n:,}")
        ok &= figure("feedparser parse time of the same files", f"{t['parse']:.2f} s")
        ok &= figure("first ingest (parse, sanitise, score, link, store)", f"{t['first']:.2f} s")
        ok &= figure("first ingest / feedparser parse time", f"{t['first'] / t['parse']:.2f}×", "< 2×", t["first"] / t["parse"] < 2)
        ok &= figure("articles stored after first ingest", f"{stored:,}", f"{n:,}", stored == n == first.counts.get("articles_new"))
        ok &= figure("second ingest: new articles", f"{second.counts.get('articles_new', 0)}", "0", second.counts.get("articles_new", 0) == 0)
        ok &= figure("second ingest time / first ingest time", f"{t['second'] / t['first']:.0%}", "< 100%", t["second"] < t["first"])
    print(f"summary: news benchmark {'meets' if ok else 'MISSES'} its goals")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
