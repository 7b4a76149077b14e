"""Freezes the `tracker status --json` contract (docs/cli.md) and the human `tracker status` text.

A fixed world is built on SQLite: the worked example, a small thesis with a EUR position held in
a USD portfolio (so an FX pair is needed) against a benchmark, and one invalid thesis file. Prices
are step-shaped series written through the price store, the checks stage runs at a fixed moment
inside a recorded refresh, and the summary is built for a fixed day. The only values in the
summary that come from the clock are the refresh history's times, replaced by placeholders below.
The JSON snapshot lists keys in sorted order, so it freezes names and values, not key order.

When the output changes on purpose, review the diff of the snapshot files and accept it with
`pytest tests/test_status_snapshot.py --snapshot-update`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from syrupy.extensions.json import JSONSnapshotExtension
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from tests.support.seed import BROKEN_THESIS
from tracker.conditions.stage import run_checks
from tracker.pipeline.refresh import news_coverage, run_refresh
from tracker.prices.store import upsert_closes
from tracker.settings import load_settings
from tracker.status_report import build_status_report, format_status_report
from tracker.storage.db import open_database, transaction
from tracker.validation import load_theses

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "theses" / "ai-inference-cost-squeeze.yaml"

TODAY = dt.date(2026, 11, 24)  # a Tuesday; the last closes are from Monday 2026-11-23
NOW = dt.datetime(2026, 11, 24, 22, 0, tzinfo=dt.UTC)  # when the checks stage "runs"
FIRST_DAY = dt.date(2026, 6, 1)
LAST_DAY = dt.date(2026, 11, 23)

FX_THESIS = """title: European lithography
id: euro-litho
opened: 2026-07-01
benchmark: SPY
currency: USD
positions:
  - {ticker: ASML.AS, name: ASML, currency: EUR, weight: 60%, target: 1000, horizon: 1y}
  - {ticker: AMAT, name: Applied Materials, weight: 40%, upside: 30%, horizon: 300d, entry_price: 180}
assumptions:
  - id: euv-demand
    statement: Chip makers keep ordering EUV tools.
    falsified_if: Orders for EUV tools fall two quarters running.
    checks:
      - when: return(ASML.AS) < -15%
        then: at_risk
      - when: return(ASML.AS) < -30%
"""

# Step-shaped closes: (first business day the close applies, close) and the currency. Each series
# holds its close until the next step; None ends it: CFLT stops on 2026-10-30, so it is stale on
# TODAY. AMAT's thesis entry price (180) overrides its first close (175).
STEPS: dict[str, tuple[list[tuple[str, float | None]], str | None]] = {
    # the worked example (opened 2026-06-11)
    "NET": ([("2026-06-01", 220.0), ("2026-09-01", 200.0), ("2026-10-15", 231.0)], "USD"),
    "DDOG": ([("2026-06-01", 227.0), ("2026-08-03", 249.7)], "USD"),
    "ESTC": ([("2026-06-01", 61.0), ("2026-07-15", 70.0), ("2026-09-15", 45.75)], "USD"),
    "MDB": ([("2026-06-01", 300.0), ("2026-10-01", 330.0)], "USD"),
    "NVDA": ([("2026-06-01", 190.0), ("2026-08-17", 228.0)], "USD"),
    "SNOW": ([("2026-06-01", 210.0), ("2026-11-02", 199.5)], "USD"),
    "CFLT": ([("2026-06-01", 29.5), ("2026-09-01", 32.45), ("2026-10-31", None)], "USD"),
    "QQQ": ([("2026-06-01", 540.0), ("2026-08-03", 594.0), ("2026-10-01", 648.0)], "USD"),
    # the FX thesis (opened 2026-07-01)
    "ASML.AS": ([("2026-06-01", 790.0), ("2026-07-01", 800.0), ("2026-09-01", 880.0)], "EUR"),
    "EURUSD=X": ([("2026-06-01", 1.08), ("2026-07-01", 1.10), ("2026-10-01", 1.155)], None),
    "AMAT": ([("2026-06-01", 170.0), ("2026-07-01", 175.0), ("2026-11-02", 198.0)], "USD"),
    "SPY": ([("2026-06-01", 590.0), ("2026-07-01", 600.0), ("2026-09-01", 630.0)], "USD"),
}


def step_closes() -> pd.DataFrame:
    """Long-form closes (date, ticker, close, currency) on every business day of the window."""
    days = pd.bdate_range(FIRST_DAY, LAST_DAY)
    rows = []
    for ticker, (steps, currency) in STEPS.items():
        for day in days:
            close = [c for start, c in steps if pd.Timestamp(start) <= day][-1]
            if close is not None:
                rows.append((day, ticker, close, currency))
    return pd.DataFrame(rows, columns=["date", "ticker", "close", "currency"])


# The keys docs/cli.md and the design promise; more may be added.
CONTRACT = {
    "top": {"theses", "invalid_files", "last_refresh"},
    "thesis": {"id", "title", "opened", "benchmark", "portfolio", "positions", "assumptions"},
    "portfolio": {"return", "benchmark_return", "excess", "drawdown"},
    "position": {"ticker", "weight", "entry_price", "last_price", "last_date", "return", "target", "progress", "horizon_date", "days_left"},
    "assumption": {"id", "status", "since", "reasons"},
    "last_refresh": {"started_at", "finished_at", "outcome", "failures"},
}

# Placeholders for values that differ on every run. Everything else is left as produced.
RUN_DEPENDENT = "<run-dependent>"


def _round(value: Any) -> Any:
    """Floats to 10 significant digits, so the last bits of platform arithmetic do not matter."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v) for v in value]
    return value


