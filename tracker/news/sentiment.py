"""Offline headline sentiment that reads finance wording, with the cues that decided it.

General-purpose scorers misread headlines: VADER finds "shares" and "interest" positive and knows
no "cuts guidance", "losses narrow" or "down 12%". This scorer reads a headline as cues, each a
signed weight on VADER's −4…4 scale (the finance wording is in `lexicon.py`):

- a direction word and the quantity it moves ("profit jumps" +, "costs rise" −, "narrows loss" +,
  "cuts jobs" −), made stronger by a percentage next to it ("down 12%");
- words whose sign holds alone ("beats", "downgrade", "outage"), and multi-word phrases;
- VADER's own general lexicon for the other words, less the ones that are plain nouns in finance;
- negation flips the next cue ("fails to beat", "no longer expects a loss"), boosters scale it,
  a hedge ("may", "reportedly") damps the headline, a cue after "but" weighs more than one before
  it and one after "despite" less.

The sum is squashed into [-1, 1] as VADER does. Measured on tests/data/headlines.csv by
benchmarks/bench_sentiment.py (docs/performance.md). Pure and fast (no I/O, cached).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tracker.news import lexicon as lx

LABELS = ("bearish", "somewhat_bearish", "neutral", "somewhat_bullish", "bullish")
ALPHA = 4.0  # squashing constant: a single "beats" (2.2) scores +0.74, a single "rises" (1.3) +0.55
CONTRAST_BEFORE, CONTRAST_AFTER, CONCESSIVE_FACTOR, REASON_FACTOR = 0.6, 1.2, 0.4, 0.7
_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:['\-][a-z0-9]+)*|\d+(?:[.,]\d+)*%?|[,;:]|(?<=[a-z0-9%)])[.!?](?=\s|$)")
_SENTENCE_END = frozenset({".", "!", "?"})
_CLAUSE_END = frozenset({",", ";", "but"}) | _SENTENCE_END
_PERCENT = re.compile(r"(\d[\d,]*(?:\.\d+)?)%")
_MAX_PHRASE = max(len(p.split()) for p in lx.PHRASES)
_PHRASES = {tuple(p.split()): w for p, w in lx.PHRASES.items()}


@dataclass(frozen=True)
class Cue:
    """A piece of the headline that weighed: its words and its signed weight after modifiers."""

    text: str
    weight: float


@dataclass(frozen=True)
class Explanation:
    """A score in [-1, 1] and the cues it came from, strongest first."""

    score: float
    cues: tuple[Cue, ...] = ()

    def top(self, n: int = 3) -> list[str]:
        """The words that weighed most in the direction of the score."""
        sign = 1 if self.score > 0 else -1 if self.score < 0 else 0
        agreeing = [c for c in self.cues if sign and c.weight * sign > 0] or list(self.cues)
        return [c.text for c in agreeing[:n]]

    def summary(self, n: int = 3) -> str:
        """e.g. "+0.62: beats, raises guidance"; "+0.00: no sentiment cues" when nothing weighed."""
        words = self.top(n)
        return f"{self.score:+.2f}: {', '.join(words) if words else 'no sentiment cues'}"


@lru_cache(maxsize=1)
def _vader_lexicon() -> dict[str, float]:
    return {w: v for w, v in SentimentIntensityAnalyzer().lexicon.items() if w not in lx.NOT_SENTIMENT}


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", ","))


def _percent(token: str) -> float | None:
    m = _PERCENT.fullmatch(token)
    return float(m.group(1).replace(",", "")) if m else None


def _quantity(tokens: list[str], i: int) -> tuple[int, int] | None:
    """(index, +1 good / −1 bad) of the quantity a direction word at i moves: the nearest such noun
    in its clause ("cost cuts", "cuts jobs"), after it when two are as near."""
    best: tuple[int, int] | None = None
    for step in (1, -1):
        j = i + step
        while 0 <= j < len(tokens) and abs(j - i) <= lx.QUANTITY_WINDOW and tokens[j] not in lx.BOUNDARIES:
            word = tokens[j]
            polarity = -1 if word in lx.BAD_QUANTITY else 1 if word in lx.GOOD_QUANTITY else 0
            if polarity:
                if best is None or abs(j - i) < abs(best[0] - i):
                    best = (j, polarity)
                break
            j += step
    return best


def _near_percent(tokens: list[str], i: int) -> tuple[int, float] | None:
    """(index, value) of a percentage right next to the word at i ("falls 12%", "4% higher")."""
    for j in (i + 1, i + 2, i - 1, i - 2):
        if 0 <= j < len(tokens) and (p := _percent(tokens[j])) is not None:
            return j, p
    return None


def _magnitude(percent: float | None) -> float:
    """A percentage scales its direction word: "dips 1%" is half a "dips", "plunges 40%" one and a half."""
    return 1.0 if percent is None else 0.5 + min(percent, 20.0) / 20.0


@dataclass
class _Found:
    start: int
    end: int  # exclusive
    text: str
    weight: float


def _cues(tokens: list[str]) -> list[_Found]:
    """The raw cues of a headline, left to right, before negation, boosters and clause weights."""
    found: list[_Found] = []
    used: set[int] = set()
    vader = _vader_lexicon()
    i = 0
    while i < len(tokens):
        for size in range(min(_MAX_PHRASE, len(tokens) - i), 1, -1):
            key = tuple(tokens[i : i + size])
            if key in _PHRASES:
                if _PHRASES[key]:
                    found.append(_Found(i, i + size, " ".join(key), _PHRASES[key]))
                used.update(range(i, i + size))
                i += size
                break
        else:
            i += 1
    for i, word in enumerate(tokens):
        if i in used:
            continue
        if word in lx.DIRECTION:
            q = _quantity(tokens, i)
            before = tokens[max(0, i - 3) : i]
            if q is None and any(t in lx.DIRECTION for t in before) and not any(t in lx.CONTRAST or t in _CLAUSE_END for t in before):
                continue  # "falls to lowest level", "rises to a record high": one movement, counted once
            polarity = q[1] if q else 1
            if q:
                used.add(q[0])
                text = f"{word} {tokens[q[0]]}" if q[0] > i else f"{tokens[q[0]]} {word}"
            else:
                text = word
            pct = _near_percent(tokens, i)
            if pct and tokens[pct[0]] not in text:
                text = f"{text} {tokens[pct[0]]}" if pct[0] > i else f"{tokens[pct[0]]} {text}"
            # with neither a quantity nor a percentage the word may not be about the business ("adds itinerary")
            vague = 0.5 if q is None and pct is None else 1.0
            found.append(_Found(i, i + 1, text, lx.DIRECTION[word] * polarity * _magnitude(pct[1] if pct else None) * vague))
            used.add(i)
    for i, word in enumerate(tokens):
        if i in used:
            continue
        weight = lx.INTRINSIC.get(word)
        if weight is None:
            weight = vader.get(word, 0.0) * lx.VADER_FACTOR if word not in lx.NEGATORS and word not in lx.BOOSTERS else 0.0
        if weight:
            found.append(_Found(i, i + 1, word, weight))
    found.sort(key=lambda f: f.start)
    return found


def _sentences(tokens: list[str]) -> list[tuple[int, int]]:
    spans, start = [], 0
    for i, word in enumerate(tokens):
        if word in _SENTENCE_END:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(tokens)))
    return spans


def _clauses(tokens: list[str]) -> list[float]:
    """Weight of each token, sentence by sentence: before "but" less, after it more, after
    "despite" or in a reason clause less; a hedged sentence ("may", "reportedly") damped whole."""
    factors = [1.0] * len(tokens)
    for start, end in _sentences(tokens):
        words = tokens[start:end]
        if any(w in lx.HEDGES for w in words) or any(p in " ".join(words) for p in lx.HEDGE_PHRASES):
            for j in range(start, end):
                factors[j] *= lx.HEDGE_FACTOR
        for i in range(start, end):
            word = tokens[i]
            if word in lx.CONTRAST and i > start:
                for j in range(start, i):
                    factors[j] *= CONTRAST_BEFORE
                for j in range(i + 1, end):
                    factors[j] *= CONTRAST_AFTER
            if word in lx.CONCESSIVE or (word in lx.REASON and i > start + 1):
                factor = CONCESSIVE_FACTOR if word in lx.CONCESSIVE else REASON_FACTOR
                j = i + 1
                while j < end and tokens[j] not in _CLAUSE_END:
                    factors[j] *= factor
                    j += 1
    return factors


# A headline and the opening of a summary carry its tone. The cap bounds the scorer whoever calls it:
# clause weights grow with the square of a sentence (400 kB of "but" took minutes); ingest already
# cuts summaries to 5,000 characters (`parse.SUMMARY_CHARS`), where the cost was under 0.1 s.
MAX_TEXT_CHARS = 2_000


def explain(text: str) -> Explanation:
    """The score of one headline or sentence (its first MAX_TEXT_CHARS characters) and the cues it
    came from."""
    return _explain(text[:MAX_TEXT_CHARS] if text else text)


@lru_cache(maxsize=65536)
def _explain(text: str) -> Explanation:
    """Cached, as the same sentences recur (a title scored for the article and again for each ticker it names)."""
    if not text or not text.strip():
        return Explanation(0.0)
    tokens = _tokens(text)
    found = _cues(tokens)
    factors = _clauses(tokens)
    starts = {f.start for f in found}
    negated: set[int] = set()
    spent: set[int] = set()  # negators that flipped a cue do not count as cues themselves
    for i, word in enumerate(tokens):
        if word in lx.NEGATORS or (word == "no" and i + 1 < len(tokens) and tokens[i + 1] == "longer"):
            for j in range(i + 1, min(len(tokens), i + 1 + lx.NEGATION_WINDOW)):
                if tokens[j] in _CLAUSE_END:
                    break
                if j in starts:
                    negated.add(j)
                    spent.add(i)
                    break
    cues: list[Cue] = []
    total = 0.0
    for f in found:
        if f.start in spent:
            continue
        weight = f.weight * factors[f.start]
        text_ = f.text
        if f.start in negated:
            weight *= lx.NEGATION_FACTOR
            neg = max(k for k in range(max(0, f.start - lx.NEGATION_WINDOW), f.start) if k in spent)
            text_ = " ".join(tokens[neg : f.start]) + " " + f.text
        boost = next((lx.BOOSTERS[tokens[k]] for k in (f.start - 1, f.start - 2) if k >= 0 and tokens[k] in lx.BOOSTERS), 1.0)
        weight *= boost
        total += weight
        cues.append(Cue(text_, round(weight, 3)))
    value = total / math.sqrt(total * total + ALPHA) if total else 0.0
    cues.sort(key=lambda c: -abs(c.weight))
    return Explanation(round(max(-1.0, min(1.0, value)), 4), tuple(cues))


def score(text: str) -> float:
    """Sentiment in [-1, 1] of one headline or sentence."""
    return explain(text).score


HEADLINE_WEIGHT = 0.6


def combine(head: float, rest: float, has_body: bool) -> float:
    """Headlines carry most of the signal; the body moderates it."""
    if not has_body:
        return head
    if head == 0.0:
        return rest
    return HEADLINE_WEIGHT * head + (1 - HEADLINE_WEIGHT) * rest


def article_explanation(title: str, body: str) -> Explanation:
    """The article's score (title weighted over body) with the title's cues first, then the body's."""
    head, rest = explain(title), explain(body)
    value = round(combine(head.score, rest.score, bool(body.strip())), 4)
    return Explanation(value, head.cues + rest.cues)


def article_score(title: str, body: str) -> float:
    return article_explanation(title, body).score


def vader_only(text: str) -> float:
    """Plain VADER compound, the naive baseline the finance layer is measured against."""
    return float(_plain_vader().polarity_scores(text)["compound"]) if text else 0.0


@lru_cache(maxsize=1)
def _plain_vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


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
