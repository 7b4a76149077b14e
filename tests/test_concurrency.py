"""The dashboard reading while a refresh writes: no "database is locked", no half batches seen."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from tracker.prices.csv_source import CsvSource
from tracker.prices.stage import refresh_prices
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import Price
from tracker.validation import parse_thesis_text

pytestmark = pytest.mark.slow
TICKERS = [f"C{i:02d}" for i in range(16)]


class OneByOne(CsvSource):
    batch_size = 1  # one transaction per ticker: the unit a reader must see whole or not at all


def test_readers_never_see_half_a_batch(engine, tmp_path: Path):
    days = pd.bdate_range("2024-01-01", "2026-11-20")
    pd.DataFrame([(d.date().isoformat(), t, 100.0 + i) for i, t in enumerate(TICKERS) for d in days], columns=["date", "ticker", "close"]).to_csv(tmp_path / "p.csv", index=False)
    positions = "\n".join(f"  - {{ticker: {t}, weight: 6.25%, horizon: 1y}}" for t in TICKERS)
    thesis = parse_thesis_text(f"title: C\nopened: 2026-06-11\npositions:\n{positions}\n", "c.yaml", "c")
    settings = load_settings({})
    errors: list[BaseException] = []
    seen_counts: set[int] = set()
    done = threading.Event()

    def writer() -> None:
        try:
            refresh_prices(engine, [thesis], settings, source=OneByOne(tmp_path / "p.csv"))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            done.set()

    def reader() -> None:
        try:
            while not done.is_set():
                with transaction(engine) as s:
                    counts = dict(s.execute(select(Price.ticker, func.count()).group_by(Price.ticker)).all())
                seen_counts.update(counts.values())
                time.sleep(0.001)
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(6)]
    for r in readers:
        r.start()
    w = threading.Thread(target=writer)
    w.start()
    w.join(timeout=120)
    for r in readers:
        r.join(timeout=30)
    assert not errors, errors
    full = len(days[days >= pd.Timestamp("2025-05-07")])  # 400 days of look-back before opening
    assert seen_counts == {full}, f"readers saw partly written tickers: {sorted(seen_counts)[:5]}"
    with transaction(engine) as s:
        assert s.scalar(select(func.count(func.distinct(Price.ticker)))) == len(TICKERS)
