"""The one refresh function behind the CLI, the scheduler and the dashboard's "Refresh now".

Order: load and validate theses (bad files are failures, good ones go on), take the lock, record
what changed in the thesis files (the version journal, `tracker.journal`; a failure there is
logged, never fatal), then prices → news → checks, each stage isolated: an exception in one is
recorded and the next still runs. Every run and stage is recorded with its counts and failures.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from tracker.conditions.evaluate import NewsCoverage
from tracker.conditions.stage import run_checks
from tracker.errors import TrackerError
from tracker.journal.store import record_versions
from tracker.news.feeds import feeds_for
from tracker.news.stage import refresh_news
from tracker.pipeline import runs
from tracker.pipeline.lock import acquire
from tracker.portfolio.calculator import history_start
from tracker.prices.stage import refresh_prices
from tracker.redact import redact_text
from tracker.reporting import STAGES, ExitCode
from tracker.reporting.progress import NullProgress, Progress
from tracker.reporting.report import Failure, StageReport, counts_text
from tracker.settings import Settings
from tracker.storage.db import DatabaseError, open_database
from tracker.thesis import InvalidFile, LoadResult, Thesis
from tracker.validation import load_theses

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0


@dataclass
class StageContext:
    """What a stage gets: the database, the valid theses and where they came from, settings."""

    engine: Engine
    theses: list[Thesis]
    thesis_paths: Mapping[str, Path]
    settings: Settings
    progress: Progress
    run_id: int


StageFn = Callable[[StageContext], StageReport]


def _prices(ctx: StageContext) -> StageReport:
    return refresh_prices(ctx.engine, ctx.theses, ctx.settings, ctx.progress)


def _news(ctx: StageContext) -> StageReport:
    return refresh_news(ctx.engine, ctx.theses, ctx.thesis_paths, ctx.settings, ctx.progress)


def news_coverage(engine: Engine, theses: Sequence[Thesis], thesis_paths: Mapping[str, Path], settings: Settings) -> dict[str, NewsCoverage]:
    """On which days each thesis's news sources were read, from the job history (for the news checks)."""
    feeds = {t.id: [f.key for f in feeds_for([t], thesis_paths, settings)] for t in theses}
    since = min((history_start(t) for t in theses), default=dt.date.today())
    days = runs.feed_days(engine, feeds, since)
    return {t.id: NewsCoverage(len(feeds[t.id]), days[t.id].read, days[t.id].failed, days[t.id].first) for t in theses}


def _checks(ctx: StageContext) -> StageReport:
    coverage = news_coverage(ctx.engine, ctx.theses, ctx.thesis_paths, ctx.settings)
    return run_checks(ctx.engine, ctx.theses, ctx.settings, ctx.progress, run_id=ctx.run_id, coverage=coverage)


DEFAULT_STAGES: dict[str, StageFn] = {"prices": _prices, "news": _news, "checks": _checks}


class UnknownThesis(TrackerError):
    """`--thesis ID` names no valid thesis."""


@dataclass
class RefreshResult:
    run_id: int
    outcome: str  # success | partial | failed
    exit_code: int
    stages: list[StageReport] = field(default_factory=list)
    invalid_files: list[InvalidFile] = field(default_factory=list)
    stage_errors: dict[str, str] = field(default_factory=dict)

    @property
    def failures(self) -> list[Failure]:
        return [f for s in self.stages for f in s.failures]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.stages:
            for k, v in s.counts.items():
                out[k] = out.get(k, 0) + v
        return out


