"""Every database read of the dashboard, cached, each reading only what a page shows.

Pages never touch tables: every read goes through a domain store (prices, news, conditions,
stored figures, job runs), and every figure is the one the refresh stored (or, for a thesis
edited since, the one calculator's: `status_report.current_figures`, as `tracker status` reads
them). Pages never call Yahoo or feeds; "Refresh now" goes through the same `run_refresh` as the
CLI. Every cached read is keyed on `stamp()`: the latest job run (started or finished, by any
process) and the content of the thesis files, so a refresh from the command line or an edit of a
file shows on the next rerun. The one write: loading the theses records what changed in their
files in the version journal (`tracker.journal`), once per distinct content.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from tracker.conditions import store as conditions_store
from tracker.journal import store as journal_store
from tracker.journal.history import VersionChanges
from tracker.news import store as news_store
from tracker.pipeline import runs as job_runs
from tracker.pipeline.lock import running_since
from tracker.portfolio import store as portfolio_store
from tracker.portfolio.calculator import price_window, thesis_performance
from tracker.portfolio.figures import ThesisPerformance
from tracker.prices import store as prices_store
from tracker.redact import redact_text, redact_url
from tracker.settings import Settings, load_settings
from tracker.status_report import current_figures, gap_text
from tracker.status_report import price_gaps as thesis_price_gaps
from tracker.storage.db import open_database, transaction
from tracker.thesis import LoadResult, Thesis
from tracker.thesis.loader import thesis_files
from tracker.thesis.model import required_tickers
from tracker.validation import load_theses

TTL = 3600  # only bounds memory: freshness comes from the `stamp` every cached read is keyed on
Stamp = tuple[Any, str]

log = logging.getLogger(__name__)


def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return open_database(url)


def engine() -> Engine:
    return _engine(settings().db_url)


def clear() -> None:
    """Forget cached reads (after a refresh)."""
    st.cache_data.clear()


@functools.lru_cache(maxsize=4096)
def _file_digest(path: str, mtime_ns: int, size: int) -> bytes:
    """The sha256 of a file's content, read again only when its modification time or size changes."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).digest()
    except OSError:
        return b""


def files_hash(theses_dir: Path) -> str:
    """A hash of the thesis files' names and contents: changes with any edit, addition or removal."""
    digest = hashlib.sha256()
    for path in thesis_files([theses_dir]) if theses_dir.is_dir() else []:
        try:
            info = path.stat()
        except OSError:
            continue
        digest.update(path.name.encode("utf-8") + b"\0" + _file_digest(str(path), info.st_mtime_ns, info.st_size))
    return digest.hexdigest()


def stamp() -> Stamp:
    """What every cached read is keyed on: the latest job run (id, finished) and the thesis files' hash."""
    s = settings()
    return job_runs.data_version(engine()), files_hash(s.theses_dir)


@st.cache_resource(show_spinner=False, max_entries=256)
def _record_versions(url: str, seen: tuple[tuple[str, str], ...], _loaded: LoadResult) -> int:
    """Record a load's thesis versions in the journal, once per distinct content (`seen`) and database."""
    return journal_store.record_versions(_engine(url), _loaded, "dashboard", dt.datetime.now(dt.UTC))


@st.cache_data(ttl=TTL, show_spinner=False)
def theses(theses_dir: str, url: str | None = None, digest: str = "") -> LoadResult:
    """The theses of a folder (`digest`: its files' hash, so an edit is read on the next rerun); with
    `url`, what changed in their files is added to that database's journal."""
    result = load_theses(Path(theses_dir))
    if url is not None:
        try:
            _record_versions(url, journal_store.fingerprint(result), result)
        except Exception:  # the journal never keeps the dashboard from showing the theses
            log.warning("could not record thesis versions in the journal", exc_info=True)
    return result


def loaded() -> LoadResult:
    s = settings()
    return theses(str(s.theses_dir), s.db_url, files_hash(s.theses_dir))


@st.cache_data(ttl=TTL, show_spinner=False)
def _closes(url: str, stamp: Stamp, tickers: tuple[str, ...], start: dt.date | None) -> pd.DataFrame:
    return prices_store.load_closes(_engine(url), tickers, start=start)


