"""The prices store and stage on SQLite and PostgreSQL: upserts, incremental fetches, failures."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from tests.support.yahoo_frames import FakeYahoo
from tracker.prices.stage import OVERLAP_DAYS, refresh_prices
from tracker.prices.store import last_price_dates, load_closes, upsert_closes
from tracker.prices.yahoo import YahooSource
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import Instrument, Price
from tracker.validation import parse_thesis_text

D = dt.date
THESIS = """
title: Two names
opened: 2026-06-11
benchmark: QQQ
positions:
  - {ticker: NET, weight: 60%, target: 330, horizon: 540d}
  - {ticker: NOPE, weight: 40%, upside: 10%, horizon: 1y}
"""


def long(rows):
    return pd.DataFrame(rows, columns=["date", "ticker", "close", "currency"])


def test_upsert_replaces_corrections_and_never_blanks(engine):
    with transaction(engine) as s:
        upsert_closes(s, long([(D(2026, 6, 11), "NET", 220.0, "USD"), (D(2026, 6, 12), "NET", 221.0, "USD")]), "yahoo")
    with transaction(engine) as s:  # a correction, a NaN (a gap in the provider's answer), a new day
        n = upsert_closes(s, long([(D(2026, 6, 12), "NET", 222.5, None), (D(2026, 6, 11), "NET", np.nan, None), (D(2026, 6, 15), "NET", 223.0, None)]), "yahoo")
    assert n == 2
    closes = load_closes(engine, ["NET"])
    assert closes["NET"].tolist() == [220.0, 222.5, 223.0]
    with transaction(engine) as s:
        assert s.scalar(select(Price.currency).where(Price.date == D(2026, 6, 12))) == "USD"  # kept


def test_load_closes_reads_only_what_is_asked(engine):
    with transaction(engine) as s:
        upsert_closes(s, long([(D(2026, 6, d), t, float(d), None) for d in (10, 11, 12) for t in ("A", "B", "C")]), "csv")
    wide = load_closes(engine, ["B", "A"], start=D(2026, 6, 11))
    assert list(wide.columns) == ["A", "B"]
    assert [d.date() for d in wide.index] == [D(2026, 6, 11), D(2026, 6, 12)]
    assert last_price_dates(engine, ["A", "Z"]) == {"A": D(2026, 6, 12)}


def _fake(days=130):
    idx = pd.bdate_range(D(2025, 5, 1), D(2026, 11, 24))
    rng = np.random.default_rng(1)
    table = {t: pd.Series(100 + rng.standard_normal(len(idx)).cumsum(), index=idx) for t in ("NET", "QQQ")}
    return FakeYahoo(table, errors={"NOPE": "YFTzMissingError('possibly delisted; no timezone found')"})


def test_stage_is_incremental_and_reports_failures(engine):
    thesis = parse_thesis_text(THESIS, "t.yaml", "t")
    settings = load_settings({})
    fake = _fake()
    source = YahooSource(download=fake, sleep=lambda s: None)
    first = refresh_prices(engine, [thesis], settings, source=source, today=D(2026, 11, 20))
    assert first.counts["tickers_ok"] == 2 and first.counts["tickers_failed"] == 1
    assert [(f.kind, f.source) for f in first.failures] == [("ticker", "NOPE")]
    assert "possibly delisted" in first.failures[0].error
    assert len(fake.calls) == 1  # one batched request for all three tickers
    stored = first.counts["prices_stored"]

    second = refresh_prices(engine, [thesis], settings, source=source, today=D(2026, 11, 24))
    assert len(fake.calls) == 3  # one request per start date: the stored pair, and NOPE from scratch
    starts = {c["start"]: c["tickers"] for c in fake.calls[1:]}
    assert starts[(D(2026, 11, 20) - dt.timedelta(days=OVERLAP_DAYS)).isoformat()] == ["NET", "QQQ"]
    assert second.counts["prices_stored"] < stored / 20
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Price)) == stored + 4  # 11-23 and 11-24 × 2
        nope = s.get(Instrument, "NOPE")
        assert nope.consecutive_failures == 2 and "possibly delisted" in nope.last_error
        assert s.get(Instrument, "NET").consecutive_failures == 0


def test_failed_fetch_keeps_stored_prices(engine):
    thesis = parse_thesis_text(THESIS, "t.yaml", "t")
    settings = load_settings({})
    refresh_prices(engine, [thesis], settings, source=YahooSource(download=_fake(), sleep=lambda s: None), today=D(2026, 11, 20))
    before = load_closes(engine, ["NET", "QQQ"])
    offline = FakeYahoo({}, errors={})
    report = refresh_prices(engine, [thesis], settings, source=YahooSource(download=offline, sleep=lambda s: None), today=D(2026, 11, 24))
    assert {f.source for f in report.failures} == {"NET", "QQQ", "NOPE"}
    pd.testing.assert_frame_equal(load_closes(engine, ["NET", "QQQ"]), before)


def test_a_crash_between_batches_leaves_whole_batches(engine):
    thesis = parse_thesis_text(THESIS, "t.yaml", "t")
    fake = _fake()

    class Crashing(YahooSource):
        batch_size = 1
        calls = 0

        def fetch(self, tickers, start, end):
            Crashing.calls += 1
            if Crashing.calls == 2:
                raise KeyboardInterrupt("killed mid-refresh")
            return super().fetch(tickers, start, end)

    with pytest.raises(KeyboardInterrupt):
        refresh_prices(engine, [thesis], load_settings({}), source=Crashing(download=fake, sleep=lambda s: None), today=D(2026, 11, 20))
    with transaction(engine) as s:
        tickers = set(s.scalars(select(Price.ticker).distinct()))
        counts = dict(s.execute(select(Price.ticker, func.count()).group_by(Price.ticker)).all())
    assert tickers == {"NET"}  # the first batch whole, the second not at all
    net = fake.table["NET"].index
    assert counts["NET"] == ((net >= pd.Timestamp(D(2025, 5, 7))) & (net <= pd.Timestamp(D(2026, 11, 20)))).sum()


def test_demo_source_through_settings(engine):
    thesis = parse_thesis_text(THESIS.replace("NOPE", "NVDA"), "t.yaml", "t")
    settings = dataclasses.replace(load_settings({}), price_source="demo")
    report = refresh_prices(engine, [thesis], settings, today=D(2026, 11, 24))
    assert report.ok and report.counts["tickers_ok"] == 3
    with transaction(engine) as s:
        assert set(s.scalars(select(Price.source).distinct())) == {"demo"}
