"""Which tickers and assumptions an article is about, and the words that say so (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# Symbols that are also everyday words: a bare `NET` in a headline ("net income") is not enough;
# `$NET`, `(NET)`, `NYSE: NET`, or the company name is.
AMBIGUOUS_SYMBOLS = {
    "A", "ALL", "AN", "ARE", "AT", "BE", "BIG", "CAN", "CAR", "DO", "EAT", "FOR", "FUN", "GO", "HAS", "HE", "IT",
    "KEY", "LOW", "MAN", "ME", "NET", "NEW", "NOW", "NO", "OK", "ON", "ONE", "OUT", "PLAY", "RUN", "SEE", "SO",
    "TV", "TWO", "UP", "US", "WELL", "YOU", "AI", "EV", "ANY", "REAL", "TRUE", "BOX", "OPEN", "LIFE", "CASH", "FAST",
}


@dataclass(frozen=True)
class TickerTerms:
    ticker: str
    names: tuple[str, ...]  # name and aliases


@lru_cache(maxsize=4096)
def _phrase_regex(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase.strip()) + r"(?!\w)", re.I)


def matches_phrases(text: str, phrases: Sequence[str]) -> list[str]:
    """The phrases (case-insensitive, whole words) that occur in `text`, in the given order."""
    return [p for p in phrases if p.strip() and _phrase_regex(p).search(text)]


def ticker_matches(text: str, terms: TickerTerms) -> list[str]:
    """Terms by which `text` mentions the ticker: `$SYM`, the bare symbol where unambiguous, names."""
    found: list[str] = []
    sym = re.escape(terms.ticker)
    if re.search(r"\$" + sym + r"(?![\w.\-])", text):
        found.append(f"${terms.ticker}")
    exchange = re.search(r"(?:\(|\b(?:NYSE|NASDAQ|Nasdaq|NYSE American)\s*:\s*)" + sym + r"(?![\w.\-])", text)
    bare = re.search(r"(?<![\w$.\-])" + sym + r"(?![\w.\-])", text)
    if exchange or (bare and terms.ticker not in AMBIGUOUS_SYMBOLS and len(terms.ticker) > 1):
        found.append(terms.ticker)
    found.extend(matches_phrases(text, terms.names))
    return found


def link_tickers(text: str, universe: Iterable[TickerTerms]) -> dict[str, list[str]]:
    """Ticker → matched terms, for every ticker the text mentions."""
    out = {}
    for terms in universe:
        hits = ticker_matches(text, terms)
        if hits:
            out[terms.ticker] = hits
    return out


def link_assumptions(text: str, keywords: dict[tuple[str, str], Sequence[str]]) -> dict[tuple[str, str], list[str]]:
    """(thesis id, assumption id) → matched keywords."""
    out = {}
    for key, words in keywords.items():
        hits = matches_phrases(text, words)
        if hits:
            out[key] = hits
    return out
