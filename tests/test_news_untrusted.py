"""Untrusted feed text: titles capped and bidi controls stripped at ingest, every field escaped at render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from tests.support.seed import seed
from tracker.news.parse import TITLE_CHARS, parse_feed
from tracker.news.sanitize import BIDI_CONTROLS, strip_bidi, to_text
from tracker.pipeline.refresh import run_refresh
from tracker.settings import load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import Article

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
HOSTILE_PUBLISHER = "**Bold** $x^2$ https://evil.example/[a](https://evil.example) ~~x~~ <i>y</i>"
NOW = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)


def hostile_feed(title: str, publisher: str = HOSTILE_PUBLISHER) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Feed {BIDI}</title><link>https://example.com/</link><description>d</description>
<item><title>{title}</title><link>https://example.com/a</link><guid>g-1</guid>
<source url="https://example.com/src">{publisher.replace("<", "&lt;").replace(">", "&gt;")}</source>
<description>Summary \u202egnp.exe{BIDI} text</description><pubDate>Tue, 30 Jun 2026 10:00:00 GMT</pubDate></item>
</channel></rss>""".encode()


def test_bidi_controls_are_stripped_from_all_feed_text():
    assert strip_bidi(f"a{BIDI}b") == "ab"
    assert to_text(f"<b>in\u202evoice</b>{BIDI}") == "invoice"
    parsed = parse_feed(hostile_feed("Good\u202e news\u2066 today\u200f"), {"content-type": "application/rss+xml"}, NOW)
    (entry,) = parsed.entries
    assert entry.title == "Good news today"
    assert not BIDI_CONTROLS.search(entry.summary_text + entry.summary_html + (entry.publisher or "") + (parsed.title or ""))


def test_titles_are_capped_at_500_characters():
    parsed = parse_feed(hostile_feed("A" * 1_000_000), {"content-type": "application/rss+xml"}, NOW)
    (entry,) = parsed.entries
    assert len(entry.title) == TITLE_CHARS == 500
    assert entry.publisher == HOSTILE_PUBLISHER.replace("<i>y</i>", "y")  # plain text as written, escaped where shown


def test_a_refresh_stores_the_capped_title_without_bidi_controls(tmp_path, monkeypatch):
    env = seed(tmp_path, broken=False, refresh=False)
    (Path(env["TRACKER_THESES_DIR"]) / "feeds" / "news.rss.xml").write_bytes(hostile_feed("\u202e" + "B" * 600_000))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    run_refresh(load_settings(), trigger="test")
    with transaction(open_database(env["TRACKER_DB_URL"])) as s:
        titles = s.scalars(select(Article.title)).all()
    assert titles == ["B" * 500]


def _render(items):
    from tracker.ui.components import article_list

    article_list(items)


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_every_feed_field_is_escaped_where_the_article_list_renders_it():
    item = {
        "title": "**Huge** [click](https://evil.example) $\\frac{1}{2}$",
        "link": "https://example.com/a",
        "tickers": {},
        "feeds": 1,
        "published_at": NOW,
        "published_estimated": False,
        "publisher": HOSTILE_PUBLISHER,
        "label": "neutral",
        "sentiment": 0.0,
        "is_sample": False,
        "summary_text": "**not bold** [x](https://evil.example)",
    }
    at = AppTest.from_function(_render, kwargs={"items": [item]}, default_timeout=30)
    at.run()
    assert not at.exception
    (title,) = [m.value for m in at.markdown]
    (caption,) = [c.value for c in at.caption]
    assert title.startswith("**[\\*\\*Huge\\*\\* \\[click\\]\\(https\\:") and title.endswith("](https://example.com/a)**")
    # no markdown, KaTeX or auto-link can act on the publisher's name: each such character is escaped
    assert "\\*\\*Bold\\*\\* \\$x^2\\$ https\\://evil\\.example/\\[a\\]\\(https\\://evil\\.example\\) \\~\\~x\\~\\~ \\<i\\>y\\</i\\>" in caption
    assert at.text[0].value.startswith("**not bold**")  # summaries go out as plain text (st.text), never markdown
