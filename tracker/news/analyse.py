"""Scoring and linking parsed entries (pure, picklable), so it can run in worker processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker.news import sentiment
from tracker.news.links import TickerTerms, link_assumptions, link_tickers, ticker_matches
from tracker.news.parse import Entry, ParsedFeed, parse_feed
from tracker.thesis.model import Thesis

AssumptionKey = tuple[str, str]


@dataclass(frozen=True)
class Vocabulary:
    """What links articles to the theses: tickers with their names, assumptions' keywords."""

    universe: tuple[TickerTerms, ...]
    keywords: dict[AssumptionKey, tuple[str, ...]]

    @staticmethod
    def of(theses: Sequence[Thesis]) -> Vocabulary:
        terms: dict[str, set[str]] = {}
        for thesis in theses:
            for pos in thesis.positions:
                names = terms.setdefault(pos.ticker, set())
                if pos.name:
                    names.add(pos.name)
                names.update(pos.aliases)
        keywords = {(t.id, a.id): tuple(a.keywords) for t in theses for a in t.assumptions if a.keywords}
        return Vocabulary(tuple(TickerTerms(t, tuple(sorted(n))) for t, n in sorted(terms.items())), keywords)


WHOLE_ARTICLE = "whole article"


@dataclass(frozen=True)
class TickerLink:
    """An article's link to a ticker: the terms that matched, the pair's score and what it was
    scored on (`basis`: "whole article", or e.g. "2 sentences naming NET")."""

    matched: list[str]
    score: float
    basis: str


@dataclass(frozen=True)
class Analysed:
    """An entry with its sentiment, the cues that weighed most (`why`) and its links."""

    entry: Entry
    score: float
    label: str
    tickers: dict[str, TickerLink] = field(default_factory=dict)
    assumptions: dict[AssumptionKey, list[str]] = field(default_factory=dict)
    why: str = ""


def ticker_link(title: str, body: str, terms: TickerTerms, matched: list[str], overall: float) -> TickerLink:
    """Score an article for one ticker.

    A title that names the ticker (symbol, `$SYM`, name or alias) says the article is about the
    company, so the whole article's score is the ticker's. Otherwise only the sentences that name
    it count ("Cloudflare rallies; Datadog slips" scores each on its own sentence); their mean.
    """
    if title and ticker_matches(title, terms):
        return TickerLink(matched, overall, WHOLE_ARTICLE)
    naming = [s for s in sentiment.sentences(body) if ticker_matches(s, terms)]
    if not naming:
        return TickerLink(matched, overall, WHOLE_ARTICLE)
    mean = sum(sentiment.score(s) for s in naming) / len(naming)
    count = f"{len(naming)} sentence{'s' if len(naming) > 1 else ''}"
    return TickerLink(matched, round(mean, 4), f"{count} naming {terms.ticker}")


def analyse(entry: Entry, vocabulary: Vocabulary) -> Analysed:
    explained = sentiment.article_explanation(entry.title, entry.summary_text)
    overall = explained.score
    text = f"{entry.title}. {entry.summary_text}" if entry.title else entry.summary_text
    by_ticker = {terms.ticker: terms for terms in vocabulary.universe}
    tickers = {
        t: ticker_link(entry.title, entry.summary_text, by_ticker[t], m, overall)
        for t, m in link_tickers(text, vocabulary.universe).items()
    }
    why = ", ".join(explained.top(3))
    return Analysed(entry, overall, sentiment.label(overall), tickers, link_assumptions(text, vocabulary.keywords), why)


def parse_and_analyse(
    body: bytes,
    headers: dict[str, str] | None,
    fetched_at: dt.datetime,
    vocabulary: Vocabulary,
    known: frozenset[str] = frozenset(),
) -> tuple[ParsedFeed, list[Analysed]]:
    """The CPU-bound part of reading a feed, as one call a worker process can run.

    Entries whose uid is in `known` (already stored from this feed) are parsed but not analysed.
    """
    parsed = parse_feed(body, headers, fetched_at)
    return parsed, [analyse(e, vocabulary) for e in parsed.entries if e.uid not in known]
