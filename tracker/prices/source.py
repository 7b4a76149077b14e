"""The price-source interface every provider implements, and the factory from settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from tracker.errors import SettingsError
from tracker.settings import Settings

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


def tickers_for(theses: Iterable[object]) -> list[str]:
    """Every ticker the theses need: positions, benchmarks and FX pairs, each once, sorted."""
    from tracker.portfolio.performance import fx_pair, position_currency

    need: set[str] = set()
    for thesis in theses:
        for pos in thesis.positions:  # type: ignore[attr-defined]
            need.add(pos.ticker)
            cur = position_currency(thesis, pos)  # type: ignore[arg-type]
            if cur != thesis.currency:  # type: ignore[attr-defined]
                need.add(fx_pair(cur, thesis.currency))  # type: ignore[attr-defined]
        if thesis.benchmark:  # type: ignore[attr-defined]
            need.add(thesis.benchmark)  # type: ignore[attr-defined]
    return sorted(need)


def make_source(settings: Settings) -> PriceSource:
    """The source named by `TRACKER_PRICE_SOURCE`."""
    spec = settings.price_source
    if spec == "yahoo":
        from tracker.prices.yahoo import YahooSource

        return YahooSource(cache_dir=settings.cache_dir / "yfinance")
    if spec == "demo":
        from tracker.prices.demo import DemoSource

        return DemoSource()
    if spec.startswith("csv:"):
        from tracker.prices.csv_source import CsvSource

        path = Path(spec[4:])
        if not path.exists():
            raise SettingsError(f"TRACKER_PRICE_SOURCE={spec}: file {path} does not exist")
        return CsvSource(path)
    raise SettingsError(f"TRACKER_PRICE_SOURCE={spec!r}: use yahoo, demo or csv:PATH")
