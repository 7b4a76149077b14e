"""The checks stage: evaluate every assumption on stored data, record statuses, raise alerts.

Data is loaded for the whole run in a fixed number of queries (closes, articles in the widest
window, their ticker links, current statuses), whatever the number of checks.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import httpx
import pandas as pd
from sqlalchemy import Engine, select

from tracker.conditions.alerts import deliver_pending
from tracker.conditions.ast import Call, Expr, Number, Span
from tracker.conditions.evaluate import Context, NewsData, Result, evaluate
from tracker.conditions.parser import ConditionError, parse
from tracker.conditions.status import Verdict, apply_review, computed_status
from tracker.prices.store import load_closes
from tracker.reporting.progress import NullProgress, Progress
from tracker.reporting.report import StageReport
from tracker.settings import Settings
from tracker.storage.db import transaction, upsert
from tracker.storage.tables import Alert, Article, ArticleTicker, AssumptionStatus, CheckResult, StatusChange, ThesisSummary
from tracker.thesis.model import Thesis, required_tickers

log = logging.getLogger(__name__)
PRICE_LOOKBACK = dt.timedelta(days=400)


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
    """Articles and ticker links published in [since, until], in two queries."""
    with engine.connect() as conn:
        arts = conn.execute(
            select(Article.id, Article.title, Article.summary_text, Article.published_at, Article.sentiment).where(
                Article.published_at >= since, Article.published_at <= until
            )
        ).all()
        links = conn.execute(
            select(ArticleTicker.article_id, ArticleTicker.ticker, ArticleTicker.sentiment, ArticleTicker.published_at).where(
                ArticleTicker.published_at >= since, ArticleTicker.published_at <= until
            )
        ).all()
    if not arts:
        return NewsData.empty()
    a = pd.DataFrame(arts, columns=["id", "title", "summary", "published_at", "sentiment"])
    a["text"] = (a["title"].fillna("") + " \n " + a["summary"].fillna("")).str.lower()
    a["published_at"] = pd.to_datetime(a["published_at"], utc=True)
    links_frame = pd.DataFrame(links, columns=["article_id", "ticker", "sentiment", "published_at"])
    links_frame["published_at"] = pd.to_datetime(links_frame["published_at"], utc=True)
    return NewsData(a[["id", "text", "published_at", "sentiment"]], links_frame)


def summary_row(thesis: Thesis, ctx: Context, now: dt.datetime) -> dict:
    """The overview's figures for one thesis, from the same portfolio maths the checks use."""
    perf = ctx.perf
    p = perf.portfolio
    return {
        "thesis_id": thesis.id, "computed_at": now, "last_date": p.last_date, "portfolio_return": p.ret,
        "benchmark_return": p.benchmark_return, "excess": p.excess, "drawdown": p.drawdown, "target_return": p.target_return,
        "weighted_progress": p.weighted_progress, "min_days_left": min((f.days_left for f in perf.positions), default=None),
    }


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
        allowed = frozenset(thesis.tickers + ([thesis.benchmark] if thesis.benchmark else []))
        for a in thesis.assumptions:
            for i, check in enumerate(a.checks):
                try:
                    expr = parse(check.when, allowed)
                    parsed[(thesis.id, a.id, i)] = expr
                    widest = max([widest] + _windows(expr))
                except ConditionError as exc:  # validated at load; kept defensive for library use
                    parsed[(thesis.id, a.id, i)] = exc
    earliest_review = min((r.date for t in theses for a in t.assumptions for r in a.reviews), default=now.date())
    news_since = min(now - dt.timedelta(days=widest), dt.datetime.combine(earliest_review, dt.time(), dt.UTC) - dt.timedelta(days=widest))
    closes = load_closes(engine, required_tickers(theses), start=min((t.opened for t in theses), default=now.date()) - PRICE_LOOKBACK)
    news = load_news(engine, news_since, now)
    with transaction(engine) as s:
        current = {(r.thesis_id, r.assumption_id): r for r in s.scalars(select(AssumptionStatus).where(AssumptionStatus.thesis_id.in_([t.id for t in theses]))).all()}

    progress.start("checks", sum(len(t.assumptions) for t in theses))
    result_rows: list[dict] = []
    status_rows: list[dict] = []
    changes: list[tuple[Thesis, str, str | None, Verdict, dict]] = []
    summary_rows: list[dict] = []
    for thesis in theses:
        ctx = Context(thesis, closes, news, now)
        for a in thesis.assumptions:
            exprs = [parsed[(thesis.id, a.id, i)] for i in range(len(a.checks))]
            results = [evaluate(e, ctx) if not isinstance(e, ConditionError) else Result("unknown", f"invalid condition: {e.message}") for e in exprs]

            def at(day: dt.date, exprs=exprs, ctx=ctx) -> list[Result]:
                moment = dt.datetime.combine(day, dt.time(23, 59), dt.UTC)
                past = ctx.as_of(moment)
                return [evaluate(e, past) if not isinstance(e, ConditionError) else Result("unknown", "") for e in exprs]

            verdict = apply_review(a, computed_status(a.checks, results), results, now.date(), at)
            report.add("checks_evaluated", len(results))
            for i, (check, r) in enumerate(zip(a.checks, results, strict=True)):
                result_rows.append(
                    {"thesis_id": thesis.id, "assumption_id": a.id, "check_index": i, "expression": check.when, "outcome": r.outcome,
                     "detail": r.detail, "values": {k: v for k, v in r.values.items()}, "article_ids": r.article_ids, "evaluated_at": now}
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
                changes.append((thesis, a.id, old.status if old else None, verdict, evidence))
            progress.advance(f"{thesis.id}/{a.id}: {verdict.status}")
        summary_rows.append(summary_row(thesis, ctx, now))

    with transaction(engine) as s:  # all statuses of the run, or none
        upsert(s, CheckResult, result_rows, ["thesis_id", "assumption_id", "check_index"])
        upsert(s, AssumptionStatus, status_rows, ["thesis_id", "assumption_id"])
        upsert(s, ThesisSummary, summary_rows, ["thesis_id"])
        for thesis, aid, before, verdict, evidence in changes:
            change = StatusChange(thesis_id=thesis.id, assumption_id=aid, from_status=before, to_status=verdict.status, changed_at=now, reasons=verdict.reasons, run_id=run_id)
            s.add(change)
            s.flush()
            s.add(Alert(change_id=change.id, thesis_id=thesis.id, assumption_id=aid, from_status=before, to_status=verdict.status, created_at=now, evidence=evidence))
            report.lines.append(f"{thesis.id}/{aid}: {before or 'new'} → {verdict.status}")
    report.add("statuses_changed", len(changes))
    progress.finish()

    if settings.webhook_url:
        sent, failures = deliver_pending(engine, settings.webhook_url, client)
        report.add("alerts_sent", sent)
        report.failures.extend(failures)
    return report
