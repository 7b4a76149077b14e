"""Turning feed bytes into clean entries with feedparser (never given a URL or a path).

Identity, which decides what the news checks count (docs/news.md):

- `uid`: the entry's guid / Atom id, else its canonical link, else a hash of its title, summary
  and publisher. Never a date, so an undated entry keeps its uid from one refresh to the next.
- `title_key`: the normalised title and the day it was published, to merge copies of one story
  syndicated across feeds; only for titled entries with a real date (None otherwise).
- `published_at`: the entry's date when it has a believable one; else the fetch time, marked
  `published_estimated` (a date more than a day after the fetch, or before 1995, is not believed).

Encoding: a feed that declares none (no HTTP charset, no XML declaration, no BOM) and is not
UTF-8 is decoded with charset-normalizer's guess before feedparser sees it, because feedparser
would otherwise read it as windows-1252.
"""

from __future__ import annotations

import calendar
import codecs
import datetime as dt
import hashlib
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import charset_normalizer
import feedparser

from tracker.news.sanitize import clean_html, safe_link, to_text

_GOOGLE_SUFFIX = re.compile(r"\s+-\s+[^-]{2,80}$")
EARLIEST_DATE = dt.datetime(1995, 1, 1, tzinfo=dt.UTC)  # no web feed is older
FUTURE_SLACK = dt.timedelta(days=1)  # time zones and clock skew; beyond this a date is not believed
SUMMARY_CHARS = 5000
TITLE_CHARS = 500  # a title longer than this is cut: nothing longer is stored or sent to the browser
PUBLISHER_CHARS = 200


@dataclass(frozen=True)
class Entry:
    uid: str
    title_key: str | None  # None: untitled or undated, never merged by title
    title: str  # sanitised plain text, "" when the item has none (markdown-escaped only when rendered)
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
    encoding: str | None = None  # the guessed encoding of an undeclared, non-UTF-8 feed


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


def entry_uid(guid: str | None, link: str | None, title: str, summary_text: str, publisher: str | None) -> str:
    """guid / id, else the canonical link, else title + summary + publisher (never a date)."""
    if guid and guid.strip():
        return _digest("id", guid)
    if link:
        return _digest("link", link)
    return _digest("text", normalise_title(title), normalise_title(summary_text), normalise_title(publisher or ""))


def title_key(title: str, published_at: dt.datetime, estimated: bool) -> str | None:
    """The cross-feed key of a titled entry with a real date: same normalised title, same day."""
    normalised = normalise_title(title)
    if not normalised or estimated:
        return None
    return _digest(normalised, published_at.date().isoformat())


def believable(moment: dt.datetime, fetched_at: dt.datetime) -> bool:
    """Not before the web had feeds, not more than a day after it was fetched."""
    return EARLIEST_DATE <= moment <= fetched_at + FUTURE_SLACK


def _when(entry: feedparser.FeedParserDict, fetched_at: dt.datetime) -> tuple[dt.datetime, bool]:
    # published first: in feedparser 6, `updated_parsed` silently falls back to it anyway.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                moment = dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
            if believable(moment, fetched_at):
                return moment, False
    return fetched_at, True


_XML_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?\bencoding\s*=\s*[\"'][^\"']+[\"']")
_CHARSET = re.compile(r";\s*charset\s*=\s*[\"']?[^\s;\"']+", re.I)
# byte order marks, and `<?` or `<?xm` in UTF-16/32 and EBCDIC: feedparser finds the encoding itself
_SNIFFED = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE, b"\x00<\x00?", b"<\x00?\x00",
            b"\x00\x00\x00<", b"<\x00\x00\x00", b"\x4c\x6f\xa7\x94")


def declares_encoding(body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether the HTTP charset, a BOM (or UTF-16/32/EBCDIC bytes) or the XML declaration names the encoding."""
    if _CHARSET.search(headers.get("content-type", "")):
        return True
    return body.startswith(_SNIFFED) or bool(_XML_DECLARED.match(body[:1024]))


CHAOS_MARGIN = 0.02


def guess_encoding(body: bytes) -> charset_normalizer.CharsetMatch | None:
    """charset-normalizer's reading of the bytes. Single-byte Latin code pages decode Western text
    almost equally cleanly (French in cp1257 looks as clean as in windows-1252), so among the
    candidates about as clean as the best, the one whose text reads most like a language wins,
    and on a tie windows-1252, the web's most common single-byte encoding."""
    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return None
    close = [m for m in matches if m.chaos <= matches[0].chaos + CHAOS_MARGIN]
    return max(close, key=lambda m: (round(m.coherence, 3), m.encoding == "cp1252"))


def decode_undeclared(body: bytes, headers: Mapping[str, str]) -> tuple[bytes, dict[str, str], str | None]:
    """The body as UTF-8 when it declares no encoding and is not UTF-8 (ASCII included), with the
    encoding charset-normalizer guessed; otherwise the body and headers unchanged."""
    out = dict(headers)
    if declares_encoding(body, headers):
        return body, out, None
    try:
        body.decode("utf-8")
        return body, out, None  # XML's default
    except UnicodeDecodeError:
        pass
    best = guess_encoding(body)
    if best is None or best.encoding in ("utf_8", "ascii"):
        return body, out, None
    if "content-type" in out:
        out["content-type"] = out["content-type"].split(";")[0].strip() + "; charset=utf-8"
    return str(best).encode("utf-8"), out, best.encoding


def parse_feed(body: bytes, headers: dict[str, str] | None, fetched_at: dt.datetime) -> ParsedFeed:
    """Entries of a feed; a malformed feed keeps what parsed (`warning`) or fails (`error`)."""
    body, given, guessed = decode_undeclared(body, headers or {})
    parsed = feedparser.parse(io.BytesIO(body), response_headers=given, sanitize_html=False, resolve_relative_uris=False)
    feed_title = to_text(parsed.feed.get("title"))[:PUBLISHER_CHARS].strip() or None
    host = urlsplit(given.get("content-location", "")).netloc.lower()
    entries: list[Entry] = []
    for e in parsed.entries:
        title = to_text(e.get("title"))
        if host.endswith("news.google.com"):
            title = _GOOGLE_SUFFIX.sub("", title)
        title = title[:TITLE_CHARS].strip()
        link = safe_link(e.get("link"))
        summary = e.get("summary") or ""
        if not summary and e.get("content"):
            summary = e["content"][0].get("value", "")
        if not title and not summary:
            continue
        summary_text = to_text(summary)[:SUMMARY_CHARS]
        published, estimated = _when(e, fetched_at)
        publisher = (to_text((e.get("source") or {}).get("title")) or feed_title or "")[:PUBLISHER_CHARS].strip() or None
        guid = e.get("id") or e.get("guid")
        entries.append(
            Entry(
                uid=entry_uid(str(guid) if guid else None, link, title, summary_text, publisher),
                title_key=title_key(title, published, estimated),
                title=title,
                link=link,
                publisher=publisher,
                summary_html=clean_html(summary),
                summary_text=summary_text,
                published_at=published,
                published_estimated=estimated,
            )
        )
    result = ParsedFeed(feed_title, entries, encoding=guessed)
    if parsed.get("bozo"):
        problem = f"malformed feed: {type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
        if entries:
            result.warning = problem
        else:
            result.error = problem
    elif not entries and not parsed.get("version"):
        result.error = "not a feed (no RSS or Atom content)"
    return result