class _Heartbeat:
    """Keeps the lock's heartbeat fresh while a long stage runs."""

    def __init__(self, beat: Callable[[], None], every: float = HEARTBEAT_SECONDS) -> None:
        self._beat, self._every = beat, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="refresh-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self._beat()
            except Exception:  # a missed heartbeat only risks a takeover; never kill the refresh
                log.warning("refresh lock heartbeat failed", exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _record_versions(engine: Engine, loaded: LoadResult) -> None:
    """Add what changed in the thesis files to the version journal; a failure here never fails the refresh."""
    try:
        record_versions(engine, loaded, "refresh", dt.datetime.now(dt.UTC))
    except Exception:
        log.warning("could not record thesis versions in the journal", exc_info=True)


def run_refresh(
    settings: Settings,
    *,
    thesis_id: str | None = None,
    only: str | None = None,
    trigger: str = "cli",
    progress: Progress | None = None,
    engine: Engine | None = None,
    stages: Mapping[str, StageFn] | None = None,
) -> RefreshResult:
    """Run the pipeline once; raise `TrackerError` only for fatal problems (exit code 1)."""
    progress = progress or NullProgress()
    stage_fns = dict(stages or DEFAULT_STAGES)
    if only is not None and only not in STAGES:
        raise TrackerError(f"unknown stage {only!r}: use prices, news or checks")
    engine = engine or open_database(settings.db_url)

    loaded = load_theses(settings.theses_dir)
    theses = loaded.theses
    if thesis_id is not None:
        theses = [t for t in theses if t.id == thesis_id]
        if not theses:
            known = ", ".join(t.id for t in loaded.theses) or "none"
            raise UnknownThesis(f"no valid thesis with id {thesis_id!r} in {settings.theses_dir} (valid ids: {known})")

    lock = None
    try:
        lock = acquire(engine)
        run_id = runs.start_run(engine, trigger, {"thesis": thesis_id, "only": only, "theses": [t.id for t in theses]})
    except SQLAlchemyError as exc:  # read-only file, full disk, server gone: nothing can be recorded
        if lock is not None:
            try:
                lock.release()
            except SQLAlchemyError:
                log.warning("could not release the refresh lock; it goes stale by itself")
        reason = redact_text((str(getattr(exc, "orig", exc)) or type(exc).__name__).strip().splitlines()[0])
        raise DatabaseError(f"cannot write to the database {engine.url.render_as_string(hide_password=True)}: {reason}") from None
    try:
        _record_versions(engine, loaded)
        result = RefreshResult(run_id=run_id, outcome="running", exit_code=ExitCode.OK, invalid_files=list(loaded.invalid))
        thesis_failures = [Failure("thesis", f.path, "; ".join(str(i) for i in f.issues)) for f in loaded.invalid]
        if thesis_failures:
            runs.record_failures(engine, run_id, "load", thesis_failures)
            result.stages.append(StageReport("load", counts={"theses_invalid": len(thesis_failures)}, failures=thesis_failures))
        ctx = StageContext(engine, theses, loaded.paths, settings, progress, run_id)
        with _Heartbeat(lock.heartbeat):
            for name in STAGES:
                if only is not None and name != only:
                    continue
                stage_id = runs.start_stage(engine, run_id, name)
                try:
                    report = stage_fns[name](ctx)
                    runs.finish_stage(engine, stage_id, report)
                except Exception as exc:  # isolate: record and go on with the next stage
                    first_line = redact_text((str(exc).strip().splitlines() or [""])[0])[:500]
                    message = f"{type(exc).__name__}: {first_line}"
                    log.error("stage %s failed: %s", name, message)
                    log.debug("stage %s failed", name, exc_info=True)  # the traceback, only when asked for
                    report = StageReport(name, failures=[Failure("stage", name, message)])
                    result.stage_errors[name] = message
                    runs.finish_stage(engine, stage_id, report, error=message)
                result.stages.append(report)
        ran = [s for s in result.stages if s.stage in STAGES]
        if ran and len(result.stage_errors) == len(ran):
            result.outcome, result.exit_code = "failed", ExitCode.FATAL
        elif result.failures:
            result.outcome, result.exit_code = "partial", ExitCode.PARTIAL
        else:
            result.outcome, result.exit_code = "success", ExitCode.OK
        runs.finish_run(engine, run_id, result.outcome, result.counts, error="; ".join(result.stage_errors.values()) or None)
        return result
    finally:
        lock.release()


def format_result(result: RefreshResult, quiet: bool = False) -> list[str]:
    """Lines for the terminal: per-stage reports (unless quiet), failures, and a summary."""
    lines: list[str] = []
    for stage in result.stages:
        if not quiet:
            lines.extend(redact_text(f"[{stage.stage}] {line}") for line in stage.lines)
    for f in result.failures:
        lines.append(redact_text(f"FAILED {f}"))
    counts = counts_text(result.counts)
    lines.append(f"refresh #{result.run_id}: {result.outcome}" + (f" ({counts})" if counts else ""))
    return lines
