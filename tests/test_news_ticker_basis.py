"""Per-ticker sentiment: the whole article when its title is about the company, else the
sentences naming it; the basis and the article's cues are stored and shown on the news page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from tests.support.seed import seed
from tracker.news.analyse import WHOLE_ARTICLE, Vocabulary, analyse
from tracker.news.parse import Entry
from tracker.news.stage import refresh_news
from tracker.news.store import articles_for
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import Article, ArticleTicker
from tracker.ui.components import sentiment_text, ticker_text
from tracker.validation import parse_thesis_text

ROOT = Path(__file__).resolve().parent.parent
THESIS = """
title: Basis
opened: 2026-06-11
positions:
  - {ticker: NET, name: Cloudflare, aliases: [AI Gateway], weight: 50%, horizon: 540d}
  - {ticker: DDOG, name: Datadog, weight: 50%, horizon: 540d}
assumptions:
  - {id: a, statement: s, falsified_if: f}
feeds: []
"""
WHEN = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)


def thesis(feeds: str = "[]"):
    return parse_thesis_text(THESIS.replace("feeds: []", f"feeds: {feeds}"), "t.yaml", "t")


def entry(title: str, body: str) -> Entry:
    return Entry(f"u-{hash((title, body))}", None, title, None, None, body, body, WHEN, False)


VOCAB = Vocabulary.of([thesis()])


@pytest.mark.parametrize(
    "title, body, ticker, sign, basis",
    [
        # the title names the company (by name, alias or symbol): the whole article counts
        ("Cloudflare's AI Gateway adoption accelerates", "Customers doubled their usage. Bookings hit a record.", "NET", 1, WHOLE_ARTICLE),
        ("AI Gateway traffic soars", "Usage rose sharply in the quarter.", "NET", 1, WHOLE_ARTICLE),
        ("Datadog cuts its outlook", "Spending is slowing. Cloudflare was mentioned once.", "DDOG", -1, WHOLE_ARTICLE),
        # not in the title: the sentences that name it
        ("Cloud stocks mixed", "Cloudflare rallies after record bookings. Datadog slips on weak guidance.", "NET", 1, "1 sentence naming NET"),
        ("Cloud stocks mixed", "Cloudflare rallies after record bookings. Datadog slips on weak guidance.", "DDOG", -1, "1 sentence naming DDOG"),
        ("Software roundup", "Datadog beats estimates. Datadog raises guidance. Markets were calm.", "DDOG", 1, "2 sentences naming DDOG"),
        # "Net" in a title is a word, not the symbol: Cloudflare is judged on its own sentence
        ("Net income rises at Datadog", "Cloudflare shares slip 4% after a downgrade.", "NET", -1, "1 sentence naming NET"),
    ],
)
def test_ticker_score_and_basis(title, body, ticker, sign, basis):
    got = analyse(entry(title, body), VOCAB)
    link = got.tickers[ticker]
    assert link.basis == basis
    assert link.score * sign > 0, (link, got.why)
    if basis == WHOLE_ARTICLE:
        assert link.score == got.score


def test_a_bullish_article_about_the_company_is_bullish_for_its_ticker():
    """The case that scored +0.00 when only sentences naming the symbol counted."""
    got = analyse(entry("Cloudflare wins record AI inference contract", "The deal expands its edge network. Shares climbed 6%."), VOCAB)
    assert got.tickers["NET"].score >= 0.35 and got.tickers["NET"].basis == WHOLE_ARTICLE
    assert got.why and got.label == "bullish"


def test_refresh_stores_the_basis_and_the_cues(sqlite_engine, tmp_path):
    feed = tmp_path / "f.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>'
        "<item><title>Cloud stocks mixed</title><guid>g1</guid><pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate>"
        "<description>Cloudflare rallies after record bookings. Datadog slips on weak guidance.</description></item>"
        "<item><title>Datadog beats estimates and raises guidance</title><guid>g2</guid><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>"
        "<description>A strong quarter.</description></item></channel></rss>"
    )
    settings = dataclasses.replace(load_settings({}), default_feeds=())
    report = refresh_news(sqlite_engine, [thesis(f'["{feed}"]')], {"t": tmp_path / "t.yaml"}, settings)
    assert report.ok
    with transaction(sqlite_engine) as s:
        links = {(a.title, t.ticker): t.sentiment_basis for t, a in s.execute(select(ArticleTicker, Article).join(Article))}
        why = dict(s.execute(select(Article.title, Article.sentiment_why)).all())
        shown = articles_for(s, tickers=["NET", "DDOG"])
    assert links == {
        ("Cloud stocks mixed", "NET"): "1 sentence naming NET",
        ("Cloud stocks mixed", "DDOG"): "1 sentence naming DDOG",
        ("Datadog beats estimates and raises guidance", "DDOG"): WHOLE_ARTICLE,
    }
    assert why["Datadog beats estimates and raises guidance"].startswith("beats")
    beat = next(a for a in shown if a["title"].startswith("Datadog"))
    assert beat["basis"] == {"DDOG": WHOLE_ARTICLE} and "raises guidance" in beat["why"]


@pytest.fixture
def seeded(tmp_path, monkeypatch):
    st.cache_data.clear()
    st.cache_resource.clear()
    env = seed(tmp_path)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("TRACKER_SAMPLE_FEEDS", raising=False)
    monkeypatch.chdir(ROOT)
    yield env
    st.cache_data.clear()
    st.cache_resource.clear()


def test_news_page_shows_each_score_with_its_reason_and_basis(seeded):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("tracker/ui/views/news.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption if "·" in c.value]
    assert captions
    # "bearish -0.85: downgrade, shares slide · tickers: AAA -0.85 (whole article)"
    assert all(re.search(r"[+-]\d\.\d\d: [a-z]", c) for c in captions), captions
    assert all(re.search(r"tickers: [A-Z.]+ [+-]\d\.\d\d \((whole article|\d sentences? naming [A-Z.]+)\)", c) for c in captions), captions


@pytest.mark.parametrize(
    "label, value, why, shown",
    [("bullish", 0.62, "beats, raises guidance", "bullish +0.62: beats, raises guidance"),
     ("somewhat_bearish", -0.2, "costs rise", "somewhat bearish -0.20: costs rise"),
     ("neutral", 0.0, "", "neutral +0.00"),  # stored before the reasons were kept
     ("neutral", 0.0, None, "neutral +0.00")],
)
def test_sentiment_text(label, value, why, shown):
    assert sentiment_text(label, value, why) == shown


@pytest.mark.parametrize(
    "ticker, value, basis, shown",
    [("NET", 0.41, "whole article", "NET +0.41 (whole article)"),
     ("DDOG", -0.3, "1 sentence naming DDOG", "DDOG -0.30 (1 sentence naming DDOG)"),
     ("NET", 0.1, "", "NET +0.10")],
)
def test_ticker_text(ticker, value, basis, shown):
    assert ticker_text(ticker, value, basis) == shown
