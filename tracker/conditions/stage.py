"""The checks stage: evaluate every assumption on stored data, record statuses, raise alerts.

Data is loaded for the whole run in a fixed number of queries (closes, articles in the widest
window, their ticker links, current statuses), whatever the number of checks.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
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
from tracker.conditions.evaluate import Context, NewsData, Result, evaluate
from tracker.conditions.parser import ConditionError
from tracker.conditions.status import apply_review, computed_status
from tracker.conditions.store import StatusChangeRecord, current_statuses, save_outcomes, save_reminders
from tracker.news.store import articles_between
from tracker.portfolio.calculator import price_window
from tracker.portfolio.store import headline_row, save_headlines
from tracker.prices.store import load_closes
from tracker.reporting.progress import NullProgress, Progress
from tracker.reporting.report import StageReport
from tracker.settings import Settings
from tracker.storage.db import transaction
from tracker.thesis.model import Thesis

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


def run_checks(
    engine: Engine,
    theses: Sequence[Thesis],
    settings: Settings,
    progress: Progress | None = None,
    *,
    run_id: int | None = None,
    now: dt.datetime | None = None,
    client: httpx.Client | None = None,
) -> StageReport:
    """Evaluate all checks, store results and status changes, and deliver alerts."""
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
    news_since = min(now - dt.timedelta(days=widest), dt.datetime.combine(earliest_review, dt.time(), dt.UTC) - dt.timedelta(days=widest))
    tickers, start = price_window(theses)
    closes = load_closes(engine, tickers, start=start)
    news = load_news(engine, news_since, now)
    current = current_statuses(engine, [t.id for t in theses])

    progress.start("checks", sum(len(t.assumptions) for t in theses))
    result_rows: list[dict[str, Any]] = []
    status_rows: list[dict[str, Any]] = []
    changes: list[StatusChangeRecord] = []
    headline_rows: list[dict[str, Any]] = []
    for thesis in theses:
        ctx = Context(thesis, closes, news, now)
        if thesis.closed is not None and thesis.closed.date < now.date():
            # a closed thesis is judged as of its close: no price or article after it counts
            ctx = ctx.as_of(dt.datetime.combine(thesis.closed.date, dt.time(23, 59, 59), dt.UTC))
        for a in thesis.assumptions:
            exprs = [parsed[(thesis.id, a.id, i)] for i in range(len(a.checks))]
            results = [evaluate(e, ctx) if not isinstance(e, ConditionError) else Result("unknown", f"invalid condition: {e.message}") for e in exprs]

            def at(day: dt.date, exprs: list[Expr | ConditionError] = exprs, ctx: Context = ctx) -> list[Result]:
                moment = dt.datetime.combine(day, dt.time(23, 59), dt.UTC)
                past = ctx.as_of(moment)
                return [evaluate(e, past) if not isinstance(e, ConditionError) else Result("unknown", "") for e in exprs]

            verdict = apply_review(a, computed_status(a.checks, results), results, ctx.today, at)
            report.add("checks_evaluated", len(results))
            for i, (check, r) in enumerate(zip(a.checks, results, strict=True)):
                result_rows.append(
                    {"thesis_id": thesis.id, "assumption_id": a.id, "check_index": i, "expression": check.when, "outcome": r.outcome,
                     "detail": r.detail, "values": dict(r.values), "article_ids": r.article_ids, "evaluated_at": now}
                )
            old = current.get((thesis.id, a.id))
            since = old.since if old is not None and old.status == verdict.status else now
            status_rows.append({"thesis_id": thesis.id, "assumption_id": a.id, "status": verdict.status, "since": since, "reasons": verdict.reasons, "evaluated_at": now})
            if old is None or old.status != verdict.status:
                evidence = {
                    "reasons": verdict.reasons,
                    "checks": [{"when": c.when, "then": c.then, "outcome": r.outcome, "detail": r.detail} for c, r in zip(a.checks, results, strict=True)],
                    "article_ids": sorted({i for r in results for i in r.article_ids}),
                }
                changes.append(StatusChangeRecord(thesis.id, a.id, old.status if old else None, verdict.status, verdict.reasons, evidence,
                                                  alert=thesis.closed is None))
            progress.advance(f"{thesis.id}/{a.id}: {verdict.status}")
        headline_rows.append(headline_row(ctx.perf, now))

    today = now.date()
    due = [r for t in theses for r in reminders(t, review_state(t, today), [v for v in catalyst_views(t, None, today) if v.upcoming], today)]
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
        report.failures.extend(failures)
    return report
