"""The checks stage: evaluate every assumption on stored data, record statuses, raise alerts.

Data is loaded for the whole run in a fixed number of queries (closes, articles in the widest
window, their ticker links, current statuses), whatever the number of checks.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
import pandas as pd
from sqlalchemy import Engine

from tracker.attention.catalysts import catalyst_views
from tracker.attention.reasons import reminders
from tracker.attention.review import review_state
from tracker.conditions.alerts import deliver_pending
from tracker.conditions.ast import Call, Expr, Number, Span
from tracker.conditions.checks import parse_check
from tracker.conditions.evaluate import Context, NewsCoverage, NewsData, Result, evaluate
from tracker.conditions.parser import ConditionError
from tracker.conditions.status import Verdict, apply_review, computed_status
from tracker.conditions.store import StatusChangeRecord, current_statuses, save_outcomes, save_reminders
from tracker.news.store import articles_between
from tracker.portfolio.calculator import price_window, thesis_closes
from tracker.portfolio.store import headline_row, save_headlines
from tracker.prices.store import load_closes
from tracker.redact import redact_text, redact_url
from tracker.reporting.progress import NullProgress, Progress
from tracker.reporting.report import Failure, StageReport, budget_spent
from tracker.settings import Settings
from tracker.storage.db import transaction
from tracker.thesis.model import Assumption, Thesis, thesis_fingerprint

log = logging.getLogger(__name__)


def _windows(expr: Expr) -> list[int]:
    """Approximate day lengths of every window in an expression (to size the news query)."""
    out: list[int] = []
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            for arg in node.args:
                if isinstance(arg, Span):
                    out.append(int(arg.value.approx_days()) + 1)
                elif isinstance(arg, Number) and node.function in ("news", "negative_news", "sentiment") and arg is node.args[-1]:
                    out.append(int(arg.value) + 1)
        for attr in ("left", "right", "operand"):
            if hasattr(node, attr):
                stack.append(getattr(node, attr))
    return out


def load_news(engine: Engine, since: dt.datetime, until: dt.datetime) -> NewsData:
    """Articles and ticker links published in [since, until], as the news functions read them."""
    arts, links = articles_between(engine, since, until)
    if not arts:
        return NewsData.empty()
    a = pd.DataFrame(arts, columns=["id", "title", "summary", "published_at", "sentiment"])
    a["text"] = (a["title"].fillna("") + " \n " + a["summary"].fillna("")).str.lower()
    a["published_at"] = pd.to_datetime(a["published_at"], utc=True)
    links_frame = pd.DataFrame(links, columns=["article_id", "ticker", "sentiment", "published_at"])
    links_frame["published_at"] = pd.to_datetime(links_frame["published_at"], utc=True)
    return NewsData(a[["id", "text", "published_at", "sentiment"]], links_frame)


# "since": on first sight of an assumption, or when its status changes, the status is evaluated as
# of earlier days to find when it began. Bounded: at most a year back, and a number of assumption-days
# per run (each day costs one figures computation per thesis, shared by its assumptions).
BACKFILL_LOOKBACK = dt.timedelta(days=366)
BACKFILL_BUDGET = 2_500


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


class _Past:
    """One thesis's checks evaluated as of the end of earlier days; contexts and results are kept,
    so the assumptions of a thesis share one figures computation per day."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.contexts: dict[dt.date, Context] = {}
        self.results: dict[tuple[str, dt.date], list[Result]] = {}
        self._changes: set[dt.date] | None = None

    def context(self, day: dt.date) -> Context:
        if day not in self.contexts:
            self.contexts[day] = self.ctx.as_of(dt.datetime.combine(day, dt.time(23, 59), dt.UTC))
        return self.contexts[day]

    def evaluate(self, assumption_id: str, exprs: Sequence[Expr | ConditionError], day: dt.date) -> list[Result]:
        key = (assumption_id, day)
        if key not in self.results:
            past = self.context(day)
            self.results[key] = [evaluate(e, past) if not isinstance(e, ConditionError) else Result("unknown", "") for e in exprs]
        return self.results[key]

    def verdict(self, assumption: Assumption, exprs: Sequence[Expr | ConditionError], day: dt.date) -> Verdict:
        results = self.evaluate(assumption.id, exprs, day)
        return apply_review(assumption, computed_status(assumption.checks, results), results, day,
                            lambda d: self.evaluate(assumption.id, exprs, d))

    def days(self, after: dt.date, before: dt.date) -> list[dt.date]:
        """The days in [after, before) on which what the checks see can change, newest first: days
        with a close of the thesis's tickers, observation and review dates, days its news was read."""
        if self._changes is None:
            thesis, ctx = self.ctx.thesis, self.ctx
            frame = thesis_closes(thesis, ctx.closes)
            out = {d.date() for d in frame.dropna(how="all").index} if not frame.empty else set()
            out |= {o.date for a in thesis.assumptions for o in a.observations} | {r.date for a in thesis.assumptions for r in a.reviews}
            if ctx.coverage is not None:
                out |= ctx.coverage.read | ctx.coverage.failed
            self._changes = out
        return sorted((d for d in self._changes | {after} if after <= d < before), reverse=True)


