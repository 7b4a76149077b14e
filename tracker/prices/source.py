"""The price-source interface every provider implements: daily closes in long form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

CLOSE_COLUMNS = ["date", "ticker", "close", "currency"]


def empty_closes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("ticker", "currency") else float) for c in CLOSE_COLUMNS}).assign(
        date=pd.Series(dtype="datetime64[ns]")
    )[CLOSE_COLUMNS]


@dataclass
class FetchResult:
    """Closes in long form (date, ticker, close, currency) and a reason per failed ticker."""

    closes: pd.DataFrame = field(default_factory=empty_closes)
    failures: dict[str, str] = field(default_factory=dict)
    requests: int = 0


class PriceSource(Protocol):
    """A provider of daily closes. Never raises for one bad ticker: reports it in `failures`."""

    name: str
    batch_size: int

    def fetch(self, tickers: Sequence[str], start: dt.date, end: dt.date) -> FetchResult:
        """Closes for `tickers` from `start` to `end` inclusive, in one request where possible."""
        ...
