"""The refresh and the dashboard's load record thesis versions; a failure to record never fails them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import streamlit as st

from tracker.journal import store as journal_store
from tracker.journal.changes import PAST
from tracker.pipeline import refresh as refresh_mod
from tracker.pipeline.refresh import run_refresh
from tracker.settings import load_settings
from tracker.storage.db import open_database
from tracker.ui import queries

ROOT = Path(__file__).resolve().parent.parent
PRICES = ROOT / "tests" / "fixtures" / "prices" / "known.csv"

THESIS = """title: Known figures
id: known
opened: 2026-06-11
benchmark: IDX
positions:
  - {ticker: AAA, weight: 50%, target: 150, horizon: 200d}
  - {ticker: BBB, weight: 50%, upside: 20%, horizon: 30d}
"""
EDITED = THESIS.replace("target: 150", "target: 160").replace("positions:", "category: catalyst\npositions:")


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    theses = tmp_path / "theses"
    theses.mkdir()
    (theses / "known.yaml").write_text(THESIS, encoding="utf-8")
    values = {"TRACKER_DB_URL": db_url, "TRACKER_THESES_DIR": str(theses), "TRACKER_PRICE_SOURCE": f"csv:{PRICES}",
              "TRACKER_DEFAULT_FEEDS": "none", "TRACKER_DATA_DIR": str(tmp_path / "data")}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def test_an_edit_between_two_refreshes_leaves_two_versions(env):
    settings = load_settings(env)
    assert run_refresh(settings).outcome == "success"
    (settings.theses_dir / "known.yaml").write_text(EDITED, encoding="utf-8")
    assert run_refresh(settings).outcome == "success"
    run_refresh(settings, only="checks")  # nothing changed since: nothing recorded
    engine = open_database(env["TRACKER_DB_URL"])
    versions = journal_store.journal(engine, "known")
    engine.dispose()
    assert [v.origin for v in versions] == ["refresh", "refresh"]
    assert versions[0].seen_at < versions[1].seen_at
    assert [c.text for c in versions[1].changes] == [
        "category: — → catalyst",
        f"positions[AAA].target: 150 → 160 ({PAST}: held since 2026-06-11)",
    ]


def test_a_failure_to_record_is_logged_and_the_refresh_goes_on(env, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("journal unavailable")

    monkeypatch.setattr(refresh_mod, "record_versions", broken)
    with caplog.at_level(logging.WARNING, logger="tracker.pipeline.refresh"):
        result = run_refresh(load_settings(env))
    assert result.outcome == "success" and result.exit_code == 0
    assert "could not record thesis versions" in caplog.text


@pytest.fixture
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_dashboard_load_records_each_content_once(env, fresh_caches, monkeypatch):
    calls = []
    real = journal_store.record_versions

    def counting(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(journal_store, "record_versions", counting)
    assert [t.id for t in queries.loaded().theses] == ["known"]
    queries.loaded()
    st.cache_data.clear()  # the load's cache expires: the same content is not recorded again
    queries.loaded()
    assert calls == ["dashboard"]
    [first] = queries.history_versions("known")
    assert first.origin == "dashboard" and first.changes[0].text.startswith("first version")

    (Path(env["TRACKER_THESES_DIR"]) / "known.yaml").write_text(EDITED, encoding="utf-8")
    st.cache_data.clear()
    queries.loaded()
    assert calls == ["dashboard", "dashboard"]
    versions = queries.history_versions("known")
    assert len(versions) == 2 and versions[1].rewrites_past


def test_the_dashboard_shows_theses_when_recording_fails(env, fresh_caches, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("read-only database")

    monkeypatch.setattr(journal_store, "record_versions", broken)
    with caplog.at_level(logging.WARNING, logger="tracker.ui.queries"):
        assert [t.id for t in queries.loaded().theses] == ["known"]
    assert "could not record thesis versions" in caplog.text
