"""Frames in the exact shapes yfinance 1.x `download` returns, for fakes at the adapter boundary.

With group_by="column" and multi_level_index=True (the defaults) the columns are a MultiIndex
named ("Price", "Ticker") with the price fields sorted (Close, High, Low, Open, Volume); the index
is a DatetimeIndex named "Date". A ticker that failed keeps its column block, all NaN; when every
ticker fails the frame is empty.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

FIELDS = ["Close", "High", "Low", "Open", "Volume"]


def download_frame(closes: dict[str, list[float | None]], start: dt.date, group_by: str = "column") -> pd.DataFrame:
    """A `yf.download` result for these tickers over business days from `start`."""
    n = max(len(v) for v in closes.values())
    index = pd.DatetimeIndex(pd.bdate_range(start, periods=n), name="Date")
    blocks = {}
    for ticker, values in closes.items():
        close = np.array([np.nan if v is None else v for v in values] + [np.nan] * (n - len(values)), dtype=float)
        blocks[(ticker, "Close")] = close
        blocks[(ticker, "High")] = close * 1.01
        blocks[(ticker, "Low")] = close * 0.99
        blocks[(ticker, "Open")] = close
        blocks[(ticker, "Volume")] = np.where(np.isnan(close), np.nan, 1_000_000.0)
    frame = pd.DataFrame(blocks, index=index)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["Ticker", "Price"])
    if group_by == "column":
        frame.columns = frame.columns.swaplevel(0, 1)
        frame = frame.sort_index(level=0, axis=1)
    return frame


def empty_download() -> pd.DataFrame:
    """What yfinance returns when every ticker failed (offline): no rows at all."""
    return pd.DataFrame(columns=pd.MultiIndex.from_tuples([], names=["Price", "Ticker"]), index=pd.DatetimeIndex([], name="Date"))


class FakeYahoo:
    """Stands in for `yf.download`: serves a price table, logs failures the way yfinance does."""

    def __init__(self, table: dict[str, pd.Series], errors: dict[str, str] | None = None, rate_limited: int = 0) -> None:
        self.table = table
        self.errors = errors or {}
        self.rate_limited = rate_limited
        self.calls: list[dict] = []

    def __call__(self, tickers: Sequence[str], start: str, end: str, **kwargs) -> pd.DataFrame:
        self.calls.append({"tickers": list(tickers), "start": start, "end": end, **kwargs})
        log = logging.getLogger("yfinance")
        if self.rate_limited > 0:
            self.rate_limited -= 1
            log.error("\n%d Failed downloads:", len(tickers))
            log.error(f"{list(tickers)!r}: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')")
            return empty_download()
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
        data = {}
        failed = []
        for t in tickers:
            series = self.table.get(t)
            if t in self.errors or series is None:
                failed.append(t)
                continue
            data[t] = series[(series.index >= lo) & (series.index < hi)]
        if failed:
            log.error("\n%d Failed downloads:", len(failed))
            for t in failed:
                log.error(f"['{t}']: " + self.errors.get(t, "YFTzMissingError('possibly delisted; no timezone found')"))
        if not data:
            return empty_download()
        index = pd.DatetimeIndex(sorted(set().union(*[s.index for s in data.values()])), name="Date")
        blocks = {}
        for t in tickers:
            close = data[t].reindex(index) if t in data else pd.Series(np.nan, index=index)
            for f in FIELDS:
                blocks[(f, t)] = close.values if f != "Volume" else np.where(close.isna(), np.nan, 1e6)
        frame = pd.DataFrame(blocks, index=index)
        frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["Price", "Ticker"])
        return frame.sort_index(level=0, axis=1)
