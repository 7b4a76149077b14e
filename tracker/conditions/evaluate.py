"""Evaluating parsed conditions on plain data (pure: no I/O).

Logic is three-valued: a check whose data is missing is *unknown*, not false, and `and`/`or`
follow Kleene's rules (false and unknown = false; true or unknown = true), so one missing figure
only hides the result when it matters.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from tracker.conditions.ast import Call, Compare, Expr, Not, Number, Span, Symbol, Text
from tracker.conditions.parser import FUNCTIONS
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


@dataclass
class Context:
    """Everything one thesis's checks may look at, as of one moment."""

    thesis: Thesis
    closes: pd.DataFrame
    news: NewsData
    now: dt.datetime
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
        return Context(self.thesis, closes, news, moment)


@dataclass
class Result:
    """The outcome of one check, with what it saw."""

    outcome: Outcome
    detail: str
    values: dict[str, float | None] = field(default_factory=dict)
    article_ids: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class _Unknown(Exception):
    def __init__(self, why: str) -> None:
        self.why = why


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
        self.parts: list[str] = []

    def value(self, node: Number | Call) -> float:
        if isinstance(node, Number):
            return node.value
        key = str(node)
        try:
            result = self.call(node)
        except _Unknown as unknown:
            self.values[key] = None
            self.missing.append(f"{key}: {unknown.why}")
            raise
        self.values[key] = result
        return result

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

    def compare(self, node: Compare) -> bool | None:
        try:
            left, right = self.value(node.left), self.value(node.right)
        except _Unknown:
            return None
        op = node.op
        result = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right, "==": left == right, "!=": left != right}[op]
        self.parts.append(f"{self.show(node.left, node.right)} {op} {self.show(node.right, node.left)}")
        return result

    def show(self, node: Number | Call, other: Number | Call) -> str:
        if isinstance(node, Number):
            return str(node)
        kind = FUNCTIONS[node.function].kind
        percent_hint = isinstance(other, Number) and other.percent
        return f"{node} = {_format(kind, self.values.get(str(node)), percent_hint)}"

    def run(self, node: Expr) -> bool | None:
        if isinstance(node, Compare):
            return self.compare(node)
        if isinstance(node, Not):
            inner = self.run(node.operand)
            return None if inner is None else not inner
        left = self.run(node.left)
        if node.op == "and" and left is False:
            return False
        if node.op == "or" and left is True:
            return True
        right = self.run(node.right)
        if node.op == "and":
            return False if right is False else (None if left is None or right is None else True)
        return True if right is True else (None if left is None or right is None else False)


def evaluate(expr: Expr, ctx: Context) -> Result:
    """Fired / not fired / unknown, with the values seen and the articles counted."""
    ev = _Evaluator(ctx)
    truth = ev.run(expr)
    if truth is None:
        return Result("unknown", "cannot evaluate: " + "; ".join(ev.missing), ev.values, sorted(ev.articles), ev.missing)
    detail = " and ".join(ev.parts) if ev.parts else str(expr)
    return Result("fired" if truth else "not_fired", detail, ev.values, sorted(ev.articles), ev.missing)
