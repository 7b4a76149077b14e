"""The prices stage of the refresh: fetch what the theses need, incrementally, and store it."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from sqlalchemy import Engine

from tracker.portfolio.calculator import history_start
from tracker.prices.registry import make_source
from tracker.prices.source import FetchResult, PriceSource
from tracker.prices.store import last_price_dates, upsert_closes
from tracker.reporting.progress import NullProgress, Progress
from tracker.reporting.report import StageReport, budget_spent
from tracker.settings import Settings
from tracker.storage.db import transaction
from tracker.storage.tables import Instrument, utcnow
from tracker.thesis.model import Thesis, later_need, required_tickers

log = logging.getLogger(__name__)

OVERLAP_DAYS = 5  # re-fetch the last few days so provider corrections replace stored closes


def plan_fetches(
    theses: Sequence[Thesis], last: dict[str, dt.date], today: dt.date
) -> dict[dt.date, list[str]]:
    """Start date → tickers to fetch from it: after the last stored close (minus the overlap),
    or from the price history the earliest thesis that needs the ticker reads.

    A ticker only sold positions or closed theses need is fetched until its closes reach the
    last of those closing days, then no more (a ticker an open thesis holds is fetched for it).
    """
    first_needed: dict[str, dt.date] = {}
    until: dict[str, dt.date | None] = {}
    for thesis in theses:
        for ticker, last_day in thesis.needed_until().items():
            first_needed[ticker] = min(first_needed.get(ticker, history_start(thesis)), history_start(thesis))
            until[ticker] = later_need(until[ticker], last_day) if ticker in until else last_day
    plan: dict[dt.date, list[str]] = defaultdict(list)
    for ticker in sorted(first_needed):
        done = until[ticker]
        if ticker in last:
            if done is not None and last[ticker] >= done:
                continue
            start = min(last[ticker] - dt.timedelta(days=OVERLAP_DAYS), today)
        else:
            start = first_needed[ticker]
        plan[start].append(ticker)
    return dict(sorted(plan.items()))


def _record_instruments(session, batch: Sequence[str], result: FetchResult, source: str, counts: dict[str, int]) -> None:
    now = utcnow()
    currencies = {}
    if not result.closes.empty and "currency" in result.closes.columns:
        currencies = result.closes.dropna(subset=["currency"]).groupby("ticker")["currency"].last().to_dict()
    for ticker in batch:
        row = session.get(Instrument, ticker) or Instrument(ticker=ticker, consecutive_failures=0)
        row.last_attempt_at = now
        row.source = source
        if ticker in result.failures:
            row.last_error = result.failures[ticker]
            row.consecutive_failures = (row.consecutive_failures or 0) + 1
        else:
            row.last_success_at = now
            row.last_error = None
            row.consecutive_failures = 0
            if ticker in currencies:
                row.currency = currencies[ticker]
        session.add(row)


def refresh_prices(
    engine: Engine,
    theses: Sequence[Thesis],
    settings: Settings,
    progress: Progress | None = None,
    *,
    source: PriceSource | None = None,
    today: dt.date | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> StageReport:
    """Fetch every needed ticker once across theses, store whole batches, report per ticker.

    Once the stage has run for `settings.prices_budget` seconds it starts no new batch: the
    tickers left are reported as skipped (their fetch state untouched, so the next run plans
    them again) and the refresh goes on to the next stage.
    """
    progress = progress or NullProgress()
    report = StageReport("prices")
    today = today or dt.date.today()
    source = source or make_source(settings)
    last = last_price_dates(engine, required_tickers(theses))
    plan = plan_fetches(theses, last, today)
    total = sum(len(v) for v in plan.values())
    progress.start("prices", total)
    began, started = clock(), 0
    for start, tickers in plan.items():
        for i in range(0, len(tickers), source.batch_size):
            batch = tickers[i : i + source.batch_size]
            if started and clock() - began > settings.prices_budget:
                why = budget_spent(settings.prices_budget, "TRACKER_PRICES_BUDGET")
                for ticker in batch:
                    report.fail("ticker", ticker, why)
                    report.add("tickers_skipped")
                    report.lines.append(f"{ticker}: {why}")
                    progress.advance(ticker)
                continue
            started += 1
            result = source.fetch(batch, start, today)
            report.add("requests", result.requests)
            ok = result.closes[~result.closes["ticker"].isin(list(result.failures))] if not result.closes.empty else result.closes
            with transaction(engine) as session:  # the batch's closes and fetch state, or nothing
                stored = upsert_closes(session, ok, source.name)
                _record_instruments(session, batch, result, source.name, report.counts)
            report.add("prices_stored", stored)
            per_ticker = ok.groupby("ticker")["date"].agg(["count", "max"]) if not ok.empty else None
            for ticker in batch:
                if ticker in result.failures:
                    report.fail("ticker", ticker, result.failures[ticker])
                    report.add("tickers_failed")
                    report.lines.append(f"{ticker}: FAILED — {result.failures[ticker]}")
                elif per_ticker is not None and ticker in per_ticker.index:
                    n, until = per_ticker.loc[ticker, "count"], per_ticker.loc[ticker, "max"]
                    report.add("tickers_ok")
                    report.lines.append(f"{ticker}: {int(n)} closes from {start} to {until:%Y-%m-%d}")
                else:
                    report.add("tickers_ok")
                    report.lines.append(f"{ticker}: no new closes since {start}")
                progress.advance(ticker)
    progress.finish()
    return report
