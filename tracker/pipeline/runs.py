"""Job runs of the refresh: a row per run and per stage, and every source that failed ("job history")."""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update

from tracker.redact import redact_text
from tracker.reporting.report import Failure, StageReport
from tracker.storage.db import transaction
from tracker.storage.tables import Feed, JobFailure, JobRun, JobStage, utcnow

INTERRUPTED = "interrupted"
MIGRATION = "migration"  # the trigger of a row a data migration leaves (what it changed, in `counts`); not a refresh


def start_run(engine: Engine, trigger: str, scope: dict[str, Any]) -> int:
    """Record the start of a run; earlier runs left `running` by a dead process become interrupted."""
    with transaction(engine) as s:
        s.execute(
            update(JobRun)
            .where(JobRun.outcome == "running")
            .values(outcome=INTERRUPTED, error="the process stopped before the run finished", finished_at=utcnow())
        )
        run = JobRun(trigger=trigger, started_at=utcnow(), outcome="running", scope=scope, counts={}, pid=os.getpid(), host=socket.gethostname())
        s.add(run)
        s.flush()
        return run.id


def start_stage(engine: Engine, run_id: int, stage: str) -> int:
    with transaction(engine) as s:
        row = JobStage(run_id=run_id, stage=stage, started_at=utcnow(), outcome="running", counts={})
        s.add(row)
        s.flush()
        return row.id


def _clean(text: str | None) -> str | None:
    """A message as it may be stored and shown: the credentials of any URL in it replaced by `***`."""
    return None if text is None else redact_text(text)


def _failure_row(run_id: int, stage: str, f: Failure) -> JobFailure:
    """The stored failure: its source and error never keep a URL's password or token."""
    return JobFailure(run_id=run_id, stage=stage, kind=f.kind, source=redact_text(f.source)[:2000], error=redact_text(f.error))


def finish_stage(engine: Engine, stage_id: int, report: StageReport, error: str | None = None) -> None:
    outcome = "failed" if error else ("partial" if report.failures else "success")
    with transaction(engine) as s:
        row = s.get(JobStage, stage_id)
        assert row is not None
        row.finished_at = utcnow()
        row.outcome = outcome
        row.counts = dict(report.counts)
        row.error = _clean(error)
        for f in report.failures:
            s.add(_failure_row(row.run_id, report.stage, f))


def record_failures(engine: Engine, run_id: int, stage: str, failures: list[Failure]) -> None:
    with transaction(engine) as s:
        for f in failures:
            s.add(_failure_row(run_id, stage, f))


def finish_run(engine: Engine, run_id: int, outcome: str, counts: dict[str, int], error: str | None = None) -> None:
    with transaction(engine) as s:
        run = s.get(JobRun, run_id)
        assert run is not None
        run.finished_at = utcnow()
        run.outcome = outcome
        run.counts = counts
        run.error = _clean(error)


def last_refresh(engine: Engine) -> dict[str, Any] | None:
    """The latest refresh run as the `last_refresh` object of `tracker status --json`."""
    with transaction(engine) as s:
        run = s.scalars(
            select(JobRun).where(JobRun.trigger != MIGRATION).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)
        ).first()
        if run is None:
            return None
        failures = s.scalars(select(JobFailure).where(JobFailure.run_id == run.id).order_by(JobFailure.id)).all()
        return {
            "id": run.id,
            "trigger": run.trigger,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "outcome": run.outcome,
            "counts": dict(run.counts or {}),
            "error": _clean(run.error),
            "failures": [{"stage": f.stage, "kind": f.kind, "source": redact_text(f.source), "error": redact_text(f.error)} for f in failures],
        }


def data_version(engine: Engine) -> tuple[int, str | None] | None:
    """The latest job run and when it finished: it changes whenever a refresh starts or ends, in
    any process, so reads cached under it are fresh on the next look after a refresh."""
    with transaction(engine) as s:
        row = s.execute(select(JobRun.id, JobRun.finished_at).order_by(JobRun.id.desc()).limit(1)).first()
    return None if row is None else (row[0], row[1].isoformat() if row[1] else None)


def last_success_at(engine: Engine):
    """When the last fully or partly successful refresh finished (None if never)."""
    with transaction(engine) as s:
        return s.scalar(
            select(JobRun.finished_at)
            .where(JobRun.outcome.in_(("success", "partial")), JobRun.trigger != MIGRATION)
            .order_by(JobRun.finished_at.desc())
            .limit(1)
        )


