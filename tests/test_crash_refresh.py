"""A refresh killed mid-write (SIGKILL) leaves a consistent database; the next run repairs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select, text

from tracker.pipeline.refresh import run_refresh
from tracker.settings import load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import JobRun, Price, RefreshLock

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
TICKERS = [f"T{i:02d}" for i in range(12)]


def write_prices(path: Path) -> int:
    days = pd.bdate_range("2025-01-01", "2026-11-20")
    rows = [(d.date().isoformat(), t, 100 + float(i) + j * 0.01) for i, t in enumerate(TICKERS) for j, d in enumerate(days)]
    pd.DataFrame(rows, columns=["date", "ticker", "close"]).to_csv(path, index=False)
    return len(days)


def write_thesis(folder: Path) -> None:
    folder.mkdir()
    positions = "\n".join(f"  - {{ticker: {t}, weight: {100 / len(TICKERS):.6f}%, horizon: 1y}}" for t in TICKERS)
    (folder / "many.yaml").write_text(f"title: Many\nopened: 2026-06-11\npositions:\n{positions}\n")


CHILD = """
import sys, time, dataclasses
from pathlib import Path
from tracker.settings import load_settings
from tracker.pipeline.refresh import run_refresh
from tracker.prices.csv_source import CsvSource
from tracker.prices.stage import refresh_prices

class Slow(CsvSource):
    batch_size = 1
    def fetch(self, tickers, start, end):
        time.sleep(0.15)
        return super().fetch(tickers, start, end)

s = dataclasses.replace(load_settings({}), db_url=sys.argv[1], theses_dir=Path(sys.argv[2]), default_feeds=())
source = Slow(Path(sys.argv[3]))
stages = {"prices": lambda ctx: refresh_prices(ctx.engine, ctx.theses, ctx.settings, ctx.progress, source=source)}
stages["news"] = stages["checks"] = lambda ctx: __import__("tracker.reporting.report", fromlist=["StageReport"]).StageReport("x")
run_refresh(s, stages=stages, trigger="child")
"""


def test_killed_refresh_leaves_whole_batches_and_the_next_run_repairs(tmp_path):
    prices = tmp_path / "prices.csv"
    write_prices(prices)
    theses = tmp_path / "theses"
    write_thesis(theses)
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    open_database(url).dispose()

    child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(theses), str(prices)], cwd=ROOT)
    probe = create_engine(url)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and child.poll() is None:
        with probe.connect() as conn:
            stored = conn.execute(text("select count(*) from prices")).scalar()
        if stored >= 3 * 1:  # at least one batch is in: kill it while it writes the next ones
            break
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    probe.dispose()

    engine = open_database(url)
    with transaction(engine) as s:
        counts = dict(s.execute(select(Price.ticker, func.count()).group_by(Price.ticker)).all())
        run = s.scalar(select(JobRun))
        holder = s.get(RefreshLock, "refresh")
    assert counts, "the child should have stored at least one batch before it was killed"
    assert len(counts) < len(TICKERS), "the child finished before it could be killed; make it slower"
    # whole batches or nothing: every stored ticker has its complete window
    assert len(set(counts.values())) == 1
    assert run.outcome == "running" and holder is not None  # what a killed process leaves behind

    settings = load_settings({"TRACKER_DB_URL": url, "TRACKER_THESES_DIR": str(theses), "TRACKER_PRICE_SOURCE": f"csv:{prices}", "TRACKER_DEFAULT_FEEDS": "none"})
    from tracker.reporting.report import StageReport

    result = run_refresh(settings, engine=engine, stages={"news": lambda c: StageReport("news"), "checks": lambda c: StageReport("checks"),
                                                           "prices": __import__("tracker.pipeline.refresh", fromlist=["DEFAULT_STAGES"]).DEFAULT_STAGES["prices"]})
    assert result.exit_code == 0
    with transaction(engine) as s:
        after = dict(s.execute(select(Price.ticker, func.count()).group_by(Price.ticker)).all())
        outcomes = [r.outcome for r in s.scalars(select(JobRun).order_by(JobRun.id))]
        dupes = s.execute(text("select ticker, date, count(*) from prices group by ticker, date having count(*) > 1")).all()
    assert set(after) == set(TICKERS) and len(set(after.values())) == 1
    assert all(after[t] == counts[t] for t in counts)  # nothing lost, nothing doubled
    assert dupes == []
    assert outcomes == ["interrupted", "success"]
    engine.dispose()
