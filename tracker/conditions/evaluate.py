"""Evaluating parsed conditions on plain data (pure: no I/O).

Logic is three-valued: a check whose data is missing is *unknown*, not false, and `and`/`or`
follow Kleene's rules (false and unknown = false; true or unknown = true), so one missing figure
only hides the result when it matters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from tracker.conditions.ast import BoolOp, Call, Compare, Expr, Not, Number, Span, Symbol, Text
from tracker.conditions.evidence import Comparison, Logic, Node, Operand, render, to_json
from tracker.conditions.parser import FUNCTIONS
from tracker.formatting import count
from tracker.portfolio import maths
from tracker.portfolio.calculator import thesis_performance
from tracker.portfolio.figures import ThesisPerformance
from tracker.thesis.model import Thesis
from tracker.thesis.units import Duration

Outcome = Literal["fired", "not_fired", "unknown"]
NEGATIVE_AT = -0.15  # "somewhat bearish" and below count as negative news


@dataclass(frozen=True)
class NewsData:
    """Articles for news functions: one frame for the whole run, filtered per call.

    `articles`: id, text (title and summary, lower case), published_at (UTC), sentiment.
    `ticker_links`: article_id, ticker, sentiment, published_at.
    """

    articles: pd.DataFrame
    ticker_links: pd.DataFrame

    def window(self, since: pd.Timestamp, until: pd.Timestamp) -> pd.DataFrame:
        """Articles published in [since, until], by binary search on the sorted dates."""
        art = self.articles
        if art.empty:
            return art
        if not art["published_at"].is_monotonic_increasing:
            art = art.sort_values("published_at", kind="stable")
            object.__setattr__(self, "articles", art)
        dates = pd.DatetimeIndex(art["published_at"])
        lo = dates.searchsorted(since, side="left")
        hi = dates.searchsorted(until, side="right")
        return art.iloc[lo:hi]

    @staticmethod
    def empty() -> NewsData:
        return NewsData(
            pd.DataFrame({"id": pd.Series(dtype=int), "text": pd.Series(dtype=str), "published_at": pd.Series(dtype="datetime64[ns, UTC]"), "sentiment": pd.Series(dtype=float)}),
            pd.DataFrame({"article_id": pd.Series(dtype=int), "ticker": pd.Series(dtype=str), "sentiment": pd.Series(dtype=float), "published_at": pd.Series(dtype="datetime64[ns, UTC]")}),
        )


NEWS_COUNTS = ("news", "negative_news")  # functions that count articles: zero means something only if news was read


def window_words(window: Duration) -> str:
    """`30d` → `30 days`, `3m` → `3 months`: a window as a sentence says it."""
    return count(window.amount, {"d": "day", "w": "week", "m": "month", "y": "year"}[window.unit])


@dataclass(frozen=True)
class NewsCoverage:
    """On which days the news sources of one thesis were read, from the refresh history.

    `sources`: how many feeds the thesis has; `read`: days (UTC) on which at least one of them was
    read; `failed`: days on which the news stage ran for the thesis and none could be read;
    `first`: the first day the news stage ran for the thesis (None: never).
    """

    sources: int
    read: frozenset[dt.date] = frozenset()
    failed: frozenset[dt.date] = frozenset()
    first: dt.date | None = None

    def until(self, day: dt.date) -> NewsCoverage:
        """What was known by the end of `day`."""
        return NewsCoverage(
            self.sources,
            frozenset(d for d in self.read if d <= day),
            frozenset(d for d in self.failed if d <= day),
            self.first if self.first is not None and self.first <= day else None,
        )

    def judge(self, window: Duration, today: dt.date) -> tuple[str | None, str | None]:
        """(why a count over the window is unknown, a caveat about the count); both None when fully read."""
        start = window.before(today)
        if self.sources == 0:
            return "this thesis has no news source: add `feeds:` to it, or turn on default feeds", None
        read = {d for d in self.read if start <= d <= today}
        if not read:
            return f"no news source for this thesis succeeded in the last {window_words(window)}", None
        gaps = {d for d in self.failed if start <= d <= today} - read
        parts = []
        if gaps:
            parts.append(f"no feed of the thesis could be read on {count(len(gaps), 'day')} of the last {window_words(window)}")
        if self.first is None or self.first > start:
            parts.append(f"its feeds were first read on {min(read)}")
        if not parts:
            return None, None
        return None, "; ".join(parts) + "; news checks count only days when a feed of the thesis was read"


@dataclass
class Context:
    """Everything one thesis's checks may look at, as of one moment.

    `coverage` says on which days the thesis's news sources were read; news counts over a window
    in which none was read are unknown. None: the caller vouches for the articles it passes
    (pure evaluation in tests and tools); the checks stage always passes the refresh history.
    """

    thesis: Thesis
    closes: pd.DataFrame
    news: NewsData
    now: dt.datetime
    coverage: NewsCoverage | None = None
    _perf: ThesisPerformance | None = None
    _phrase_cache: dict[tuple[str, str], pd.Series] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def perf(self) -> ThesisPerformance:
        if self._perf is None:
            self._perf = thesis_performance(self.thesis, self.closes, self.today)
        return self._perf

    def as_of(self, moment: dt.datetime) -> Context:
        """The same context as it looked at `moment` (for review dates)."""
        closes = self.closes[self.closes.index <= pd.Timestamp(moment.date())]
        art = self.news.articles
        links = self.news.ticker_links
        news = NewsData(art[art["published_at"] <= moment], links[links["published_at"] <= moment])
        coverage = self.coverage.until(moment.date()) if self.coverage is not None else None
        return Context(self.thesis, closes, news, moment, coverage)


@dataclass
class Result:
    """The outcome of one check, with what it saw."""

    outcome: Outcome
    detail: str
    values: dict[str, float | None] = field(default_factory=dict)
    article_ids: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    evidence: dict[str, Any] | None = None  # the tree `detail` is rendered from (tracker.conditions.evidence)


class _Unknown(Exception):
    def __init__(self, why: str) -> None:
        self.why = why


@dataclass(frozen=True)
class _Side:
    value: float | None
    why: str | None = None
    note: str | None = None


def _window(arg: object) -> Duration:
    if isinstance(arg, Span):
        return arg.value
    assert isinstance(arg, Number)
    return Duration(int(arg.value), "d")


def _phrase_pattern(phrases: str) -> re.Pattern[str]:
    """Any of the `|`-separated phrases as whole words, punctuation included, on lower-cased raw text."""
    parts = [re.escape(p.strip().lower()) for p in phrases.split("|") if p.strip()]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _format(kind: str, value: float | None, percent_hint: bool = False) -> str:
    if value is None:
        return "unknown"
    if kind == "fraction" or (kind == "value" and percent_hint):
        return f"{value * 100:.1f}%"
    if kind in ("count", "days"):
        return f"{value:.0f}"
    if kind == "price":
        return f"{value:,.2f}"
    return f"{value:.2f}"


class _Evaluator:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.values: dict[str, float | None] = {}
        self.articles: set[int] = set()
        self.missing: list[str] = []

    def side(self, node: Number | Call) -> _Side:
        """One operand's value, or why it is unknown, and any caveat about it."""
        if isinstance(node, Number):
            return _Side(node.value)
        key = str(node)
        try:
            note = self.coverage(node)
            result = self.call(node)
        except _Unknown as unknown:
            self.values[key] = None
            self.missing.append(f"{key}: {unknown.why}")
            return _Side(None, unknown.why)
        self.values[key] = result
        return _Side(result, note=note)

    def coverage(self, node: Call) -> str | None:
        """For a news count: unknown when no news source of the thesis was read in its window, else a caveat or None."""
        if node.function not in NEWS_COUNTS or self.ctx.coverage is None:
            return None
        why, note = self.ctx.coverage.judge(_window(node.args[1]), self.ctx.today)
        if why is not None:
            raise _Unknown(why)
        return note

    def call(self, node: Call) -> float:
        fn, args = node.function, node.args
        ctx, perf = self.ctx, self.ctx.perf
        if fn in ("news", "negative_news"):
            assert isinstance(args[0], Text)
            window = _window(args[1])
            since = pd.Timestamp(ctx.now - (ctx.now.date() - window.before(ctx.now.date())))
            art = ctx.news.window(since, pd.Timestamp(ctx.now))
            if fn == "negative_news":
                art = art[art["sentiment"] <= NEGATIVE_AT]
            pattern = _phrase_pattern(args[0].value)
            hits = art[art["text"].str.contains(pattern, regex=True)] if not art.empty else art
            counted = {int(i) for i in hits["id"]}  # distinct articles: a syndicated story is one article
            self.articles.update(counted)
            return float(len(counted))
        if fn == "metric":
            name = args[0].name if isinstance(args[0], Symbol) else args[0].value
            obs = [o for a in ctx.thesis.assumptions for o in a.observations if o.metric == name and o.date <= ctx.today]
            if not obs:
                raise _Unknown(f"no observation of {name} yet; add one under `observations:`")
            return max(obs, key=lambda o: o.date).value
        assert isinstance(args[0], Symbol)
        subject = args[0].name
        if fn == "sentiment":
            window = _window(args[1])
            since = pd.Timestamp(ctx.now - (ctx.now.date() - window.before(ctx.now.date())))
            links = ctx.news.ticker_links
            links = links[(links["ticker"] == subject) & (links["published_at"] >= since) & (links["published_at"] <= pd.Timestamp(ctx.now))]
            if links.empty:
                raise _Unknown(f"no articles about {subject} in the last {window}")
            self.articles.update(int(i) for i in links["article_id"])
            return float(links["sentiment"].mean())
        if subject == "portfolio":
            return self.portfolio(fn, args)
        series = maths.column(perf.closes, subject)
        pos = next((p for p in perf.positions if p.ticker == subject), None)
        if series.empty:
            raise _Unknown(f"no prices for {subject} yet")
        if fn == "price":
            return float(series.iloc[-1])
        if fn == "return" and len(args) == 2:
            got = maths.trailing_return(series, _window(args[1]))
            if got is None:
                raise _Unknown(f"prices of {subject} do not reach back {_window(args[1])}")
            return got
        if pos is None:  # the benchmark: held from the thesis's opening
            entry = maths.entry_point(series, ctx.thesis.opened)
            if entry is None:
                raise _Unknown(f"no close of {subject} since the thesis opened")
            if fn == "return":
                return self.known(maths.simple_return(entry[1], float(series.iloc[-1])), f"no return of {subject}")
            if fn == "drawdown":
                return self.known(maths.drawdown(series, entry[0]), f"no drawdown of {subject}")
            if fn == "excess":
                return self.known(maths.simple_return(entry[1], float(series.iloc[-1])), f"no return of {subject}") - self.benchmark_return()
            raise AssertionError(fn)
        # a position: over its own holding period (from its opening to its sale, or the latest close)
        if pos.entry_date is None:
            raise _Unknown(f"no close of {subject} since it was bought ({pos.opened})")
        if fn == "return":
            return self.known(pos.ret, f"no return of {subject}")
        if fn == "drawdown":
            return self.known(pos.drawdown, f"no drawdown of {subject}")
        if fn == "excess":
            return self.known(pos.ret, f"no return of {subject}") - self.benchmark_return(pos.opened, pos.exit_date)
        assert pos is not None
        if fn == "progress":
            if pos.progress is None:
                raise _Unknown(f"progress of {subject} is not known (no entry or target)")
            return pos.progress
        if fn == "days_left":
            return float(pos.days_left)
        raise AssertionError(fn)

    @staticmethod
    def known(value: float | None, why: str) -> float:
        if value is None:
            raise _Unknown(why)
        return value

    def benchmark_return(self, start: dt.date | None = None, end: dt.date | None = None) -> float:
        """The benchmark's return from `start` (default: the thesis's opening) to `end` (default: its last close)."""
        ctx = self.ctx
        if not ctx.thesis.benchmark:
            raise _Unknown("the thesis has no benchmark")
        series = maths.column(ctx.perf.closes, ctx.thesis.benchmark)
        entry = maths.entry_point(series, start or ctx.thesis.opened)
        last = maths.latest(series, end)
        if entry is None or last is None:
            raise _Unknown(f"no close of the benchmark {ctx.thesis.benchmark} since {start or ctx.thesis.opened}")
        return self.known(maths.simple_return(entry[1], last[1]), f"no return of the benchmark {ctx.thesis.benchmark}")

    def portfolio(self, fn: str, args: tuple[object, ...]) -> float:
        perf = self.ctx.perf.portfolio
        if perf.ret is None:
            raise _Unknown("portfolio figures need prices of every position")
        if fn == "return" and len(args) == 2:
            got = maths.trailing_return(maths.clean(self.ctx.perf.value), _window(args[1]))
            if got is None:
                raise _Unknown(f"the portfolio is younger than {_window(args[1])}")
            return got
        if fn == "return":
            return perf.ret
        if fn == "drawdown":
            return perf.drawdown  # type: ignore[return-value]
        if fn == "excess":
            if perf.excess is None:
                raise _Unknown("no benchmark prices yet")
            return perf.excess
        raise AssertionError(fn)

    def compare(self, node: Compare) -> Comparison:
        left, right = self.side(node.left), self.side(node.right)
        truth = None
        if left.value is not None and right.value is not None:
            # to 10 decimals: a return of 594/540 - 1 is 10% as written, not 10.000000000000009%
            truth = _OPS[node.op](round(left.value, 10), round(right.value, 10))
        return Comparison(node.op, self.operand(node.left, node.right, left), self.operand(node.right, node.left, right), truth)

    @staticmethod
    def operand(node: Number | Call, other: Number | Call, side: _Side) -> Operand:
        if isinstance(node, Number):
            return Operand(str(node), literal=True)
        kind = FUNCTIONS[node.function].kind
        percent_hint = isinstance(other, Number) and other.percent
        shown = None if side.value is None else _format(kind, side.value, percent_hint)
        return Operand(str(node), shown, side.why, side.note)

    def run(self, node: Expr) -> Node:
        """The evidence tree of `node`; every part is evaluated, so every operand shows its value."""
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Not):
            inner = self.run(node.operand)
            return Logic("not", (inner,), None if inner.truth is None else not inner.truth)
        items: list[Node] = []
        for part in (node.left, node.right):
            child = self.run(part)
            # a chain of the same operator (a and b and c) is one level, as written
            items.extend(child.items if isinstance(child, Logic) and child.op == node.op and isinstance(part, BoolOp) else (child,))
        truths = [i.truth for i in items]
        if node.op == "and":
            truth = False if False in truths else (None if None in truths else True)
        else:
            truth = True if True in truths else (None if None in truths else False)
        return Logic(node.op, tuple(items), truth)


_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def evaluate(expr: Expr, ctx: Context) -> Result:
    """Fired / not fired / unknown, with the values seen, the articles counted and the evidence tree."""
    ev = _Evaluator(ctx)
    tree = ev.run(expr)
    outcome: Outcome = "unknown" if tree.truth is None else "fired" if tree.truth else "not_fired"
    return Result(outcome, render(tree), ev.values, sorted(ev.articles), ev.missing, to_json(tree))
