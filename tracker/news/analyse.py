"""Scoring and linking parsed entries (pure, picklable), so it can run in worker processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker.news import sentiment
from tracker.news.links import TickerTerms, link_assumptions, link_tickers
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


@dataclass(frozen=True)
class Analysed:
    """An entry with its sentiment and its links (ticker → matched terms and the pair's score)."""

    entry: Entry
    score: float
    label: str
    tickers: dict[str, tuple[list[str], float]] = field(default_factory=dict)
    assumptions: dict[AssumptionKey, list[str]] = field(default_factory=dict)


def _pair_score(text: str, matched: list[str], overall: float) -> float:
    """Sentiment of the sentences that mention the ticker; the article's score when none do."""
    words = [m.lstrip("$").lower() for m in matched]
    relevant = [s for s in sentiment.sentences(text) if any(w in s.lower() for w in words)]
    if not relevant:
        return overall
    return sum(sentiment.score(s) for s in relevant) / len(relevant)


def analyse(entry: Entry, vocabulary: Vocabulary) -> Analysed:
    overall = sentiment.article_score(entry.title, entry.summary_text)
    text = f"{entry.title}. {entry.summary_text}" if entry.title else entry.summary_text
    tickers = {t: (m, _pair_score(text, m, overall)) for t, m in link_tickers(text, vocabulary.universe).items()}
    return Analysed(entry, overall, sentiment.label(overall), tickers, link_assumptions(text, vocabulary.keywords))


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
