"""Turning feed bytes into clean entries with feedparser (never given a URL or a path)."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import feedparser

from tracker.news.sanitize import clean_html, escape_markdown, safe_link, to_text

_GOOGLE_SUFFIX = re.compile(r"\s+-\s+[^-]{2,80}$")


@dataclass(frozen=True)
class Entry:
    uid: str
    title_key: str
    title: str  # plain text, markdown-escaped
    raw_title: str  # plain text, for matching and scoring
    link: str | None
    publisher: str | None
    summary_html: str
    summary_text: str
    published_at: dt.datetime
    published_estimated: bool


@dataclass
class ParsedFeed:
    title: str | None
    entries: list[Entry] = field(default_factory=list)
    warning: str | None = None  # bozo with entries: kept, but reported
    error: str | None = None  # bozo without entries: the fetch failed


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def _when(entry: feedparser.FeedParserDict, fetched_at: dt.datetime) -> tuple[dt.datetime, bool]:
    # published first: in feedparser 6, `updated_parsed` silently falls back to it anyway.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC), False
            except (OverflowError, ValueError, OSError):
                continue
    return fetched_at, True


def parse_feed(body: bytes, headers: dict[str, str] | None, fetched_at: dt.datetime) -> ParsedFeed:
    """Entries of a feed; a malformed feed keeps what parsed (`warning`) or fails (`error`)."""
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers or {}, sanitize_html=False, resolve_relative_uris=False)
    feed_title = to_text(parsed.feed.get("title")) or None
    host = urlsplit((headers or {}).get("content-location", "")).netloc.lower()
    entries: list[Entry] = []
    for e in parsed.entries:
        raw_title = to_text(e.get("title"))
        if host.endswith("news.google.com"):
            raw_title = _GOOGLE_SUFFIX.sub("", raw_title)
        link = safe_link(e.get("link"))
        summary = e.get("summary") or ""
        if not summary and e.get("content"):
            summary = e["content"][0].get("value", "")
        if not raw_title and not summary:
            continue
        published, estimated = _when(e, fetched_at)
        publisher = to_text((e.get("source") or {}).get("title")) or feed_title
        ident = e.get("id") or e.get("guid")
        if ident:
            uid = _digest("id", str(ident))
        elif link:
            uid = _digest("link", link)
        else:
            uid = _digest("title", normalise_title(raw_title), published.date().isoformat())
        entries.append(
            Entry(
                uid=uid,
                title_key=_digest(normalise_title(raw_title), published.date().isoformat()),
                title=escape_markdown(raw_title or "(untitled)"),
                raw_title=raw_title or "(untitled)",
                link=link,
                publisher=publisher,
                summary_html=clean_html(summary),
                summary_text=to_text(summary)[:5000],
                published_at=published,
                published_estimated=estimated,
            )
        )
    result = ParsedFeed(feed_title, entries)
    if parsed.get("bozo"):
        problem = f"malformed feed: {type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
        if entries:
            result.warning = problem
        else:
            result.error = problem
    elif not entries and not parsed.get("version"):
        result.error = "not a feed (no RSS or Atom content)"
    return result