def closes_for(items: list[Thesis]) -> pd.DataFrame:
    """The closes these theses' figures are computed from: their price window, as the calculator decides."""
    if not items:
        return pd.DataFrame()
    tickers, start = price_window(items)
    return _closes(settings().db_url, stamp(), tuple(tickers), start)


@st.cache_data(ttl=TTL, show_spinner=False)
def _figures(url: str, stamp: Stamp, today: dt.date, ids: tuple[str, ...], _items: list[Thesis]) -> dict[str, ThesisPerformance]:
    return current_figures(_engine(url), _items, today, closes=closes_for)


def figures(items: list[Thesis], today: dt.date | None = None) -> dict[str, ThesisPerformance]:
    """Each thesis's figures as `tracker status` shows them: those the last refresh stored while they
    are still the thesis's, else computed from the stored closes (without series when stored)."""
    return _figures(settings().db_url, stamp(), today or dt.date.today(), tuple(t.id for t in items), items)


def performance(thesis: Thesis, today: dt.date | None = None) -> ThesisPerformance:
    """A thesis's figures (the stored ones, as on every page) with the series its charts need."""
    today = today or dt.date.today()
    shown = figures([thesis], today)[thesis.id]
    full = thesis_performance(thesis, closes_for([thesis]), today)
    return replace(full, portfolio=shown.portfolio, positions=shown.positions)


@st.cache_data(ttl=TTL, show_spinner=False)
def _demo(url: str, stamp: Stamp, tickers: tuple[str, ...]) -> bool:
    return "demo" in prices_store.price_sources(_engine(url), tickers)


def is_demo(items: list[Thesis]) -> bool:
    """True when the closes shown come from the demo price source: the banner follows the prices
    of the database being shown, never the articles in it."""
    return _demo(settings().db_url, stamp(), tuple(required_tickers(items)))


@st.cache_data(ttl=TTL, show_spinner=False)
def _statuses(url: str, stamp: Stamp, ids: tuple[str, ...]) -> dict[tuple[str, str], dict[str, Any]]:
    return {key: asdict(row) for key, row in conditions_store.current_statuses(_engine(url), ids).items()}


