"""The thesis file format as typed, immutable models.

Field validators turn the notations of the file (percentages, durations, dates) into typed
values; rules that span several fields (weights summing to 100%, unique tickers) live in
`tracker.thesis.rules` so each error can point at the exact field it is about.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.config import JsonDict

from tracker.thesis.units import Duration, parse_date, parse_duration, parse_number, parse_percent

# Yahoo symbols: BRK-B, ASML.AS, 7203.T, ^GSPC, EURUSD=X, BTC-USD.
TICKER_PATTERN = r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,19}$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,79}$"
METRIC_PATTERN = r"^[a-z_][a-z0-9_]{0,79}$"
_TICKER_RE = re.compile(TICKER_PATTERN)

Status = Literal["intact", "at_risk", "falsified", "unknown"]
Severity = Literal["at_risk", "falsified"]


def _ticker(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        shown = "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else repr(value)
        raise ValueError(f"expected a ticker symbol such as NET or ASML.AS, got {shown}")
    text = str(value).strip()
    if not _TICKER_RE.match(text):
        if _TICKER_RE.match(text.upper()):
            raise ValueError(f"{text!r}: write ticker symbols in capitals, {text.upper()}")
        raise ValueError(f"{text!r} is not a Yahoo ticker symbol (capital letters, digits, . - = and a leading ^)")
    return text


def _number(value: object) -> float:
    return parse_number(value)


def _percent(value: object) -> float:
    return parse_percent(value)


def _duration(value: object) -> Duration:
    return parse_duration(value)


def _date(value: object) -> dt.date:
    return parse_date(value)


def _text_list(value: object) -> object:
    """Allow a single string where a list of strings is expected (`keywords: DeepSeek`)."""
    return [value] if isinstance(value, str) else value


Ticker = Annotated[
    str,
    BeforeValidator(_ticker),
    WithJsonSchema({"type": "string", "pattern": TICKER_PATTERN}),
]
Price = Annotated[
    float,
    BeforeValidator(_number),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
]
Fraction = Annotated[
    float,
    BeforeValidator(_percent),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*%?\s*$"},
            ],
        }
    ),
]
DurationField = Annotated[
    Duration,
    BeforeValidator(_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": r"^\s*\d+\s*[dwmy]\s*$"},
            ],
        }
    ),
]
Date = Annotated[
    dt.date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
TextList = Annotated[list[str], BeforeValidator(_text_list)]


def fx_pair(currency: str, base: str) -> str:
    """Yahoo's symbol for the rate that converts `currency` into `base` (units of base per unit)."""
    return f"{currency}{base}=X"


def later_need(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The later of two last days a ticker's prices are needed; None (still held) outranks any day."""
    return None if a is None or b is None else max(a, b)


class _Strict(BaseModel):
    # Numbers are accepted where text is expected (`title: 1984`); unknown keys are errors.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True)


_EITHER_TARGET: JsonDict = {"not": {"required": ["target", "upside"]}}
_ONE_HORIZON: JsonDict = {"oneOf": [{"required": ["horizon"]}, {"required": ["until"]}]}


class Position(_Strict):
    """One holding of the thesis portfolio: its weight, its price target and when it is due."""

    model_config = ConfigDict(json_schema_extra={"allOf": [_EITHER_TARGET, _ONE_HORIZON]})

    ticker: Ticker = Field(
        description="Yahoo Finance symbol, unique within the thesis: NET, BRK-B, ASML.AS, 7203.T, ^GSPC",
    )
    name: str | None = Field(default=None, description="company name; also links news articles to this ticker")
    aliases: TextList = Field(
        default_factory=list, description="other names or products that link news articles to this ticker"
    )
    weight: Fraction = Field(
        description="share of the portfolio's value when the position is bought, like 20% or 0.20; the weights held "
        "at the thesis's opening sum to 100% (±0.5%), a position bought later weighs below 100%",
    )
    target: Price | None = Field(
        default=None, description="price target in the ticker's own currency (positive); not with upside"
    )
    upside: Fraction | None = Field(
        default=None, description="target as a return from the entry price, like 25%; not with target"
    )
    horizon: DurationField | None = Field(
        default=None,
        description="when the target is due, counted from the position's opening (its opened, else the thesis's): "
        "540d, 6w, 18m (calendar months), 2y or a number of days; not with until",
    )
    until: Date | None = Field(
        default=None,
        description="the date the target is due (YYYY-MM-DD, after the position's opening); not with horizon",
    )
    entry_price: Price | None = Field(
        default=None, description="entry price (positive); default: the first close on or after the position's opening"
    )
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="the ticker's trading currency when it differs from the thesis currency, like EUR",
    )
    rationale: str | None = Field(default=None, description="why this position is in the thesis")
    opened: Date | None = Field(
        default=None,
        description="the day the position was bought, when later than the thesis's opening (YYYY-MM-DD); "
        "it enters at the first close on or after it, and its horizon counts from it",
    )
    closed: Date | None = Field(
        default=None,
        description="the day the position was sold (YYYY-MM-DD), after its opening and by the thesis's close: "
        "it exits at the last close on or before it",
    )
    exit_price: Price | None = Field(
        default=None,
        description="the price it was sold at, in its own currency (positive; needs closed); "
        "default: the last close on or before closed",
    )