class _Budget:
    def __init__(self, left: int) -> None:
        self.left = left
        self.exhausted = False

    def take(self) -> bool:
        if self.left <= 0:
            self.exhausted = True
            return False
        self.left -= 1
        return True


def began(past: _Past, assumption: Assumption, exprs: Sequence[Expr | ConditionError], verdict: Verdict, floor: dt.date,
          budget: _Budget) -> dt.date:
    """The first day from which the assumption had this status on every day up to today (`floor` at the earliest).

    A status set by a review began on the review's date; otherwise the status is evaluated as of
    earlier days, newest first, until one differs.
    """
    today = past.ctx.today
    if verdict.review is not None:
        return max(verdict.review, floor) if verdict.review <= today else today
    since = today
    for day in past.days(floor, today):
        if not budget.take() or past.verdict(assumption, exprs, day).status != verdict.status:
            break
        since = day
    return since


def run_checks(
    engine: Engine,
    theses: Sequence[Thesis],
    settings: Settings,
    progress: Progress | None = None,
    *,
    run_id: int | None = None,
    now: dt.datetime | None = None,
    client: httpx.Client | None = None,
    coverage: Mapping[str, NewsCoverage] | None = None,
    timer: Callable[[], float] = time.monotonic,
) -> StageReport:
    """Evaluate all checks, store results and status changes, and deliver alerts.

    `coverage`: on which days each thesis's news sources were read (the pipeline derives it from
    the refresh history); a news count over a window in which none was read is unknown. None:
    the articles in the database are taken as complete (tools and tests that write articles).

    Once the stage has run for `settings.checks_budget` seconds (by `timer`) it starts checking no
    new thesis: those left keep their stored statuses, are reported as skipped, and are checked
    next run. An exception while checking one thesis is that thesis's failure only.
    """
    stage_began = timer()
    progress = progress or NullProgress()
    report = StageReport("checks")
    now = now or dt.datetime.now(dt.UTC)
    parsed: dict[tuple[str, str, int], Expr | ConditionError] = {}
    widest = 1
    for thesis in theses:
        for a in thesis.assumptions:
            for i, check in enumerate(a.checks):
                try:
                    expr = parse_check(thesis, check.when)
                    parsed[(thesis.id, a.id, i)] = expr
                    widest = max([widest, *_windows(expr)])
                except ConditionError as exc:  # validated at load; kept defensive for library use
                    parsed[(thesis.id, a.id, i)] = exc
    earliest_review = min((r.date for t in theses for a in t.assumptions for r in a.reviews), default=now.date())
    earliest = min(now - BACKFILL_LOOKBACK, midnight(earliest_review))  # news as of past days, for "since" and reviews
    news_since = earliest - dt.timedelta(days=widest)
    tickers, start = price_window(theses)
    closes = load_closes(engine, tickers, start=start)
    news = load_news(engine, news_since, now)
    current = current_statuses(engine, [t.id for t in theses])

    progress.start("checks", sum(len(t.assumptions) for t in theses))
    result_rows: list[dict[str, Any]] = []
    status_rows: list[dict[str, Any]] = []
    changes: list[StatusChangeRecord] = []
    headline_rows: list[dict[str, Any]] = []
    budget = _Budget(BACKFILL_BUDGET)
    failed: set[str] = set()
    for started, thesis in enumerate(theses):
        if started and timer() - stage_began > settings.checks_budget:  # the first thesis always starts
            report.fail("thesis", thesis.id, budget_spent(settings.checks_budget, "TRACKER_CHECKS_BUDGET"))
            report.add("theses_skipped")
            failed.add(thesis.id)
            continue
        # one thesis's rows, kept only when all of its checks ran: an exception while checking one
        # thesis is its failure (its stored statuses untouched), and the others are still checked
        rows: list[dict[str, Any]] = []
        statuses: list[dict[str, Any]] = []
        mine: list[StatusChangeRecord] = []
        headline: list[dict[str, Any]] = []
        try:
            ctx = Context(thesis, thesis_closes(thesis, closes), news, now, coverage.get(thesis.id, NewsCoverage(0)) if coverage is not None else None)
            if thesis.closed is not None and thesis.closed.date < now.date():
                # a closed thesis is judged as of its close: no price or article after it counts
                ctx = ctx.as_of(dt.datetime.combine(thesis.closed.date, dt.time(23, 59, 59), dt.UTC))
            past = _Past(ctx)
            for a in thesis.assumptions:
                exprs = [parsed[(thesis.id, a.id, i)] for i in range(len(a.checks))]
                results = [evaluate(e, ctx) if not isinstance(e, ConditionError) else Result("unknown", f"invalid condition: {e.message}") for e in exprs]

                def at(day: dt.date, a: Assumption = a, exprs: list[Expr | ConditionError] = exprs, past: _Past = past) -> list[Result]:
                    return past.evaluate(a.id, exprs, day)

                verdict = apply_review(a, computed_status(a.checks, results), results, ctx.today, at)
                report.add("checks_evaluated", len(results))
                for i, (check, r) in enumerate(zip(a.checks, results, strict=True)):
                    rows.append(
                        {"thesis_id": thesis.id, "assumption_id": a.id, "check_index": i, "expression": check.when, "outcome": r.outcome,
                         "detail": r.detail, "values": {"values": dict(r.values), "evidence": r.evidence}, "article_ids": r.article_ids,
                         "evaluated_at": now}
                    )
                old = current.get((thesis.id, a.id))
                if old is not None and old.status == verdict.status:
                    since = old.since
                else:
                    # when the status began: from the opening (first sight) or after the previous status began
                    floor = max(thesis.opened, (now - BACKFILL_LOOKBACK).date())
                    if old is not None:
                        floor = max(floor, old.since.date() + dt.timedelta(days=1))
                    since = midnight(began(past, a, exprs, verdict, min(floor, ctx.today), budget))
                statuses.append({"thesis_id": thesis.id, "assumption_id": a.id, "status": verdict.status, "since": since, "reasons": verdict.reasons, "evaluated_at": now})
                if old is None or old.status != verdict.status:
                    evidence = {
                        "reasons": verdict.reasons,
                        "since": since.date().isoformat(),
                        "checks": [{"when": c.when, "then": c.then, "outcome": r.outcome, "detail": r.detail, "evidence": r.evidence}
                                   for c, r in zip(a.checks, results, strict=True)],
                        "article_ids": sorted({i for r in results for i in r.article_ids}),
                    }
                    mine.append(StatusChangeRecord(thesis.id, a.id, old.status if old else None, verdict.status, verdict.reasons, evidence,
                                                   alert=thesis.closed is None, changed_at=since))
                progress.advance(f"{thesis.id}/{a.id}: {verdict.status}")
            headline.append(headline_row(ctx.perf, now, thesis_fingerprint(thesis)))
        except Exception as exc:
            message = redact_text((str(exc).strip().splitlines() or [""])[0])[:300]
            log.error("checking thesis %s failed: %s: %s", thesis.id, type(exc).__name__, message)
            log.debug("checking thesis %s failed", thesis.id, exc_info=True)
            report.fail("thesis", thesis.id, f"checks failed, statuses kept from the last run: {type(exc).__name__}: {message}")
            report.add("theses_failed")
            failed.add(thesis.id)
            continue
        result_rows.extend(rows)
        status_rows.extend(statuses)
        changes.extend(mine)
        headline_rows.extend(headline)
    if budget.exhausted:
        report.lines.append(f"since: looked back over {BACKFILL_BUDGET:,} assumption-days this run; later statuses are dated from the latest day checked")

    today = now.date()
    due = [r for t in theses if t.id not in failed
           for r in reminders(t, review_state(t, today), [v for v in catalyst_views(t, None, today) if v.upcoming], today)]
    with transaction(engine) as s:  # all statuses of the run, or none
        save_outcomes(s, result_rows, status_rows, changes, now, run_id)
        save_headlines(s, headline_rows)
        report.add("reminders_raised", save_reminders(s, due, now))
    report.lines.extend(f"{c.thesis_id}/{c.assumption_id}: {c.before or 'new'} → {c.after}" for c in changes)
    report.add("statuses_changed", len(changes))
    progress.finish()

    if settings.webhook_url:
        sent, failures = deliver_pending(engine, settings.webhook_url, client)
        report.add("alerts_sent", sent)
        # the webhook URL is a credential: its token and password never leave this stage
        report.failures.extend(Failure(f.kind, redact_url(f.source), redact_text(f.error)) for f in failures)
    return report
