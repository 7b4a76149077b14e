"""The headline scorer used before the finance lexicon of tracker/news/lexicon.py, kept frozen here
so benchmarks/bench_sentiment.py can show it beside the current one.

Offline sentiment: VADER (its lexicon ships inside the package) with finance wording on top.

VADER scores general English; headlines need finance terms ("beats estimates", "cuts guidance",
"downgrade", "outage"). Multi-word phrases are rewritten into single marker tokens that the
extended lexicon knows, then VADER's compound score in [-1, 1] is the article's score.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

LABELS = ("bearish", "somewhat_bearish", "neutral", "somewhat_bullish", "bullish")

# Single words (lower case) and their valence on VADER's -4..4 scale.
FINANCE_WORDS: dict[str, float] = {
    "beat": 1.8, "beats": 2.0, "tops": 1.5, "topped": 1.5, "outperform": 2.0, "outperforms": 2.0,
    "upgrade": 2.0, "upgraded": 2.0, "upgrades": 2.0, "downgrade": -2.2, "downgraded": -2.2, "downgrades": -2.2,
    "miss": -1.8, "misses": -2.0, "missed": -2.0, "underperform": -2.0, "underperforms": -2.0,
    "surge": 2.2, "surges": 2.2, "soar": 2.4, "soars": 2.4, "jumps": 1.8, "rally": 1.8, "rallies": 1.8, "climbs": 1.4, "rises": 1.0, "gains": 1.4,
    "plunge": -2.6, "plunges": -2.6, "tumble": -2.3, "tumbles": -2.3, "slump": -2.2, "slumps": -2.2, "sinks": -2.0, "falls": -1.3, "drops": -1.3, "slides": -1.5,
    "outage": -2.4, "outages": -2.4, "downtime": -2.0, "breach": -2.4, "lawsuit": -1.8, "probe": -1.4, "layoffs": -1.8, "recall": -1.6,
    "bullish": 2.5, "bearish": -2.5, "record": 1.2, "growth": 1.2, "accelerates": 1.6, "accelerating": 1.6, "decelerates": -1.6, "slowdown": -1.8,
    "profitable": 1.8, "unprofitable": -1.8, "loss": -1.4, "losses": -1.4, "writedown": -2.0, "impairment": -1.8,
    "delay": -1.4, "delays": -1.4, "delayed": -1.4, "pause": -1.0, "halts": -1.8, "bankruptcy": -3.0, "default": -2.0,
    "slower": -1.2, "slows": -1.2, "slowing": -1.2, "weaker": -1.5, "lowered": -1.2, "cuts": -0.8, "beneficial": 0.0,
    "wins": 1.8, "expands": 1.2, "expansion": 1.2, "partnership": 1.0, "selected": 1.0, "adopts": 1.2, "switches": 0.3,
}

# Phrases rewritten into marker tokens (regex → token, token valence).
FINANCE_PHRASES: list[tuple[str, str, float]] = [
    (r"\b(raises|raised|raise|lifts|lifted|boosts|boosted) (its |the )?([\w-]+ ){0,3}(guidance|outlook|forecast)\b", "xguidanceup", 2.6),
    (r"\b(guidance|outlook|forecast) (raised|lifted|boosted)\b", "xguidanceup", 2.6),
    (r"\b(cuts|cut|lowers|lowered|slashes|slashed|trims|trimmed) (its |the )?([\w-]+ ){0,3}(guidance|outlook|forecast)\b", "xguidancedown", -2.6),
    (r"\b(guidance|outlook|forecast) (cut|lowered|slashed|trimmed)\b", "xguidancedown", -2.6),
    (r"\b(beats?|tops?|topped|exceeds?|exceeded) (analyst |wall street |consensus )?(estimates|expectations|forecasts)\b", "xbeatsest", 2.6),
    (r"\b(miss(es|ed)?|falls? short of|fell short of) (analyst |wall street |consensus )?(estimates|expectations|forecasts)\b", "xmissest", -2.6),
    (r"\bprice (cut|cuts|war|wars)\b", "xpricecut", -1.6),
    (r"\b(price target|target price) (raised|lifted|increased)\b", "xptup", 2.0),
    (r"\b(raises|raised|lifts) (its |the )?(price target|target price)\b", "xptup", 2.0),
    (r"\b(cuts|lowers|lowered|slashes) (its |the )?(price target|target price)\b", "xptdown", -2.0),
    (r"\b(price target|target price) (cut|lowered|slashed)\b", "xptdown", -2.0),
    (r"\b(strong|robust|solid) demand\b", "xdemandup", 2.0),
    (r"\b(weak|soft|sluggish) demand\b", "xdemanddown", -2.0),
    (r"\bmargin (pressure|compression|squeeze)\b", "xmarginsdown", -1.8),
    (r"\bmargins? (expand|expands|expansion)\b", "xmarginsup", 1.8),
]
_PHRASES = [(re.compile(p, re.I), token) for p, token, _ in FINANCE_PHRASES]


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(FINANCE_WORDS)
    analyzer.lexicon.update({token: value for _, token, value in FINANCE_PHRASES})
    return analyzer


def _rewrite(text: str) -> str:
    for pattern, token in _PHRASES:
        text = pattern.sub(f" {token} ", text)
    return text


@lru_cache(maxsize=65536)
def score(text: str) -> float:
    """Sentiment in [-1, 1] (VADER compound with the finance lexicon); cached, as the same
    sentences recur (a title scored for the article and again for each ticker it names)."""
    if not text or not text.strip():
        return 0.0
    return float(_analyzer().polarity_scores(_rewrite(text))["compound"])


HEADLINE_WEIGHT = 0.6


def article_score(title: str, body: str) -> float:
    """Headlines carry most of the signal; the body moderates it."""
    head, rest = score(title), score(body)
    if not body.strip():
        return head
    if head == 0.0:
        return rest
    return HEADLINE_WEIGHT * head + (1 - HEADLINE_WEIGHT) * rest


def vader_only(text: str) -> float:
    """Plain VADER compound, the naive baseline the finance layer is measured against."""
    return float(SentimentIntensityAnalyzer().polarity_scores(text)["compound"]) if text else 0.0


def label(value: float) -> str:
    """bearish ≤ −0.35 < somewhat bearish ≤ −0.15 < neutral < 0.15 ≤ somewhat bullish < 0.35 ≤ bullish."""
    if value <= -0.35:
        return "bearish"
    if value <= -0.15:
        return "somewhat_bearish"
    if value < 0.15:
        return "neutral"
    if value < 0.35:
        return "somewhat_bullish"
    return "bullish"


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