def _without_folder(value: Any, folder: Path) -> Any:
    """The test's temporary folder written as `<tmp>` in every string."""
    if isinstance(value, str):
        return value.replace(str(folder.resolve()), "<tmp>").replace(str(folder), "<tmp>")
    if isinstance(value, dict):
        return {k: _without_folder(v, folder) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_folder(v, folder) for v in value]
    return value


def normalise(summary: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The summary as `tracker status --json` prints it, with only run-dependent values fixed."""
    # The same serialisation as the CLI (json.dumps with default=str), so the snapshot is what
    # scripts actually read.
    data = json.loads(json.dumps(summary, default=str))
    last = data["last_refresh"]
    # started_at / finished_at come from the wall clock when the refresh is recorded (the
    # history has no injectable clock). Check they are real ISO timestamps, then fix them.
    started = dt.datetime.fromisoformat(last["started_at"])
    assert last["finished_at"] is not None and dt.datetime.fromisoformat(last["finished_at"]) >= started
    last["started_at"] = last["finished_at"] = RUN_DEPENDENT
    # `since` (and the checks stage's `computed_at` / `evaluated_at`) come from the `now` given
    # to the checks stage, fixed to NOW, so they need no placeholder.
    # The work folder is a new temporary directory per run; the summary is built with it as the
    # working folder, so thesis paths normally show relative ("theses/broken.yaml"), but any
    # absolute path that appears is rewritten to `<tmp>/...` to keep the snapshot comparable
    # (an absolute path would still differ from the relative one and show up as a change).
    data = _without_folder(data, folder)
    return _round(data)


class TextSnapshotExtension(SingleFileSnapshotExtension):
    """One readable .txt file per snapshot."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.fixture
def snapshot_text(snapshot):
    return snapshot.use_extension(TextSnapshotExtension)


@dataclass(frozen=True)
class World:
    summary: dict[str, Any]
    folder: Path  # the temporary working folder the summary was built in


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """build_status_report over the fixed world, built once for both tests. The working folder is the
    temporary one, as for the CLI run from a project folder (and no tracker.toml of the checkout
    is read)."""
    folder = tmp_path_factory.mktemp("status")
    theses = folder / "theses"
    theses.mkdir()
    shutil.copy(EXAMPLE, theses / "ai-inference-cost-squeeze.yaml")
    (theses / "euro-litho.yaml").write_text(FX_THESIS, encoding="utf-8")
    (theses / "broken.yaml").write_text(BROKEN_THESIS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        settings = load_settings(
            {
                "TRACKER_DB_URL": f"sqlite:///{folder / 'tracker.db'}",
                "TRACKER_THESES_DIR": "theses",
                "TRACKER_PRICE_SOURCE": "demo",  # never used: prices are written directly below
                "TRACKER_DEFAULT_FEEDS": "none",
                "TRACKER_DATA_DIR": str(folder / "data"),
            }
        )
        assert settings.webhook_url is None
        engine = open_database(settings.db_url)
        try:
            with transaction(engine) as s:
                upsert_closes(s, step_closes(), "csv")

            def checks_at_fixed_time(ctx):
                # as the pipeline runs them, with the news history (no news stage ran: news checks are unknown)
                coverage = news_coverage(ctx.engine, ctx.theses, ctx.thesis_paths, ctx.settings)
                return run_checks(ctx.engine, ctx.theses, ctx.settings, ctx.progress, run_id=ctx.run_id, now=NOW, coverage=coverage)

            result = run_refresh(settings, only="checks", trigger="test", engine=engine, stages={"checks": checks_at_fixed_time})
            assert result.outcome == "partial"  # the invalid file is a recorded failure
            loaded = load_theses(settings.theses_dir)
            assert [t.id for t in loaded.theses] == ["ai-inference-cost-squeeze", "euro-litho"]
            assert [f.path for f in loaded.invalid] == ["theses/broken.yaml"]
            summary = build_status_report(settings, today=TODAY, engine=engine, loaded=loaded)
        finally:
            engine.dispose()
    yield World(summary, folder)


def test_status_json_contract(world, snapshot_json):
    # Plain JSON values only: the CLI's default=str fallback must not be what shapes a field
    # (a datetime would print as "2026-11-24 22:00:00+00:00"), and NaN is not valid JSON.
    json.dumps(world.summary, allow_nan=False)
    data = normalise(world.summary, world.folder)
    # The keys docs/cli.md promises are all there (the snapshot also freezes the extra ones).
    assert CONTRACT["top"] <= data.keys()
    assert CONTRACT["last_refresh"] <= data["last_refresh"].keys()
    for thesis in data["theses"]:
        assert CONTRACT["thesis"] <= thesis.keys()
        assert CONTRACT["portfolio"] <= thesis["portfolio"].keys()
        assert all(CONTRACT["position"] <= p.keys() for p in thesis["positions"])
        assert all(CONTRACT["assumption"] <= a.keys() for a in thesis["assumptions"])
    assert data == snapshot_json


def test_status_text(world, snapshot_text):
    summary = world.summary
    text = "\n".join(format_status_report(summary)) + "\n"
    # The same run-dependent values as in the JSON: the refresh's wall-clock times and the folder.
    last = summary["last_refresh"]
    for moment in (last["started_at"], last["finished_at"]):
        text = text.replace(moment, RUN_DEPENDENT)
    text = _without_folder(text, world.folder)
    assert text == snapshot_text