def recent_runs(engine: Engine, limit: int = 20) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The latest runs (id, trigger, started, finished, outcome, counts, error), their stages and failures;
    a data migration's row is listed too (trigger `migration`)."""
    with transaction(engine) as s:
        runs = s.execute(
            select(JobRun.id, JobRun.trigger, JobRun.started_at, JobRun.finished_at, JobRun.outcome, JobRun.counts, JobRun.error)
            .order_by(JobRun.id.desc())
            .limit(limit)
        ).all()
        ids = [r[0] for r in runs]
        if not ids:
            return [], [], []
        stages = s.execute(
            select(JobStage.run_id, JobStage.stage, JobStage.outcome, JobStage.counts, JobStage.error)
            .where(JobStage.run_id.in_(ids))
            .order_by(JobStage.id)
        ).all()
        fails = s.execute(
            select(JobFailure.run_id, JobFailure.stage, JobFailure.kind, JobFailure.source, JobFailure.error)
            .where(JobFailure.run_id.in_(ids))
            .order_by(JobFailure.id)
        ).all()
    # rows stored before redaction existed are cleaned as they are read
    return (
        [(*r[:6], _clean(r[6])) for r in runs],
        [(*r[:4], _clean(r[4])) for r in stages],
        [(r[0], r[1], r[2], redact_text(r[3]), _clean(r[4])) for r in fails],
    )


@dataclass(frozen=True)
class FeedDays:
    """When the news sources of one thesis were read, by day (UTC), from the job history."""

    read: frozenset[dt.date]  # at least one of its feeds was read
    failed: frozenset[dt.date]  # the news stage ran for the thesis and none of its feeds could be read
    first: dt.date | None  # the first day the news stage ran for the thesis


def feed_days(engine: Engine, feeds: Mapping[str, Sequence[str]], since: dt.date) -> dict[str, FeedDays]:
    """Per thesis id (given with its feed URLs): the days its news was read, from `since` on.

    A feed was read on a day when a news stage that finished (success or partial) started that day,
    in a run whose scope included the thesis, the feed is not among that run's feed failures, and
    the feeds table has a success of it on or after that day (a feed added to the thesis later
    does not count for the days before it was ever read). Three queries, whatever the number of theses.
    """
    start = dt.datetime.combine(since, dt.time(), dt.UTC)
    news_stages = select(JobStage.run_id).where(JobStage.stage == "news", JobStage.started_at >= start)
    urls = sorted({u[:2000] for us in feeds.values() for u in us})
    with transaction(engine) as s:
        stages = s.execute(
            select(JobStage.run_id, JobStage.started_at, JobStage.outcome, JobRun.scope)
            .join(JobRun, JobRun.id == JobStage.run_id)
            .where(JobStage.stage == "news", JobStage.started_at >= start)
        ).all()
        failed: dict[int, set[str]] = {}
        for run_id, source in s.execute(
            select(JobFailure.run_id, JobFailure.source).where(JobFailure.kind == "feed", JobFailure.run_id.in_(news_stages))
        ):
            failed.setdefault(run_id, set()).add(source)
        last_ok: dict[str, dt.date] = {}
        for i in range(0, len(urls), 500):
            for url, at in s.execute(select(Feed.url, Feed.last_success_at).where(Feed.url.in_(urls[i : i + 500]))):
                if at is not None:
                    last_ok[url] = at.date()
    out: dict[str, FeedDays] = {}
    for thesis_id, thesis_urls in feeds.items():
        mine = [u[:2000] for u in thesis_urls]
        read: set[dt.date] = set()
        ran: set[dt.date] = set()
        for run_id, started, outcome, scope in stages:
            scoped = (scope or {}).get("theses")
            if scoped is not None and thesis_id not in scoped:
                continue
            day = started.date()
            ran.add(day)
            bad = failed.get(run_id, set())
            # failures are stored with their URL redacted; the feeds table keeps the URL as read
            if outcome in ("success", "partial") and any(
                redact_text(u)[:2000] not in bad and last_ok.get(u, dt.date.min) >= day for u in mine
            ):
                read.add(day)
        out[thesis_id] = FeedDays(frozenset(read), frozenset(ran - read), min(ran) if ran else None)
    return out
