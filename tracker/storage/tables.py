"""The database schema, designed for the queries the refresh job and the dashboard run.

Market data knows nothing of theses (prices are keyed by ticker only, FX pairs such as
`EURUSD=X` are stored as tickers too); thesis-specific rows are keyed by the thesis id from
the YAML file, because thesis definitions live in files, not in the database.

Timestamps are stored as naive UTC and read back as aware UTC (see `UTCDateTime`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use datetime.now(timezone.utc)")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value is not None else None


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# --- market data -------------------------------------------------------------------------


class Price(Base):
    """One daily close of one ticker (stocks, ETFs, indices and FX pairs alike)."""

    __tablename__ = "prices"
    ticker: Mapped[str] = mapped_column(String(32), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    close: Mapped[float] = mapped_column(Float, nullable=False)
    currency: Mapped[str | None] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_prices_date", "date"),)


class Instrument(Base):
    """What the price sources told us about a ticker, and how its last fetch went."""

    __tablename__ = "instruments"
    ticker: Mapped[str] = mapped_column(String(32), primary_key=True)
    currency: Mapped[str | None] = mapped_column(String(3))
    name: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(16))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


# --- news --------------------------------------------------------------------------------


class Feed(Base):
    """A feed URL or file and its fetch state (conditional GET validators, failures)."""

    __tablename__ = "feeds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), nullable=False, unique=True)
    title: Mapped[str | None] = mapped_column(String(500))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    entries_seen: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Article(Base):
    """A news item, de-duplicated across feeds and runs (identity: `tracker/news/parse.py`).

    Title and summary text are sanitised plain text as the publisher wrote them (no markdown
    escaping: the dashboard escapes when it renders). `uid` is the first entry's id (guid, link or
    a hash of title, summary and publisher); `title_key` merges copies syndicated across feeds and
    is "" for untitled or undated items (never matched); `feed_id` is the first feed, `article_feeds` all of them.
    An estimated `published_at` is the fetch time of the first refresh that saw the item.
    """

    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    title_key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)  # "": no cross-feed key
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text, nullable=False)  # "" when the item has none
    link: Mapped[str | None] = mapped_column(String(2000))
    publisher: Mapped[str | None] = mapped_column(String(300))
    summary_html: Mapped[str | None] = mapped_column(Text)
    summary_text: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    published_estimated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sentiment: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    sentiment_label: Mapped[str] = mapped_column(String(20), nullable=False, default="neutral")
    # the cues that weighed most ("beats, raises guidance"); "" for articles stored before migration 0007
    sentiment_why: Mapped[str] = mapped_column(String(300), nullable=False, server_default="")
    is_sample: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (Index("ix_articles_published_at", "published_at"),)


class ArticleFeed(Base):
    """A feed carried an article: one row per entry of a feed (its own uid), so a story syndicated
    in three feeds is one article with three sources, and a feed's entries already stored are known."""

    __tablename__ = "article_feeds"
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True)
    entry_uid: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_article_feeds_entry_uid", "entry_uid"),)


class ArticleTicker(Base):
    """An article mentions a ticker; keeps the matched terms and the pair's own sentiment."""

    __tablename__ = "article_tickers"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    ticker: Mapped[str] = mapped_column(String(32), primary_key=True)
    matched: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    sentiment: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    # what the pair's score was read from: "whole article" or e.g. "2 sentences naming NET"
    sentiment_basis: Mapped[str] = mapped_column(String(80), nullable=False, server_default="")
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_article_tickers_ticker_published", "ticker", "published_at"),)


class ArticleAssumption(Base):
    """An article matches an assumption's keywords; keeps which keywords matched."""

    __tablename__ = "article_assumptions"
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    thesis_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    assumption_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    matched: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        Index("ix_article_assumptions_thesis_assumption_published", "thesis_id", "assumption_id", "published_at"),
    )


# --- checks and statuses -----------------------------------------------------------------


