"""Price sources against inputs in their real formats: yfinance frames, CSV files, the sample."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.support.yahoo_frames import FakeYahoo, download_frame, empty_download
from tracker.prices.csv_source import CsvSource
from tracker.prices.demo import SAMPLE, DemoSource, demo_closes
from tracker.prices.yahoo import YahooSource, closes_from_download

D = dt.date
FIXTURE = Path(__file__).parent / "fixtures" / "prices" / "known.csv"


@pytest.mark.parametrize("group_by", ["column", "ticker"])
def test_multiindex_frames_parse_with_a_failed_ticker_block(group_by):
    frame = download_frame({"NET": [200.0, 201.5, None, 203.0], "BAD": [None, None, None, None]}, D(2026, 6, 11), group_by)
    closes, empty = closes_from_download(frame, ["NET", "BAD"])
    assert empty == {"BAD"}
    assert closes["ticker"].tolist() == ["NET"] * 3  # the NaN day is dropped, not stored
    assert closes["close"].tolist() == [200.0, 201.5, 203.0]
    assert [d.date() for d in closes["date"]] == [D(2026, 6, 11), D(2026, 6, 12), D(2026, 6, 16)]


def test_single_ticker_flat_frame_and_empty_offline_frame():
    frame = download_frame({"NVDA": [190.0, 191.0]}, D(2026, 6, 11)).droplevel(1, axis=1)
    closes, empty = closes_from_download(frame, ["NVDA"])
    assert empty == set() and closes["close"].tolist() == [190.0, 191.0]
    closes, empty = closes_from_download(empty_download(), ["NVDA", "NET"])
    assert closes.empty and empty == {"NVDA", "NET"}


def test_timezone_aware_index_is_normalised_to_dates():
    frame = download_frame({"ASML.AS": [600.0]}, D(2026, 6, 11))
    frame.index = frame.index.tz_localize("Europe/Amsterdam")
    closes, _ = closes_from_download(frame, ["ASML.AS"])
    assert closes["date"].iloc[0] == pd.Timestamp("2026-06-11")


def _table(tickers, start=D(2026, 6, 1), days=20):
    idx = pd.bdate_range(start, periods=days)
    return {t: pd.Series(np.linspace(100, 120, days), index=idx) for t in tickers}


def test_yahoo_reports_failures_by_ticker_with_yfinances_reason():
    fake = FakeYahoo(_table(["NET", "QQQ"]), errors={"NOPE": "YFTzMissingError('possibly delisted; no timezone found')"})
    source = YahooSource(download=fake, sleep=lambda s: None)
    result = source.fetch(["NET", "NOPE", "QQQ"], D(2026, 6, 1), D(2026, 6, 30))
    assert set(result.closes["ticker"]) == {"NET", "QQQ"}
    assert result.failures == {"NOPE": "not found at Yahoo (possibly delisted; no timezone found)"}
    assert result.requests == 1 and len(fake.calls) == 1
    call = fake.calls[0]
    assert call["auto_adjust"] is True and call["progress"] is False
    assert call["end"] == "2026-07-01"  # yfinance's end is exclusive


def test_yahoo_backs_off_on_rate_limit_then_succeeds():
    slept = []
    fake = FakeYahoo(_table(["NET"]), rate_limited=2)
    source = YahooSource(download=fake, sleep=slept.append, backoff=(1.0, 2.0, 4.0))
    result = source.fetch(["NET"], D(2026, 6, 1), D(2026, 6, 30))
    assert result.failures == {} and len(result.closes) == 20
    assert slept == [1.0, 2.0] and result.requests == 3


def test_yahoo_rate_limit_back_off_is_bounded():
    slept = []
    fake = FakeYahoo(_table(["NET"]), rate_limited=99)
    result = YahooSource(download=fake, sleep=slept.append, backoff=(1.0, 2.0)).fetch(["NET"], D(2026, 6, 1), D(2026, 6, 30))
    assert slept == [1.0, 2.0] and "Too Many Requests" in result.failures["NET"]


def test_yahoo_network_exception_becomes_per_ticker_failures():
    def boom(*a, **k):
        raise ConnectionError("name resolution failed")

    result = YahooSource(download=boom, sleep=lambda s: None).fetch(["NET", "QQQ"], D(2026, 6, 1), D(2026, 6, 2))
    assert result.failures == {"NET": "Yahoo unreachable: name lookup failed", "QQQ": "Yahoo unreachable: name lookup failed"}


def test_yahoo_cache_goes_under_the_data_folder(tmp_path):

    YahooSource(cache_dir=tmp_path / "cache" / "yfinance", download=FakeYahoo({}))
    assert (tmp_path / "cache" / "yfinance").is_dir()
    from yfinance.cache import _TzDBManager

    assert str(_TzDBManager.get_location()).startswith(str(tmp_path))


def test_csv_source_filters_by_ticker_and_window_and_reports_unknown():
    result = CsvSource(FIXTURE).fetch(["AAA", "ZZZ"], D(2026, 6, 12), D(2026, 6, 16))
    assert result.closes["close"].tolist() == [104.0, 98.0, 110.0]
    assert result.failures == {"ZZZ": "not in known.csv"}


def test_csv_source_with_missing_columns_fails_cleanly(tmp_path):
    bad = tmp_path / "p.csv"
    bad.write_text("day,symbol,price\n2026-06-11,NET,1\n")
    result = CsvSource(bad).fetch(["NET"], D(2026, 6, 1), D(2026, 6, 30))
    assert "need the columns date,ticker,close" in result.failures["NET"]


def test_demo_is_deterministic_and_stable_as_days_pass():
    a = demo_closes(D(2026, 11, 24))
    b = demo_closes(D(2027, 3, 1))
    pd.testing.assert_frame_equal(a, b.loc[a.index])
    assert set(a.columns) == set(SAMPLE)
    assert (a > 0).all().all()
    assert a.loc["2026-06-11", "NET"] == SAMPLE["NET"].level_at_anchor


def test_demo_source_reports_tickers_outside_the_sample():
    result = DemoSource().fetch(["NET", "AAPL"], D(2026, 11, 1), D(2026, 11, 24))
    assert set(result.closes["ticker"]) == {"NET"}
    assert "not in the bundled sample" in result.failures["AAPL"]


def _offline_download(tickers, *args, **kwargs):
    """What yfinance 1.x does offline: network errors logged on the way, then "possibly delisted"."""
    log = logging.getLogger("yfinance")
    log.warning("Cookie/crumb fetch failed (DNSError), continuing without crumb")
    log.error("\n%d Failed downloads:", len(tickers))
    log.error(f"{list(tickers)!r}: possibly delisted; no price data found  (1d 2026-06-01 -> 2026-07-01)")
    return empty_download()


@pytest.mark.parametrize(
    ("download", "expected"),
    [
        (_offline_download, "Yahoo unreachable: name lookup failed"),
        (FakeYahoo({}, errors={"NET": "DNSError('Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com')"}),
         "Yahoo unreachable: name lookup failed"),
        (FakeYahoo({}, errors={"NET": "ConnectionError('Connection refused')"}), "Yahoo unreachable: connection refused"),
        (FakeYahoo({}, errors={"NET": "possibly delisted; no price data found"}), "not found at Yahoo (possibly delisted; no price data found)"),
        (FakeYahoo({}, errors={"NET": "YFTzMissingError('possibly delisted; no timezone found')"}),
         "not found at Yahoo (possibly delisted; no timezone found)"),
    ],
)
def test_yahoo_tells_a_network_failure_from_an_unknown_ticker(download, expected):
    result = YahooSource(download=download, sleep=lambda s: None).fetch(["NET"], D(2026, 6, 1), D(2026, 6, 30))
    assert result.failures == {"NET": expected}


@pytest.mark.timeout(20)
def test_a_hung_yahoo_download_fails_at_its_deadline_and_later_batches_do_not_wait_again():
    release = threading.Event()
    calls = []

    def hang(tickers, *args, **kwargs):
        calls.append(list(tickers))
        release.wait(15)
        return empty_download()

    source = YahooSource(download=hang, sleep=lambda s: None, deadline=0.5)
    try:
        first = source.fetch(["NET", "QQQ"], D(2026, 6, 1), D(2026, 6, 30))
        second = source.fetch(["DDOG"], D(2026, 6, 1), D(2026, 6, 30))
    finally:
        release.set()
    assert first.failures == {"NET": "Yahoo unreachable: no answer within 0.5s", "QQQ": "Yahoo unreachable: no answer within 0.5s"}
    assert second.failures["DDOG"].startswith("Yahoo unreachable: skipped")
    assert calls == [["NET", "QQQ"]]
