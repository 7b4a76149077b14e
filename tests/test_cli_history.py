"""`tracker history ID [--json]` per the contract in docs/cli.md."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tracker.cli import app
from tracker.journal.changes import PAST
from tracker.journal.store import record_versions
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import ThesisVersion
from tracker.validation import load_theses

runner = CliRunner()

THESIS = """title: Known figures
opened: 2026-06-11
positions:
  - {ticker: AAA, weight: 50%, target: 150, horizon: 200d}
  - {ticker: BBB, weight: 50%, upside: 20%, horizon: 30d}
"""
EDITED = THESIS.replace("target: 150", "target: 180") + "  - {ticker: CCC, weight: 25%, horizon: 1y, opened: 2026-09-01}\n"
T1 = dt.datetime(2026, 11, 20, 14, 3, 27, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> tuple[str, Path]:
    theses = tmp_path / "theses"
    theses.mkdir()
    (theses / "known.yaml").write_text(THESIS, encoding="utf-8")
    monkeypatch.setenv("TRACKER_DB_URL", db_url)
    monkeypatch.setenv("TRACKER_THESES_DIR", str(theses))
    monkeypatch.setenv("TRACKER_DEFAULT_FEEDS", "none")
    return db_url, theses


def record(db_url: str, theses: Path, now: dt.datetime, origin: str) -> None:
    engine = open_database(db_url)
    record_versions(engine, load_theses(theses), origin, now, git=None)
    engine.dispose()


@pytest.fixture
def recorded(world: tuple[str, Path]) -> tuple[str, Path]:
    db_url, theses = world
    record(db_url, theses, T1, "refresh")
    (theses / "known.yaml").write_text(EDITED, encoding="utf-8")
    record(db_url, theses, T2, "dashboard")
    return world


def test_json_lists_the_versions_oldest_first(recorded):
    result = runner.invoke(app, ["history", "known", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "id": "known",
        "versions": [
            {"seen_at": "2026-11-20T14:03:27+00:00", "origin": "refresh", "renamed_from": None,
             "changes": ["first version: opened 2026-06-11, 2 positions (AAA, BBB)"], "rewrites_past": [False]},
            {"seen_at": "2026-11-21T09:30:00+00:00", "origin": "dashboard", "renamed_from": None,
             "changes": [f"positions[AAA].target: 150 → 180 ({PAST}: held since 2026-06-11)",
                         "positions[CCC] added (opened 2026-09-01, weight 25%)"],
             "rewrites_past": [True, False]},
        ],
    }


def test_text_prints_a_block_per_version(recorded):
    result = runner.invoke(app, ["history", "known"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2026-11-20 14:03 UTC (refresh)",
        "  first version: opened 2026-06-11, 2 positions (AAA, BBB)",
        "2026-11-21 09:30 UTC (dashboard)",
        f"  positions[AAA].target: 150 → 180 ({PAST}: held since 2026-06-11)",
        "  positions[CCC] added (opened 2026-09-01, weight 25%)",
    ]


def test_a_renamed_thesis_shows_its_whole_history(recorded):
    db_url, theses = recorded
    (theses / "known.yaml").rename(theses / "figures.yaml")
    record(db_url, theses, T2 + dt.timedelta(days=1), "refresh")
    result = runner.invoke(app, ["history", "figures"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2:] == ["2026-11-22 09:30 UTC (refresh, renamed from known)", "  renamed from known (known.yaml → figures.yaml)"]
    data = json.loads(runner.invoke(app, ["history", "figures", "--json"]).stdout)
    assert [v["renamed_from"] for v in data["versions"]] == [None, None, "known"]


def test_unknown_id_is_an_error_on_stderr(world):
    result = runner.invoke(app, ["history", "nope"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: no thesis and no recorded versions with id 'nope'")


def test_a_loaded_thesis_without_versions_has_an_empty_history(world):
    db_url, _ = world
    result = runner.invoke(app, ["history", "known", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": "known", "versions": []}
    text = runner.invoke(app, ["history", "known"])
    assert text.exit_code == 0 and text.stdout == "" and "no versions of known recorded yet" in text.stderr


def test_history_and_validate_write_nothing(world):
    db_url, _ = world
    assert runner.invoke(app, ["validate"]).exit_code == 0
    assert runner.invoke(app, ["history", "known"]).exit_code == 0
    engine = open_database(db_url)
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(ThesisVersion)) == 0
    engine.dispose()