class CheckResult(Base):
    """The latest outcome of one check, with the values it saw and the articles it counted."""

    __tablename__ = "check_results"
    thesis_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    assumption_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    check_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    expression: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)  # fired | not_fired | unknown
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
    values: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)  # {"values": {call: value}, "evidence": tree}
    article_ids: Mapped[list[int]] = mapped_column(JSON, nullable=False, default=list)
    evaluated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class AssumptionStatus(Base):
    """The current status of an assumption; changes are appended to `status_history`."""

    __tablename__ = "assumption_statuses"
    thesis_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    assumption_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    evaluated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class StatusChange(Base):
    """One row per status change (none while the status stays)."""

    __tablename__ = "status_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thesis_id: Mapped[str] = mapped_column(String(80), nullable=False)
    assumption_id: Mapped[str] = mapped_column(String(80), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"))

    __table_args__ = (Index("ix_status_history_thesis_assumption_changed", "thesis_id", "assumption_id", "changed_at"),)


class Alert(Base):
    """Something to tell the investor about, with its evidence and webhook delivery state: a status
    change (`kind` status_change), or a reminder (catalyst_soon, review_overdue) raised once per
    `dedupe_key`, however many refreshes see it."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False, default="status_change", server_default="status_change")
    dedupe_key: Mapped[str | None] = mapped_column(String(300), unique=True)
    change_id: Mapped[int | None] = mapped_column(ForeignKey("status_history.id", ondelete="CASCADE"), unique=True)
    thesis_id: Mapped[str] = mapped_column(String(80), nullable=False)
    assumption_id: Mapped[str | None] = mapped_column(String(80))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    delivery_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_alerts_thesis_created", "thesis_id", "created_at"),)


class ThesisSummary(Base):
    """Figures of a thesis as of the last checks run, so the pages and `tracker status` read one row
    per thesis instead of every price: headline columns for the overview's table, every figure in
    `figures`, and which thesis content (`thesis_hash`) and day (`as_of`) they were computed for."""

    __tablename__ = "thesis_summaries"
    thesis_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    last_date: Mapped[dt.date | None] = mapped_column(Date)
    portfolio_return: Mapped[float | None] = mapped_column(Float)
    benchmark_return: Mapped[float | None] = mapped_column(Float)
    excess: Mapped[float | None] = mapped_column(Float)
    drawdown: Mapped[float | None] = mapped_column(Float)
    target_return: Mapped[float | None] = mapped_column(Float)
    weighted_progress: Mapped[float | None] = mapped_column(Float)
    min_days_left: Mapped[int | None] = mapped_column(Integer)
    past_horizon: Mapped[list[str] | None] = mapped_column(JSON)  # held positions past their horizon without their target
    thesis_hash: Mapped[str | None] = mapped_column(String(64))  # `thesis_fingerprint` of the thesis they were computed from
    as_of: Mapped[dt.date | None] = mapped_column(Date)  # the day they are for (today at the refresh, or the thesis's close)
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # portfolio and position figures (`portfolio.store.figures_record`)


# --- version journal ---------------------------------------------------------------------


class ThesisVersion(Base):
    """One distinct content of a thesis file, with when it was first seen and by whom.

    `seq` numbers the versions of a thesis from 1; `(thesis_id, seq)` is unique, so two
    processes recording the same edit at once cannot both append it (the loser re-reads and
    finds it recorded). The same content may come back later (an edit reverted): it is then a
    new version. `renamed_from` is set on the first version of an id that continues another
    id's journal (the file was renamed).
    """

    __tablename__ = "thesis_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thesis_id: Mapped[str] = mapped_column(String(80), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    path: Mapped[str] = mapped_column(String(1000), nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)  # sha256 of the content, hex
    content: Mapped[str] = mapped_column(Text, nullable=False)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    origin: Mapped[str] = mapped_column(String(16), nullable=False)  # refresh | dashboard | git
    renamed_from: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        UniqueConstraint("thesis_id", "seq"),
        Index("ix_thesis_versions_content_hash", "content_hash"),
    )


# --- refresh jobs ------------------------------------------------------------------------


class JobRun(Base):
    """One refresh: who started it, how it ended, and its counts."""

    __tablename__ = "job_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(16), nullable=False)  # cli | scheduler | dashboard | migration
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False, default="running")  # running|success|partial|failed
    scope: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_job_runs_started_at", "started_at"),)


class JobStage(Base):
    """One stage (prices, news, checks) of a run."""

    __tablename__ = "job_stages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("job_runs.id", ondelete="CASCADE"), nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False, default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("run_id", "stage"),)


class JobFailure(Base):
    """A source that failed during a run (a ticker, a feed, a thesis file, the webhook)."""

    __tablename__ = "job_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("job_runs.id", ondelete="CASCADE"), nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # ticker | feed | thesis | webhook | stage
    source: Mapped[str] = mapped_column(String(2000), nullable=False)
    error: Mapped[str] = mapped_column(Text, nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class RefreshLock(Base):
    """At most one refresh at a time across processes; stale holders are taken over."""

    __tablename__ = "refresh_lock"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), nullable=False)
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
