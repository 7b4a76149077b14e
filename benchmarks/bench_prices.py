"""Prices: requests and time of a first and an incremental refresh against a fake Yahoo with a
fixed delay per request (500 tickers × 10 years), the store's upsert rate against a plain
executemany insert, and portfolio maths for a 50-position thesis over 10 years."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from common import figure, machine, timed

from tests.support.yahoo_frames import FakeYahoo
from tracker.portfolio.calculator import thesis_performance
from tracker.prices.stage import refresh_prices
from tracker.prices.store import upsert_closes
from tracker.prices.yahoo import YahooSource
from tracker.settings import load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import Price
from tracker.validation import parse_thesis_text

N_TICKERS = 500
YEARS = 10
DELAY = 0.05  # seconds per request, standing in for Yahoo's latency
TODAY = dt.date(2026, 11, 20)


class SlowFake(FakeYahoo):
    def __call__(self, *args, **kwargs):
        time.sleep(DELAY)
        return super().__call__(*args, **kwargs)


def theses(tickers: list[str], opened: dt.date):
    out = []
    for i in range(0, len(tickers), 50):
        group = tickers[i : i + 50]
        positions = "\n".join(f"  - {{ticker: {t}, weight: 2%, upside: 20%, horizon: 2y}}" for t in group)
        out.append(parse_thesis_text(f"title: B{i}\nopened: {opened}\npositions:\n{positions}\n", f"b{i}.yaml", f"b{i}"))
    return out


def main() -> int:
    print(f"# prices benchmark on {machine()}")
    ok = True
    tickers = [f"T{i:03d}" for i in range(N_TICKERS)]
    idx = pd.bdate_range(TODAY - dt.timedelta(days=365 * YEARS + 400), TODAY + dt.timedelta(days=1))
    rng = np.random.default_rng(7)
    table = {t: pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx)))), index=idx) for t in tickers}
    fake = SlowFake(table)
    ths = theses(tickers, TODAY - dt.timedelta(days=365 * YEARS))
    t: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{tmp}/bench.db")
        settings = dataclasses.replace(load_settings({}), default_feeds=())
        source = YahooSource(download=fake, sleep=lambda s: None)
        with timed(t, "first"):
            first = refresh_prices(engine, ths, settings, source=source, today=TODAY)
        req_first = len(fake.calls)
        with timed(t, "next"):
            refresh_prices(engine, ths, settings, source=source, today=TODAY + dt.timedelta(days=1))
        req_next = len(fake.calls) - req_first
        batches = -(-N_TICKERS // source.batch_size)
        ok &= figure("first refresh: requests", f"{req_first}", f"one per batch ({batches})", req_first == batches)
        ok &= figure("first refresh: closes stored", f"{first.counts['prices_stored']:,}")
        ok &= figure("first refresh: time", f"{t['first']:.2f} s")
        ok &= figure("incremental next-day refresh: requests", f"{req_next}", f"one per batch ({batches})", req_next == batches)
        ok &= figure("incremental refresh time / first refresh time", f"{t['next'] / t['first']:.1%}", "< 10%", t["next"] / t["first"] < 0.10)

        # upsert vs plain executemany of the same rows into an empty copy of the table
        rows = pd.DataFrame({"date": np.repeat(idx[:2000].values, 100), "ticker": np.tile([f"U{i}" for i in range(100)], 2000), "close": 1.0, "currency": None})
        n = len(rows)
        with timed(t, "upsert"), transaction(engine) as s:
            upsert_closes(s, rows, "bench")
        plain = [{"ticker": tk, "date": d.date(), "close": 1.0, "currency": None, "source": "bench", "fetched_at": dt.datetime.now(dt.UTC)}
                 for tk, d in zip(rows["ticker"], pd.to_datetime(rows["date"]), strict=False)]
        engine2 = open_database(f"sqlite:///{tmp}/plain.db")
        with timed(t, "insert"), engine2.begin() as conn:
            conn.execute(Price.__table__.insert(), plain)
        ratio = (n / t["upsert"]) / (n / t["insert"])
        ok &= figure("upsert rate (rows/s)", f"{n / t['upsert']:,.0f}")
        ok &= figure("plain executemany insert rate (rows/s)", f"{n / t['insert']:,.0f}")
        ok &= figure("upsert rate / plain insert rate", f"{ratio:.0%}", ">= 50%", ratio >= 0.5)

        # portfolio maths for a 50-position thesis over 10 years
        closes = pd.DataFrame({tk: table[tk] for tk in tickers[:50]})
        one = ths[0]
        with timed(t, "maths"):
            for _ in range(5):
                thesis_performance(one, closes, TODAY)
        ok &= figure("portfolio maths, 50 positions × 10 years (per thesis)", f"{t['maths'] / 5 * 1000:.0f} ms")
    print(f"summary: prices benchmark {'meets' if ok else 'MISSES'} its goals")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