class Check(_Strict):
    """A machine-checkable falsification condition, evaluated at every refresh."""

    when: str = Field(
        min_length=1,
        description="a condition in the condition language, like return(NET) < -30% or "
        'negative_news("DeepSeek outage", 30d) >= 3',
    )
    then: Severity = Field(default="falsified", description="status when the condition holds: at_risk or falsified")
    note: str | None = Field(default=None, description="why this condition matters; shown with the status")


class Observation(_Strict):
    """A dated value for `metric(name)`, typed in by the investor from a filing or a call."""

    metric: str = Field(pattern=METRIC_PATTERN, description="metric name used as metric(name) in checks")
    date: Date = Field(description="the day the value was reported (YYYY-MM-DD)")
    value: Fraction = Field(description="the value: a number or a percentage like 35%")
    source: str | None = Field(default=None, description="where the value comes from")


class Review(_Strict):
    """A human verdict that overrides the computed status until newer evidence fires."""

    date: Date = Field(description="the day of the review (YYYY-MM-DD)")
    status: Literal["intact", "at_risk", "falsified"] = Field(description="the verdict")
    note: str | None = Field(default=None, description="the reasoning behind the verdict")


class Assumption(_Strict):
    """Something the thesis needs to stay true, with what would prove it wrong."""

    id: str = Field(pattern=SLUG_PATTERN, description="unique within the thesis: lower-case letters, digits, - and _")
    statement: str = Field(min_length=1, description="what must stay true")
    falsified_if: str = Field(min_length=1, description="in the thesis's own words, what would prove it wrong")
    keywords: TextList = Field(
        default_factory=list, description="terms that link news articles to this assumption (whole words, any case)"
    )
    checks: list[Check] = Field(default_factory=list, description="machine-checkable falsification conditions")
    observations: list[Observation] = Field(default_factory=list, description="dated values for metric(name)")
    reviews: list[Review] = Field(default_factory=list, description="human verdicts; the latest one counts")


class Rebalance(_Strict):
    """A dated change of weights: every open position gets its new share of the portfolio's value."""

    date: Date = Field(
        description="the day of the rebalance (YYYY-MM-DD), after the thesis's opening and before its close; "
        "it trades at that day's closes, after the day's sales and purchases"
    )
    weights: dict[Ticker, Fraction] = Field(
        description="the new weight of every position held that day (those bought that day included, those sold "
        "that day not), like {NET: 15%, DDOG: 25%}; they sum to 100% (±0.5%)"
    )
    note: str | None = Field(default=None, description="why the weights changed")


class Catalyst(_Strict):
    """A dated event the thesis waits for: earnings, a launch, a ruling."""

    date: Date = Field(description="the day of the event (YYYY-MM-DD)")
    event: str = Field(min_length=1, description="what happens, like NET Q4 earnings")
    ticker: Ticker | None = Field(default=None, description="the position or benchmark it moves; its reaction is shown once it has passed")
    assumption: str | None = Field(default=None, pattern=SLUG_PATTERN, description="the id of the assumption it bears on")


Outcome = Literal["played_out", "falsified", "expired", "abandoned"]


class Closing(_Strict):
    """The end of a thesis: when, how it ended, and the post-mortem."""

    date: Date = Field(
        description="the day the thesis was closed (YYYY-MM-DD), after it opened: every position still held is sold "
        "at the last close on or before it, and figures, statuses and evidence stay as of that day"
    )
    outcome: Outcome = Field(
        description="how it ended: played_out (the thesis came true), falsified (an assumption proved wrong), "
        "expired (the horizon passed without a verdict) or abandoned (given up for another reason)"
    )
    note: str | None = Field(default=None, description="the post-mortem: what was right, what was wrong")


class Source(_Strict):
    """A reference the thesis rests on."""

    title: str = Field(min_length=1, description="what the reference is")
    url: str | None = Field(default=None, pattern=r"^https?://\S+$", description="an http:// or https:// link")


def _source(value: object) -> object:
    return {"title": value} if isinstance(value, (str, int, float)) and not isinstance(value, bool) else value


