"""The thesis file format as typed, immutable models.

Field validators turn the notations of the file (percentages, durations, dates) into typed
values; rules that span several fields (weights summing to 100%, unique tickers) live in
`tracker.thesis.rules` so each error can point at the exact field it is about.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

from tracker.thesis.units import Duration, parse_date, parse_duration, parse_percent

# Yahoo symbols: BRK-B, ASML.AS, 7203.T, ^GSPC, EURUSD=X, BTC-USD.
TICKER_PATTERN = r"^\^?[A-Z0-9][A-Z0-9.\-=]{0,19}$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,79}$"
METRIC_PATTERN = r"^[a-z_][a-z0-9_]{0,79}$"
_TICKER_RE = re.compile(TICKER_PATTERN)

Status = Literal["intact", "at_risk", "falsified", "unknown"]
Severity = Literal["at_risk", "falsified"]


def _ticker(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"expected a ticker symbol such as NET or ASML.AS, got {value!r}")
    text = str(value).strip()
    if not _TICKER_RE.match(text):
        raise ValueError(f"{value!r} is not a Yahoo ticker symbol (letters, digits, . - = and a leading ^)")
    return text


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
    WithJsonSchema({"type": "string", "pattern": TICKER_PATTERN, "description": "Yahoo symbol"}),
]
Fraction = Annotated[
    float,
    BeforeValidator(_percent),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string", "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*%\s*$"},
            ],
            "description": "a percentage like 20% or a fraction like 0.20",
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
            "description": "540d, 6w, 18m (calendar months), 2y, or a number of days",
        }
    ),
]
Date = Annotated[
    dt.date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "description": "YYYY-MM-DD"}),
]
TextList = Annotated[list[str], BeforeValidator(_text_list)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Position(_Strict):
    """One holding of the thesis portfolio."""

    ticker: Ticker
    name: str | None = None
    aliases: TextList = Field(default_factory=list)
    weight: Fraction
    target: float | None = Field(default=None, description="price target in the ticker's currency")
    upside: Fraction | None = Field(default=None, description="target as a return from the entry price")
    horizon: DurationField | None = None
    until: Date | None = None
    entry_price: float | None = None
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="the ticker's trading currency when it differs from the thesis currency",
    )
    rationale: str | None = None


class Check(_Strict):
    """A machine-checkable falsification condition (`when:` in the condition language)."""

    when: str = Field(min_length=1)
    then: Severity = "falsified"
    note: str | None = None


class Observation(_Strict):
    """A dated value for `metric(name)`, typed in by the investor from a filing or a call."""

    metric: str = Field(pattern=METRIC_PATTERN)
    date: Date
    value: Fraction
    source: str | None = None


class Review(_Strict):
    """A human verdict that overrides computed status until newer evidence fires."""

    date: Date
    status: Literal["intact", "at_risk", "falsified"]
    note: str | None = None


class Assumption(_Strict):
    """Something the thesis needs to stay true, with what would prove it wrong."""

    id: str = Field(pattern=SLUG_PATTERN)
    statement: str = Field(min_length=1)
    falsified_if: str = Field(min_length=1)
    keywords: TextList = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)


class Source(_Strict):
    """A reference the thesis rests on."""

    title: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")


def _source(value: object) -> object:
    return {"title": value} if isinstance(value, str) else value


class Thesis(_Strict):
    """A whole thesis file."""

    title: str = Field(min_length=1)
    id: str = Field(pattern=SLUG_PATTERN)
    category: str | None = None
    sector: str | None = None
    opened: Date
    benchmark: Ticker | None = None
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    summary: str | None = None
    positions: list[Position] = Field(min_length=1)
    assumptions: list[Assumption] = Field(default_factory=list)
    risks: TextList = Field(default_factory=list)
    feeds: TextList = Field(default_factory=list)
    sources: list[Annotated[Source, BeforeValidator(_source)]] = Field(default_factory=list)

    @property
    def tickers(self) -> list[str]:
        """Position tickers in file order."""
        return [p.ticker for p in self.positions]

    def position(self, ticker: str) -> Position | None:
        return next((p for p in self.positions if p.ticker == ticker), None)

    def horizon_date(self, position: Position) -> dt.date:
        """The date a position's target is due: `until`, or `opened + horizon`."""
        if position.until is not None:
            return position.until
        assert position.horizon is not None, "validated theses always have horizon or until"
        return position.horizon.after(self.opened)
