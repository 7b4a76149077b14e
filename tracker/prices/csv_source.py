"""Prices from a CSV file with the columns `date,ticker,close` and optionally `currency`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from tracker.errors import SourceError
from tracker.prices.source import CLOSE_COLUMNS, FetchResult


class CsvSource:
    """For users with their own data, for tests and for offline use."""

    name = "csv"
    batch_size = 1000

    def __init__(self, path: Path) -> None:
        self.path = path
        self._frame: pd.DataFrame | None = None

    def _load(self) -> pd.DataFrame:
        if self._frame is None:
            try:
                frame = pd.read_csv(self.path, dtype={"ticker": str, "currency": str})
            except (OSError, ValueError, pd.errors.ParserError) as exc:
                raise SourceError(str(self.path), f"cannot read CSV prices: {exc}") from None
            missing = {"date", "ticker", "close"} - set(frame.columns)
            if missing:
                raise SourceError(str(self.path), f"CSV prices need the columns date,ticker,close; missing {sorted(missing)}")
            frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
            frame["close"] = pd.to_numeric(frame["close"], errors="coerce")
            if "currency" not in frame.columns:
                frame["currency"] = None
            self._frame = frame.dropna(subset=["date", "ticker", "close"])[CLOSE_COLUMNS]
        return self._frame

    def fetch(self, tickers: Sequence[str], start: dt.date, end: dt.date) -> FetchResult:
        try:
            frame = self._load()
        except SourceError as exc:
            return FetchResult(failures={t: exc.reason for t in tickers}, requests=1)
        window = frame[
            frame["ticker"].isin(list(tickers))
            & (frame["date"] >= pd.Timestamp(start))
            & (frame["date"] <= pd.Timestamp(end))
        ]
        known = set(frame["ticker"].unique())
        failures = {t: f"not in {self.path.name}" for t in tickers if t not in known}
        return FetchResult(closes=window.reset_index(drop=True), failures=failures, requests=1)
