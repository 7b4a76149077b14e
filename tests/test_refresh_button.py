"""The Data health page's "Refresh now": disabled and saying so while a refresh holds the lock,
disabled for a cooldown after a refresh started, and running the refresh otherwise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from tests.support.seed import seed
from tracker.pipeline.lock import STALE_AFTER, acquire, running_since
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import JobRun, RefreshLock

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture
def world(tmp_path, monkeypatch):
    st.cache_data.clear()
    st.cache_resource.clear()
    env = seed(tmp_path)  # one refresh has just started and finished
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("TRACKER_SAMPLE_FEEDS", raising=False)
    monkeypatch.chdir(ROOT)
    engine = open_database(env["TRACKER_DB_URL"])
    yield engine
    engine.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()


def health_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("tracker/ui/views/health.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def refresh_runs(engine) -> int:
    with transaction(engine) as s:
        return s.scalar(select(func.count()).select_from(JobRun).where(JobRun.trigger == "dashboard"))


@pytest.mark.timeout(120)
def test_the_button_is_disabled_and_says_since_when_while_a_refresh_holds_the_lock(world, monkeypatch):
    monkeypatch.setenv("TRACKER_REFRESH_COOLDOWN", "0")
    since = dt.datetime(2026, 11, 25, 9, 41, tzinfo=dt.UTC)
    acquire(world, owner="another-host:4242", now=dt.datetime.now(dt.UTC))
    with transaction(world) as s:
        s.get(RefreshLock, "refresh").acquired_at = since
    at = health_page()
    button = at.button(key="refresh_now")
    assert button.disabled and button.label == "Refresh running since 09:41 UTC"


@pytest.mark.timeout(120)
def test_a_stale_lock_does_not_block_the_button(world, monkeypatch):
    monkeypatch.setenv("TRACKER_REFRESH_COOLDOWN", "0")
    acquire(world, owner="another-host:4242", now=dt.datetime.now(dt.UTC) - STALE_AFTER - dt.timedelta(minutes=1))
    assert running_since(world) is None
    at = health_page()
    assert not at.button(key="refresh_now").disabled and at.button(key="refresh_now").label == "Refresh now"


@pytest.mark.timeout(120)
def test_the_button_waits_for_the_cooldown_after_a_refresh_started(world, monkeypatch):
    monkeypatch.setenv("TRACKER_REFRESH_COOLDOWN", "3600")
    at = health_page()
    button = at.button(key="refresh_now")
    assert button.disabled and button.label == "Refresh now"
    assert any("Refresh now is available again in" in c.value for c in at.caption)


@pytest.mark.timeout(120)
def test_a_press_after_another_refresh_took_the_lock_runs_nothing(world, monkeypatch):
    monkeypatch.setenv("TRACKER_REFRESH_COOLDOWN", "0")
    at = health_page()
    assert not at.button(key="refresh_now").disabled
    acquire(world, owner="another-host:4242")  # the scheduler starts between the page and the press
    at.button(key="refresh_now").click().run()
    assert refresh_runs(world) == 0
    button = at.button(key="refresh_now")
    assert button.disabled and button.label.startswith("Refresh running since")


@pytest.mark.timeout(120)
def test_after_the_cooldown_the_button_runs_a_refresh_then_waits_again(world, monkeypatch):
    monkeypatch.setenv("TRACKER_REFRESH_COOLDOWN", "60")
    with transaction(world) as s:  # the seeded refresh started two minutes ago
        for run in s.scalars(select(JobRun)):
            run.started_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    at = health_page()
    assert not at.button(key="refresh_now").disabled
    at.button(key="refresh_now").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert refresh_runs(world) == 1
    at.run()  # the next look at the page: the refresh just started, so the button waits
    assert at.button(key="refresh_now").disabled
