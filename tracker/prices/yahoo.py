"""Yahoo Finance through yfinance 1.x: batched, adjusted daily closes, with per-ticker failures.

yfinance never raises for a ticker that failed: it logs `['SYM']: reason` on its logger and
returns a NaN column block (or an empty frame when nothing came at all). This adapter captures
those log records to name the reason, treats an all-NaN block as a failure, and backs off a
bounded number of times when Yahoo answers 429 (rate limit).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from tracker.prices.source import CLOSE_COLUMNS, FetchResult, empty_closes

log = logging.getLogger(__name__)

RATE_LIMIT_MARKERS = ("YFRateLimitError", "Too Many Requests", "Rate limited", "429")
BACKOFF_SECONDS = (5.0, 15.0, 45.0)
_SYMBOLS = re.compile(r"^\[(?P<syms>[^\]]*)\]:\s*(?P<reason>.*)$", re.S)

Downloader = Callable[..., pd.DataFrame | None]


class _Capture(logging.Handler):
    """Collects yfinance's per-ticker error lines during one download."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.reasons: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        m = _SYMBOLS.match(record.getMessage().strip())
        if not m:
            return
        for sym in re.findall(r"'([^']+)'", m.group("syms")):
            self.reasons[sym.upper()] = m.group("reason").strip()


def closes_from_download(frame: pd.DataFrame | None, tickers: Sequence[str]) -> tuple[pd.DataFrame, set[str]]:
    """Long-form closes from a `yf.download` frame, and the tickers that came back empty.

    Handles the shapes yfinance 1.x returns: MultiIndex columns (Price, Ticker) with
    group_by="column", (Ticker, Price) with group_by="ticker", flat columns for one ticker with
    multi_level_index=False, and the empty frame of a fully failed request.
    """
    wanted = [t.upper() for t in tickers]
    if frame is None or frame.empty:
        return empty_closes(), set(wanted)
    cols = frame.columns
    if isinstance(cols, pd.MultiIndex):
        level_names = [str(n) for n in cols.names]
        if "Price" in level_names:
            price_level = level_names.index("Price")
        else:
            price_level = 0 if "Close" in cols.get_level_values(0) else 1
        close = frame.xs("Close", axis=1, level=price_level)
    else:
        if "Close" not in cols or len(wanted) != 1:
            return empty_closes(), set(wanted)
        close = frame[["Close"]].rename(columns={"Close": wanted[0]})
    close = close.copy()
    close.columns = [str(c).upper() for c in close.columns]
    index = pd.DatetimeIndex(close.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    close.index = index.normalize()
    close.index.name = "date"
    long = close.reset_index().melt(id_vars="date", var_name="ticker", value_name="close")
    long = long.dropna(subset=["close"])
    long = long[long["close"] > 0]
    long["currency"] = None
    got = set(long["ticker"].unique())
    return long[CLOSE_COLUMNS].reset_index(drop=True), {t for t in wanted if t not in got}


class YahooSource:
    """The default source. One `yf.download` per batch of tickers sharing a start date."""

    name = "yahoo"
    batch_size = 50

    def __init__(
        self,
        cache_dir: Path | None = None,
        download: Downloader | None = None,
        sleep: Callable[[float], None] = time.sleep,
        backoff: Sequence[float] = BACKOFF_SECONDS,
        timeout: float = 20.0,
    ) -> None:
        import yfinance as yf

        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            yf.set_tz_cache_location(str(cache_dir))
        self._download: Downloader = download or yf.download
        self._sleep = sleep
        self._backoff = tuple(backoff)
        self._timeout = timeout

    def _once(self, tickers: Sequence[str], start: dt.date, end: dt.date) -> tuple[pd.DataFrame, dict[str, str]]:
        capture = _Capture()
        yf_log = logging.getLogger("yfinance")
        yf_log.addHandler(capture)
        try:
            frame = self._download(
                list(tickers),
                start=start.isoformat(),
                end=(end + dt.timedelta(days=1)).isoformat(),  # yfinance's end is exclusive
                auto_adjust=True,
                actions=False,
                group_by="column",
                multi_level_index=True,
                progress=False,
                threads=True,
                timeout=self._timeout,
            )
        except Exception as exc:  # network stack errors escape yfinance in some versions
            log.warning("yfinance download failed for %d tickers: %s", len(tickers), exc)
            return empty_closes(), {t.upper(): f"download failed: {exc}" for t in tickers}
        finally:
            yf_log.removeHandler(capture)
        closes, empty = closes_from_download(frame, tickers)
        failures = {t: capture.reasons.get(t, "no data returned (unknown symbol, delisted, or no trading in the window)") for t in empty}
        return closes, failures

    def fetch(self, tickers: Sequence[str], start: dt.date, end: dt.date) -> FetchResult:
        closes, failures = self._once(tickers, start, end)
        requests = 1
        frames = [closes]
        for delay in self._backoff:
            limited = [t for t, why in failures.items() if any(m in why for m in RATE_LIMIT_MARKERS)]
            if not limited:
                break
            log.warning("Yahoo rate limit for %d tickers; retrying in %.0fs", len(limited), delay)
            self._sleep(delay)
            more, again = self._once(limited, start, end)
            requests += 1
            frames.append(more)
            for t in limited:
                failures.pop(t, None)
            failures.update(again)
        merged = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(not f.empty for f in frames) else empty_closes()
        return FetchResult(closes=merged, failures=failures, requests=requests)
