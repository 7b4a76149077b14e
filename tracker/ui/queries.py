"""Every database read of the dashboard, cached, each reading only what a page shows.

Pages never call Yahoo or feeds; "Refresh now" goes through the same `run_refresh` as the CLI
and clears these caches afterwards.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, select

from tracker.news.store import articles_for
from tracker.pipeline.history import last_refresh
from tracker.portfolio.performance import ThesisPerformance, thesis_performance
from tracker.prices.store import last_price_dates, load_closes, price_sources
from tracker.settings import Settings, load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import (
    Alert,
    Article,
    AssumptionStatus,
    CheckResult,
    Feed,
    Instrument,
    JobFailure,
    JobRun,
    JobStage,
    StatusChange,
    ThesisSummary,
)
from tracker.thesis import LoadResult, Thesis, load_theses
from tracker.thesis.model import required_tickers

TTL = 300


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


@st.cache_data(ttl=TTL, show_spinner=False)
def theses(theses_dir: str) -> LoadResult:
    return load_theses(Path(theses_dir))


def loaded() -> LoadResult:
    return theses(str(settings().theses_dir))


@st.cache_data(ttl=TTL, show_spinner=False)
def _closes(url: str, tickers: tuple[str, ...], start: dt.date) -> pd.DataFrame:
    return load_closes(_engine(url), tickers, start=start)


def closes_for(items: list[Thesis]) -> pd.DataFrame:
    if not items:
        return pd.DataFrame()
    start = min(t.opened for t in items) - dt.timedelta(days=100)
    return _closes(settings().db_url, tuple(required_tickers(items)), start)


def performance(thesis: Thesis, today: dt.date | None = None) -> ThesisPerformance:
    return thesis_performance(thesis, closes_for([thesis]), today or dt.date.today())


@st.cache_data(ttl=TTL, show_spinner=False)
def _demo(url: str, tickers: tuple[str, ...], flag: bool) -> bool:
    if flag:
        return True
    eng = _engine(url)
    if "demo" in price_sources(eng, tickers):
        return True
    with transaction(eng) as s:
        return s.scalar(select(Article.id).where(Article.is_sample.is_(True)).limit(1)) is not None


def is_demo(items: list[Thesis]) -> bool:
    s = settings()
    return _demo(s.db_url, tuple(required_tickers(items)), s.demo)


@st.cache_data(ttl=TTL, show_spinner=False)
def _statuses(url: str, ids: tuple[str, ...]) -> dict[tuple[str, str], dict[str, Any]]:
    with transaction(_engine(url)) as s:
        rows = s.scalars(select(AssumptionStatus).where(AssumptionStatus.thesis_id.in_(ids))).all()
        return {(r.thesis_id, r.assumption_id): {"status": r.status, "since": r.since, "reasons": list(r.reasons)} for r in rows}


def statuses(ids: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    return _statuses(settings().db_url, tuple(sorted(ids)))


@st.cache_data(ttl=TTL, show_spinner=False)
def _summaries(url: str, ids: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    with transaction(_engine(url)) as s:
        rows = s.scalars(select(ThesisSummary).where(ThesisSummary.thesis_id.in_(ids))).all()
        return {r.thesis_id: {c: getattr(r, c) for c in ("computed_at", "last_date", "portfolio_return", "benchmark_return", "excess",
                                                          "drawdown", "target_return", "weighted_progress", "min_days_left")} for r in rows}


def summaries(ids: list[str]) -> dict[str, dict[str, Any]]:
    """Headline figures per thesis as of the last refresh: one row each, not every price."""
    return _summaries(settings().db_url, tuple(sorted(ids)))


@st.cache_data(ttl=TTL, show_spinner=False)
def _checks(url: str, thesis_id: str) -> list[dict[str, Any]]:
    with transaction(_engine(url)) as s:
        rows = s.scalars(select(CheckResult).where(CheckResult.thesis_id == thesis_id).order_by(CheckResult.assumption_id, CheckResult.check_index)).all()
        return [{"assumption": r.assumption_id, "index": r.check_index, "when": r.expression, "outcome": r.outcome, "detail": r.detail, "article_ids": list(r.article_ids), "at": r.evaluated_at} for r in rows]


def checks(thesis_id: str) -> list[dict[str, Any]]:
    return _checks(settings().db_url, thesis_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _history(url: str, thesis_id: str) -> pd.DataFrame:
    with transaction(_engine(url)) as s:
        rows = s.execute(
            select(StatusChange.assumption_id, StatusChange.from_status, StatusChange.to_status, StatusChange.changed_at, StatusChange.reasons)
            .where(StatusChange.thesis_id == thesis_id).order_by(StatusChange.changed_at)
        ).all()
    return pd.DataFrame(rows, columns=["assumption", "from", "to", "changed_at", "reasons"])


def history(thesis_id: str) -> pd.DataFrame:
    return _history(settings().db_url, thesis_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _alerts(url: str, ids: tuple[str, ...], limit: int) -> pd.DataFrame:
    with transaction(_engine(url)) as s:
        rows = s.execute(
            select(Alert.created_at, Alert.thesis_id, Alert.assumption_id, Alert.from_status, Alert.to_status, Alert.delivered_at)
            .where(Alert.thesis_id.in_(ids)).order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit)
        ).all()
    return pd.DataFrame(rows, columns=["when", "thesis", "assumption", "from", "to", "delivered"])


def alerts(ids: list[str], limit: int = 10) -> pd.DataFrame:
    return _alerts(settings().db_url, tuple(sorted(ids)), limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def _articles(url: str, tickers: tuple[str, ...] | None, thesis_id: str | None, assumption_id: str | None,
              since: dt.datetime | None, until: dt.datetime | None, labels: tuple[str, ...] | None, limit: int) -> list[dict[str, Any]]:
    with transaction(_engine(url)) as s:
        return articles_for(s, tickers=tickers, thesis_id=thesis_id, assumption_id=assumption_id, since=since, until=until, labels=labels, limit=limit)


def articles(*, tickers=None, thesis_id=None, assumption_id=None, since=None, until=None, labels=None, limit: int = 100) -> list[dict[str, Any]]:
    return _articles(settings().db_url, tuple(tickers) if tickers is not None else None, thesis_id, assumption_id, since, until,
                     tuple(labels) if labels else None, limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def _last_dates(url: str, tickers: tuple[str, ...]) -> dict[str, dt.date]:
    return last_price_dates(_engine(url), tickers)


def last_dates(items: list[Thesis]) -> dict[str, dt.date]:
    return _last_dates(settings().db_url, tuple(required_tickers(items)))


@st.cache_data(ttl=60, show_spinner=False)
def _last_refresh(url: str) -> dict[str, Any] | None:
    return last_refresh(_engine(url))


def latest_refresh() -> dict[str, Any] | None:
    return _last_refresh(settings().db_url)


@st.cache_data(ttl=60, show_spinner=False)
def _runs(url: str, limit: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with transaction(_engine(url)) as s:
        runs = s.execute(select(JobRun.id, JobRun.trigger, JobRun.started_at, JobRun.finished_at, JobRun.outcome, JobRun.counts, JobRun.error)
                         .order_by(JobRun.id.desc()).limit(limit)).all()
        ids = [r[0] for r in runs]
        stages = s.execute(select(JobStage.run_id, JobStage.stage, JobStage.outcome, JobStage.counts, JobStage.error).where(JobStage.run_id.in_(ids)).order_by(JobStage.id)).all() if ids else []
        fails = s.execute(select(JobFailure.run_id, JobFailure.stage, JobFailure.kind, JobFailure.source, JobFailure.error).where(JobFailure.run_id.in_(ids)).order_by(JobFailure.id)).all() if ids else []
    return (pd.DataFrame(runs, columns=["run", "trigger", "started", "finished", "outcome", "counts", "error"]),
            pd.DataFrame(stages, columns=["run", "stage", "outcome", "counts", "error"]),
            pd.DataFrame(fails, columns=["run", "stage", "kind", "source", "error"]))


def runs(limit: int = 20) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return _runs(settings().db_url, limit)


@st.cache_data(ttl=60, show_spinner=False)
def _feeds(url: str) -> pd.DataFrame:
    with transaction(_engine(url)) as s:
        rows = s.execute(select(Feed.url, Feed.title, Feed.last_status, Feed.last_success_at, Feed.consecutive_failures, Feed.last_error).order_by(Feed.consecutive_failures.desc(), Feed.url)).all()
    return pd.DataFrame(rows, columns=["feed", "title", "status", "last success", "failures in a row", "last error"])


def feeds() -> pd.DataFrame:
    return _feeds(settings().db_url)


@st.cache_data(ttl=60, show_spinner=False)
def _instruments(url: str, tickers: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    with transaction(_engine(url)) as s:
        rows = s.scalars(select(Instrument).where(Instrument.ticker.in_(tickers))).all()
        return {r.ticker: {"last_error": r.last_error, "failures": r.consecutive_failures, "last_success": r.last_success_at} for r in rows}


def instruments(items: list[Thesis]) -> dict[str, dict[str, Any]]:
    return _instruments(settings().db_url, tuple(required_tickers(items)))