class Thesis(_Strict):
    """A whole thesis file."""

    title: str = Field(min_length=1, description="the thesis's name")
    id: str = Field(
        pattern=SLUG_PATTERN,
        description="unique id: lower-case letters, digits, - and _; default: the file name without .yaml",
    )
    category: str | None = Field(default=None, description="free text, like anticipated catalyst")
    sector: str | None = Field(default=None, description="free text, like technology")
    opened: Date = Field(description="the day the thesis was opened (YYYY-MM-DD); performance counts from the first close on or after it")
    benchmark: Ticker | None = Field(default=None, description="ticker the portfolio is compared against, like QQQ or ^GSPC")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$", description="base currency of the portfolio figures")
    summary: str | None = Field(default=None, description="the thesis in a few paragraphs (markdown)")
    positions: list[Position] = Field(min_length=1, description="the portfolio: at least one position")
    assumptions: list[Assumption] = Field(default_factory=list, description="what must stay true, and how to tell")
    risks: TextList = Field(default_factory=list, description="known risks, as text")
    feeds: TextList = Field(
        default_factory=list,
        description="news feeds: http(s) URLs, file:// URLs or paths relative to this file; {ticker} expands per position",
    )
    sources: list[Annotated[Source, BeforeValidator(_source)]] = Field(
        default_factory=list, description="references: text, or {title, url}"
    )
    rebalances: list[Rebalance] = Field(
        default_factory=list, description="dated changes of the weights of the open positions"
    )
    closed: Closing | None = Field(default=None, description="the thesis is over: date, outcome and post-mortem note")
    catalysts: list[Catalyst] = Field(default_factory=list, description="dated events the thesis waits for")
    review_every: DurationField | None = Field(
        default=None, description="how often the assumptions are reviewed, like 90d or 3m; a review is due that long after the last one"
    )

    @property
    def tickers(self) -> list[str]:
        """Position tickers in file order."""
        return [p.ticker for p in self.positions]

    def currency_of(self, position: Position) -> str:
        """The currency a position trades in: its own `currency`, else the thesis's."""
        return position.currency or self.currency

    @property
    def required_tickers(self) -> list[str]:
        """Every symbol the thesis needs prices for: positions, benchmark and FX pairs, sorted.

        The thesis says what it needs so the price sources never have to know what a thesis is.
        """
        need = set(self.tickers)
        need.update(fx_pair(self.currency_of(p), self.currency) for p in self.positions if self.currency_of(p) != self.currency)
        if self.benchmark:
            need.add(self.benchmark)
        return sorted(need)

    def needed_until(self) -> dict[str, dt.date | None]:
        """Each required symbol with the last day its prices matter (None: still held, keep fetching).

        A sold position or a closed thesis needs prices only up to its close, so the refresh
        stops fetching them once those are stored.
        """
        out: dict[str, dt.date | None] = {}

        def need(ticker: str, until: dt.date | None) -> None:
            out[ticker] = later_need(out[ticker], until) if ticker in out else until

        for p in self.positions:
            until = self.closed_on(p)
            need(p.ticker, until)
            if self.currency_of(p) != self.currency:
                need(fx_pair(self.currency_of(p), self.currency), until)
        if self.benchmark:
            need(self.benchmark, self.closed.date if self.closed is not None else None)
        return out

    def position(self, ticker: str) -> Position | None:
        return next((p for p in self.positions if p.ticker == ticker), None)

    def opened_on(self, position: Position) -> dt.date:
        """The day a position was bought: its own `opened`, else the thesis's."""
        return position.opened or self.opened

    def closed_on(self, position: Position) -> dt.date | None:
        """The day a position was sold: its own `closed`, else the thesis's close, else None (still held)."""
        if position.closed is not None:
            return position.closed
        return self.closed.date if self.closed is not None else None

    @property
    def is_closed(self) -> bool:
        return self.closed is not None

    @property
    def has_events(self) -> bool:
        """Whether anything happens after the opening: a later buy, a sale, a rebalance or a close."""
        return bool(self.rebalances) or self.closed is not None or any(
            p.opened is not None and p.opened != self.opened or p.closed is not None for p in self.positions
        )

    def horizon_date(self, position: Position) -> dt.date:
        """The date a position's target is due: `until`, or its own opening + `horizon`."""
        if position.until is not None:
            return position.until
        assert position.horizon is not None, "validated theses always have horizon or until"
        return position.horizon.after(self.opened_on(position))


def required_tickers(theses: Iterable[Thesis]) -> list[str]:
    """The symbols a set of theses needs, each once, sorted."""
    return sorted({ticker for thesis in theses for ticker in thesis.required_tickers})


def thesis_fingerprint(thesis: Thesis) -> str:
    """A hash of everything the thesis says (not of its file's comments or layout).

    Figures stored for one fingerprint are the figures of the thesis as long as it has the same
    one: an edit of the file that changes the thesis makes the stored figures stale.
    """
    return hashlib.sha256(thesis.model_dump_json().encode("utf-8")).hexdigest()