def statuses(ids: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    return _statuses(settings().db_url, stamp(), tuple(sorted(ids)))


def summaries(items: list[Thesis], today: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """Headline figures per thesis (return, benchmark, excess, progress, days left, last close, …)
    from the same figures as every other page."""
    return {tid: portfolio_store.headline_fields(perf) for tid, perf in figures(items, today).items()}


@st.cache_data(ttl=TTL, show_spinner=False)
def _checks(url: str, stamp: Stamp, thesis_id: str) -> list[dict[str, Any]]:
    return conditions_store.check_results(_engine(url), thesis_id)


def checks(thesis_id: str) -> list[dict[str, Any]]:
    return _checks(settings().db_url, stamp(), thesis_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _history(url: str, stamp: Stamp, thesis_id: str) -> pd.DataFrame:
    rows = conditions_store.status_history(_engine(url), thesis_id)
    return pd.DataFrame(rows, columns=["assumption", "from", "to", "changed_at", "reasons"])


def history(thesis_id: str) -> pd.DataFrame:
    """The status history of a thesis's assumptions (a row per change)."""
    return _history(settings().db_url, stamp(), thesis_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _history_versions(url: str, stamp: Stamp, thesis_id: str) -> list[VersionChanges]:
    return journal_store.journal(_engine(url), thesis_id)


def history_versions(thesis_id: str) -> list[VersionChanges]:
    """The version journal of a thesis, oldest first: when each version was seen and what it changed."""
    return _history_versions(settings().db_url, stamp(), thesis_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _alerts(url: str, stamp: Stamp, ids: tuple[str, ...], limit: int) -> pd.DataFrame:
    rows = conditions_store.latest_alerts(_engine(url), ids, limit)
    return pd.DataFrame(rows, columns=["when", "thesis", "assumption", "from", "to", "delivered", "kind", "text"])


def alerts(ids: list[str], limit: int = 10) -> pd.DataFrame:
    return _alerts(settings().db_url, stamp(), tuple(sorted(ids)), limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def _articles(url: str, stamp: Stamp, tickers: tuple[str, ...] | None, thesis_id: str | None, assumption_id: str | None,
              since: dt.datetime | None, until: dt.datetime | None, labels: tuple[str, ...] | None, limit: int) -> list[dict[str, Any]]:
    with transaction(_engine(url)) as s:
        return news_store.articles_for(s, tickers=tickers, thesis_id=thesis_id, assumption_id=assumption_id, since=since, until=until,
                                       labels=labels, limit=limit)


def articles(*, tickers=None, thesis_id=None, assumption_id=None, since=None, until=None, labels=None, limit: int = 100) -> list[dict[str, Any]]:
    return _articles(settings().db_url, stamp(), tuple(tickers) if tickers is not None else None, thesis_id, assumption_id, since, until,
                     tuple(labels) if labels else None, limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def _last_dates(url: str, stamp: Stamp, tickers: tuple[str, ...]) -> dict[str, dt.date]:
    return prices_store.last_price_dates(_engine(url), tickers)


def last_dates(items: list[Thesis]) -> dict[str, dt.date]:
    return _last_dates(settings().db_url, stamp(), tuple(required_tickers(items)))


@st.cache_data(ttl=TTL, show_spinner=False)
def _last_refresh(url: str, stamp: Stamp) -> dict[str, Any] | None:
    return job_runs.last_refresh(_engine(url))


def latest_refresh() -> dict[str, Any] | None:
    return _last_refresh(settings().db_url, stamp())


@st.cache_data(ttl=TTL, show_spinner=False)
def _runs(url: str, stamp: Stamp, limit: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    runs, stages, fails = job_runs.recent_runs(_engine(url), limit)
    return (pd.DataFrame(runs, columns=["run", "trigger", "started", "finished", "outcome", "counts", "error"]),
            pd.DataFrame(stages, columns=["run", "stage", "outcome", "counts", "error"]),
            pd.DataFrame(fails, columns=["run", "stage", "kind", "source", "error"]))


def runs(limit: int = 20) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return _runs(settings().db_url, stamp(), limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def _feeds(url: str, stamp: Stamp) -> pd.DataFrame:
    frame = pd.DataFrame(news_store.feed_states(_engine(url)),
                         columns=["feed", "title", "status", "last success", "failures in a row", "last error"])
    # a feed URL may carry a token: shown without it
    frame["feed"] = frame["feed"].map(lambda u: redact_url(str(u)))
    frame["last error"] = frame["last error"].map(lambda e: e if e is None else redact_text(str(e)))
    return frame


def feeds() -> pd.DataFrame:
    return _feeds(settings().db_url, stamp())


@st.cache_data(ttl=TTL, show_spinner=False)
def _instruments(url: str, stamp: Stamp, tickers: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    return prices_store.fetch_states(_engine(url), tickers)


def instruments(items: list[Thesis]) -> dict[str, dict[str, Any]]:
    return _instruments(settings().db_url, stamp(), tuple(required_tickers(items)))


def refresh_state() -> tuple[dt.datetime | None, dt.datetime | None]:
    """(when the running refresh started or None, when the latest refresh started or None), read
    fresh at every call: "Refresh now" is disabled while one runs and for a cooldown after one started."""
    eng = engine()
    last = job_runs.last_refresh(eng)
    return running_since(eng), (dt.datetime.fromisoformat(last["started_at"]) if last else None)


def price_gaps(items: list[Thesis], today: dt.date | None = None) -> dict[str, list[str]]:
    """Per thesis, `no prices for MAA: <the recorded fetch failure>` for each of its symbols with no
    close stored, as `tracker status` says it (two reads for all the theses)."""
    day, stored, states = today or dt.date.today(), last_dates(items), instruments(items)
    return {t.id: [gap_text(g) for g in thesis_price_gaps(t, day, stored, states)] for t in items}
