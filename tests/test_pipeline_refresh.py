"""The one refresh function: stage isolation, exit codes, job history, the cross-process lock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.pipeline import lock as lock_mod
from tracker.pipeline.refresh import UnknownThesis, run_refresh
from tracker.pipeline.runs import last_refresh
from tracker.reporting.report import StageReport
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import JobFailure, JobStage, RefreshLock

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "theses" / "ai-inference-cost-squeeze.yaml").read_text()


def settings_for(tmp_path: Path, db_url: str, **extra):
    theses = tmp_path / "theses"
    theses.mkdir(exist_ok=True)
    (theses / "good.yaml").write_text(EXAMPLE)
    # the worked example as the demo database reads it: the bundled sample feeds, no live ones
    return dataclasses.replace(load_settings({}), db_url=db_url, theses_dir=theses, default_feeds=(), sample_feeds=True, **extra)


def ok_stage(name):
    def run(ctx):
        report = StageReport(name, counts={f"{name}_done": len(ctx.theses)})
        return report
    return run


def test_all_stages_succeed_exit_0_and_history(engine, db_url, tmp_path):
    s = settings_for(tmp_path, db_url)
    result = run_refresh(s, engine=engine, stages={n: ok_stage(n) for n in ("prices", "news", "checks")})
    assert result.exit_code == 0 and result.outcome == "success"
    with transaction(engine) as ses:
        assert [st.stage for st in ses.scalars(select(JobStage).order_by(JobStage.id))] == ["prices", "news", "checks"]
        assert ses.scalar(select(RefreshLock)) is None  # released
    last = last_refresh(engine)
    assert last["outcome"] == "success" and last["failures"] == [] and last["counts"]["news_done"] == 1


def test_failed_sources_invalid_file_and_crashing_stage_exit_3(engine, db_url, tmp_path):
    s = settings_for(tmp_path, db_url)
    (s.theses_dir / "broken.yaml").write_text("title: x\nopened: 2026-13-01\npositions: []\n")

    def prices(ctx):
        r = StageReport("prices", counts={"prices_stored": 10})
        r.fail("ticker", "NOPE", "possibly delisted")
        return r

    def news(ctx):
        raise ConnectionError("feed server exploded")

    ran = []
    result = run_refresh(s, engine=engine, stages={"prices": prices, "news": news, "checks": lambda ctx: ran.append(1) or StageReport("checks")})
    assert ran == [1]  # a crashing stage does not stop the next one
    assert result.exit_code == 3 and result.outcome == "partial"
    with transaction(engine) as ses:
        fails = {(f.stage, f.kind, Path(f.source).name if f.kind == "thesis" else f.source) for f in ses.scalars(select(JobFailure))}
        stages = {st.stage: st.outcome for st in ses.scalars(select(JobStage))}
    assert ("prices", "ticker", "NOPE") in fails and ("news", "stage", "news") in fails and ("load", "thesis", "broken.yaml") in fails
    assert stages == {"prices": "partial", "news": "failed", "checks": "success"}


def test_every_stage_crashing_is_fatal(engine, db_url, tmp_path):
    s = settings_for(tmp_path, db_url)

    def boom(ctx):
        raise RuntimeError("no")

    result = run_refresh(s, engine=engine, stages={n: boom for n in ("prices", "news", "checks")})
    assert result.exit_code == 1 and result.outcome == "failed"


def test_only_and_unknown_thesis(engine, db_url, tmp_path):
    s = settings_for(tmp_path, db_url)
    result = run_refresh(s, engine=engine, only="news", stages={n: ok_stage(n) for n in ("prices", "news", "checks")})
    assert [st.stage for st in result.stages] == ["news"]
    with pytest.raises(UnknownThesis, match="valid ids: ai-inference-cost-squeeze"):
        run_refresh(s, engine=engine, thesis_id="nope")


def test_lock_blocks_a_second_refresh_until_stale(engine, db_url, tmp_path, monkeypatch):
    s = settings_for(tmp_path, db_url)
    held = lock_mod.acquire(engine, owner="otherhost:1")
    with pytest.raises(lock_mod.RefreshLocked, match="another refresh is running"):
        run_refresh(s, engine=engine, stages={n: ok_stage(n) for n in ("prices", "news", "checks")})
    later = dt.datetime.now(dt.UTC) + lock_mod.STALE_AFTER + dt.timedelta(minutes=1)
    taken = lock_mod.acquire(engine, owner="me:2", now=later)
    assert taken.owner == "me:2"
    held.release()  # the old holder can no longer release what it lost
    with transaction(engine) as ses:
        assert ses.get(RefreshLock, "refresh").owner == "me:2"


def test_lock_of_a_dead_local_process_is_taken_over_at_once(engine):
    import socket
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    lock_mod.acquire(engine, owner=f"{socket.gethostname()}:{dead}")
    assert lock_mod.acquire(engine, owner="me:3").owner == "me:3"


def test_status_json_contract(tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 't.db'}"
    s = settings_for(tmp_path, db, price_source="demo")
    run_refresh(s)
    for k, v in {"TRACKER_DB_URL": db, "TRACKER_THESES_DIR": str(s.theses_dir), "TRACKER_DEFAULT_FEEDS": "none"}.items():
        monkeypatch.setenv(k, v)
    out = CliRunner().invoke(app, ["status", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    thesis = data["theses"][0]
    assert {"id", "title", "opened", "benchmark", "portfolio", "positions", "assumptions"} <= set(thesis)
    assert {"return", "benchmark_return", "excess", "drawdown"} <= set(thesis["portfolio"])
    assert len(thesis["positions"]) == 7
    pos = {p["ticker"]: p for p in thesis["positions"]}
    assert set(pos["NET"]) >= {"ticker", "weight", "entry_price", "last_price", "last_date", "return", "target", "progress", "horizon_date", "days_left"}
    assert pos["NET"]["weight"] == 0.2 and pos["NET"]["target"] == 330.0 and pos["SNOW"]["target"] is None
    assert pos["NET"]["horizon_date"] == "2027-12-03"
    statuses = {a["id"]: a["status"] for a in thesis["assumptions"]}
    assert statuses["inference-share-of-ai-revenue"] == "unknown" and "intact" in statuses.values() and "at_risk" in statuses.values()
    assert data["invalid_files"] == [] and data["last_refresh"]["outcome"] == "success"
    human = CliRunner().invoke(app, ["status"])
    assert "[unknown] inference-share-of-ai-revenue" in human.output and "last refresh: success" in human.output
