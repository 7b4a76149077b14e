"""Linking text to tickers and assumptions (pure)."""

from __future__ import annotations

import pytest

from tracker.news.links import TickerTerms, link_assumptions, matches_phrases, ticker_matches

NET = TickerTerms("NET", ("AI Gateway", "Cloudflare"))
DDOG = TickerTerms("DDOG", ("Datadog",))
ASML = TickerTerms("ASML.AS", ("ASML",))


@pytest.mark.parametrize(
    "text, terms, expected",
    [
        ("Buying $NET today", NET, ["$NET"]),
        ("Net income rose", NET, []),
        ("NET INCOME ROSE", NET, []),  # ambiguous bare symbol
        ("Cloudflare (NET) gains", NET, ["NET", "Cloudflare"]),
        ("NYSE: NET closes higher", NET, ["NET"]),
        ("cloudflare's ai gateway", NET, ["AI Gateway", "Cloudflare"]),
        ("Cloudflareish is not a company", NET, []),
        ("DDOG rallies", DDOG, ["DDOG"]),
        ("DDOGX is a different fund", DDOG, []),
        ("ASML.AS rises; ASML ships", ASML, ["ASML.AS", "ASML"]),
    ],
)
def test_ticker_matches(text, terms, expected):
    assert ticker_matches(text, terms) == expected


@pytest.mark.parametrize(
    "text, phrases, expected",
    [
        ("DeepSeek outage reported", ["DeepSeek outage", "price cut"], ["DeepSeek outage"]),
        ("deepseek OUTAGE", ["DeepSeek outage"], ["DeepSeek outage"]),
        ("outages everywhere", ["outage"], []),  # whole words only
        ("A price cut.", ["price cut"], ["price cut"]),
        ("", ["x"], []),
    ],
)
def test_matches_phrases(text, phrases, expected):
    assert matches_phrases(text, phrases) == expected


def test_link_assumptions_keeps_matched_keywords():
    got = link_assumptions("Azure Foundry goes free", {("t", "a"): ["Azure Foundry", "Bedrock"], ("t", "b"): ["outage"]})
    assert got == {("t", "a"): ["Azure Foundry"]}
