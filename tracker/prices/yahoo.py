"""Yahoo Finance through yfinance 1.x: batched, adjusted daily closes, with per-ticker failures.

yfinance never raises for a ticker that failed: it logs `['SYM']: reason` on its logger and
returns a NaN column block (or an empty frame when nothing came at all). This adapter captures
those log records to name the reason, treats an all-NaN block as a failure, and backs off a
bounded number of times when Yahoo answers 429 (rate limit).

Offline, yfinance reports a network failure in the same words as an unknown symbol ("possibly
delisted; no price data found"); the network errors it logs on the way (a failed DNS lookup, a
refused connection, a timeout) tell the two apart, so a failure is recorded either as "Yahoo
unreachable: …" (retried next run, nothing wrong with the ticker) or "not found at Yahoo (…)".

yfinance's `timeout` bounds each HTTP read, not a download: retries, crumb fetches and a server
that trickles bytes can hold it far longer. Each download runs in a worker thread the adapter
waits for at most `deadline` seconds; past it, the batch fails as unreachable and the rest of the
run does not call Yahoo again (the abandoned download ends by its own timeouts; starting another
next to it would share yfinance's module-level state).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from tracker.prices.source import CLOSE_COLUMNS, FetchResult, empty_closes

log = logging.getLogger(__name__)

RATE_LIMIT_MARKERS = ("YFRateLimitError", "Too Many Requests", "Rate limited", "429")
BACKOFF_SECONDS = (5.0, 15.0, 45.0)
_SYMBOLS = re.compile(r"^\[(?P<syms>[^\]]*)\]:\s*(?P<reason>.*)$", re.S)
_FAILED_TICKER = re.compile(r"^Failed to get ticker '(?P<sym>[^']+)' reason:\s*(?P<reason>.*)$", re.S)
# What network failures look like in yfinance's, curl's and requests' messages, and how to say it.
_NETWORK = (
    (re.compile(r"(?i)resolv|resolution|name lookup|getaddrinfo|DNSError|Name or service not known"), "name lookup failed"),
    (re.compile(r"(?i)timed? ?out|Timeout"), "timed out"),
    (re.compile(r"(?i)refused"), "connection refused"),
    (re.compile(r"(?i)SSL|TLS|certificate"), "secure connection failed"),
    (re.compile(r"(?i)ConnectionError|ConnectError|Connection (?:aborted|reset)|unreachable|curl: \(\d+\)|Failed to perform|ProxyError"),
     "network error"),
)
NOT_FOUND = "not found at Yahoo"
UNREACHABLE = "Yahoo unreachable"

Downloader = Callable[..., pd.DataFrame | None]


def network_problem(text: str) -> str | None:
    """A short human name for the network failure `text` describes, or None when it is none."""
    for pattern, said in _NETWORK:
        if pattern.search(text):
            return said
    return None


def _unwrapped(reason: str) -> str:
    """yfinance's reason without its exception wrapper: `YFTzMissingError('x')` → `x`."""
    m = re.fullmatch(r"\w+\((['\"])(?P<text>.*)\1\)", reason.strip(), re.S)
    return (m.group("text") if m else reason).strip()


def describe(reason: str | None, network: str | None) -> str:
    """The failure recorded for one ticker: unreachable (network) or not found, short and human.

    `network` is a network failure seen anywhere in the download (a crumb fetch that failed on
    DNS makes every "possibly delisted" of that download a network failure).
    """
    reason = (reason or "").strip()
    if any(m in reason for m in RATE_LIMIT_MARKERS):
        return reason
    problem = network_problem(reason) or network
    if problem:
        return f"{UNREACHABLE}: {problem}"
    detail = _unwrapped(reason)[:120] or "possibly delisted, or no trading in the window"
    return f"{NOT_FOUND} ({detail})"


class _Capture(logging.Handler):
    """Collects yfinance's per-ticker error lines, and any network failure, during one download."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.reasons: dict[str, str] = {}
        self.network: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage().strip()
        m = _SYMBOLS.match(text)
        if m:
            for sym in re.findall(r"'([^']+)'", m.group("syms")):
                self.reasons[sym.upper()] = m.group("reason").strip()
            return
        m = _FAILED_TICKER.match(text)
        problem = network_problem(text)
        if m and problem:
            self.reasons.setdefault(m.group("sym").upper(), m.group("reason").strip())
        if problem and self.network is None:
            self.network = problem


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
        deadline: float = 120.0,
    ) -> None:
        import yfinance as yf

        if cache_dir is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            yf.set_tz_cache_location(str(cache_dir))
        self._download: Downloader = download or yf.download
        self._sleep = sleep
        self._backoff = tuple(backoff)
        self._timeout = timeout
        self._deadline = deadline
        self._hung = False  # a download ran past its deadline: Yahoo is not called again by this source

    def _download_within_deadline(self, tickers: Sequence[str], start: dt.date, end: dt.date) -> pd.DataFrame | None:
        """The download, run in a worker thread waited for at most the deadline; TimeoutError past it."""
        box: dict[str, object] = {}

        def work() -> None:
            try:
                box["frame"] = self._download(
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
            except BaseException as exc:  # handed to the waiting thread
                box["error"] = exc

        worker = threading.Thread(target=work, name="yahoo-download", daemon=True)
        worker.start()
        worker.join(self._deadline)
        if worker.is_alive():
            self._hung = True
            raise TimeoutError(f"no answer within {self._deadline:g}s")
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box.get("frame")  # type: ignore[return-value]

    def _once(self, tickers: Sequence[str], start: dt.date, end: dt.date) -> tuple[pd.DataFrame, dict[str, str]]:
        if self._hung:
            return empty_closes(), {t.upper(): f"{UNREACHABLE}: skipped, an earlier request took longer than {self._deadline:g}s" for t in tickers}
        capture = _Capture()
        yf_log = logging.getLogger("yfinance")
        yf_log.addHandler(capture)
        try:
            frame = self._download_within_deadline(tickers, start, end)
        except TimeoutError as exc:
            log.warning("Yahoo download of %d tickers took too long: %s", len(tickers), exc)
            return empty_closes(), {t.upper(): f"{UNREACHABLE}: {exc}" for t in tickers}
        except Exception as exc:  # network stack errors escape yfinance in some versions
            log.warning("yfinance download failed for %d tickers: %s", len(tickers), exc)
            problem = network_problem(f"{type(exc).__name__} {exc}")
            said = f"{UNREACHABLE}: {problem}" if problem else f"download failed: {type(exc).__name__}: {str(exc)[:200]}"
            return empty_closes(), {t.upper(): said for t in tickers}
        finally:
            yf_log.removeHandler(capture)
        closes, empty = closes_from_download(frame, tickers)
        failures = {t: describe(capture.reasons.get(t), capture.network) for t in empty}
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
