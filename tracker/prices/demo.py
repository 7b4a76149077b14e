"""The bundled sample: deterministic synthetic daily closes for the worked example.

These are NOT market prices. Each series is a seeded random walk (geometric Brownian motion on
business days) scaled to a plausible level on the thesis's opening day, so the demo tells a mixed
story: some positions ahead of their path, some behind. The same day always gives the same
close, whatever the end date, because each walk starts at a fixed date with a fixed seed.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.prices.source import CLOSE_COLUMNS, FetchResult

SERIES_START = dt.date(2026, 1, 2)
ANCHOR_DAY = dt.date(2026, 6, 11)
SAMPLE_LABEL = "sample data, not market prices"


@dataclass(frozen=True)
class SampleSeries:
    level_at_anchor: float
    annual_drift: float
    annual_vol: float
    currency: str = "USD"


SAMPLE: dict[str, SampleSeries] = {
    "NET": SampleSeries(220.0, 0.40, 0.42),
    "DDOG": SampleSeries(227.0, 0.08, 0.38),
    "ESTC": SampleSeries(61.0, -0.25, 0.36),
    "MDB": SampleSeries(300.0, 0.18, 0.40),
    "NVDA": SampleSeries(190.0, 0.28, 0.40),
    "SNOW": SampleSeries(210.0, -0.12, 0.42),
    "CFLT": SampleSeries(29.5, 0.05, 0.40),
    "QQQ": SampleSeries(540.0, 0.10, 0.18),
    # the closed example thesis
    "AMZN": SampleSeries(215.0, 0.06, 0.30),
    "MSFT": SampleSeries(470.0, -0.04, 0.26),
    "GOOGL": SampleSeries(180.0, 0.12, 0.30),
    # the on-track example thesis
    "VRT": SampleSeries(120.0, 0.45, 0.22),
    "CEG": SampleSeries(300.0, 0.35, 0.20),
}


def _walk(ticker: str, spec: SampleSeries, days: pd.DatetimeIndex) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(f"thesis-tracker-sample:{ticker}".encode()))
    dt_year = 1.0 / 252.0
    shocks = rng.standard_normal(len(days))
    steps = (spec.annual_drift - 0.5 * spec.annual_vol**2) * dt_year + spec.annual_vol * np.sqrt(dt_year) * shocks
    steps[0] = 0.0
    path = np.exp(np.cumsum(steps))
    anchor = int(np.searchsorted(days.values, np.datetime64(ANCHOR_DAY)))
    anchor = min(anchor, len(days) - 1)
    return np.round(path / path[anchor] * spec.level_at_anchor, 2)


def demo_closes(end: dt.date, tickers: Sequence[str] | None = None) -> pd.DataFrame:
    """Wide frame (business days × ticker) of sample closes from SERIES_START to `end`."""
    horizon = max(end, ANCHOR_DAY + dt.timedelta(days=1))
    all_days = pd.bdate_range(SERIES_START, horizon)
    wanted = [t for t in (tickers or SAMPLE) if t in SAMPLE]
    frame = pd.DataFrame({t: _walk(t, SAMPLE[t], all_days) for t in wanted}, index=all_days)
    return frame[frame.index <= pd.Timestamp(end)]


class DemoSource:
    """A `PriceSource` over the sample; tickers outside the sample fail with a clear reason."""

    name = "demo"
    batch_size = 100

    def fetch(self, tickers: Sequence[str], start: dt.date, end: dt.date) -> FetchResult:
        wide = demo_closes(end, tickers)
        wide = wide[wide.index >= pd.Timestamp(start)]
        long = wide.rename_axis("date").reset_index().melt(id_vars="date", var_name="ticker", value_name="close")
        long["currency"] = long["ticker"].map(lambda t: SAMPLE[t].currency)
        failures = {t: "not in the bundled sample (demo prices cover the example theses only)" for t in tickers if t not in SAMPLE}
        return FetchResult(closes=long[CLOSE_COLUMNS], failures=failures, requests=1)
