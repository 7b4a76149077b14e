"""The scheduler: fires, never overlaps, catches up after downtime, stops cleanly on SIGTERM."""

from __future__ import annotations

import dataclasses
import datetime as dt
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from tracker.pipeline.runs import finish_run, start_run
from tracker.pipeline.scheduler import make_trigger, needs_catch_up, previous_fire, run_scheduler
from tracker.settings import load_settings
from tracker.storage.db import open_database

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
UTC = dt.UTC


def settings(tmp_path: Path):
    return dataclasses.replace(load_settings({}), db_url=f"sqlite:///{tmp_path / 's.db'}", theses_dir=tmp_path)


def _mark_success(url: str) -> None:
    engine = open_database(url)
    run = start_run(engine, "test", {})
    finish_run(engine, run, "success", {})
    engine.dispose()


@pytest.mark.parametrize(
    "now, expected_previous",
    [
        (dt.datetime(2026, 11, 24, 23, 31, tzinfo=UTC), dt.datetime(2026, 11, 24, 18, 30)),  # Tue after the run
        (dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC), dt.datetime(2026, 11, 23, 18, 30)),  # Tue before: Monday's
        (dt.datetime(2026, 11, 30, 12, 0, tzinfo=UTC), dt.datetime(2026, 11, 27, 18, 30)),  # Sunday: Friday's
    ],
)
def test_default_schedule_is_weekdays_after_the_us_close(tmp_path, now, expected_previous):
    trigger = make_trigger(settings(tmp_path))
    got = previous_fire(trigger, now)
    assert got.replace(tzinfo=None) == expected_previous and str(got.tzinfo) == "America/New_York"


def test_catch_up_decision(tmp_path):
    trigger = make_trigger(settings(tmp_path))
    now = dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert needs_catch_up(None, trigger, now)
    assert needs_catch_up(dt.datetime(2026, 11, 20, 23, 40, tzinfo=UTC), trigger, now)  # missed Monday's run
    assert not needs_catch_up(dt.datetime(2026, 11, 23, 23, 40, tzinfo=UTC), trigger, now)


def test_fires_repeatedly_and_never_overlaps(tmp_path):
    s = settings(tmp_path)
    _mark_success(s.db_url)  # no catch-up: only the interval fires
    running, peak, calls = [0], [0], []
    lock = threading.Lock()

    def slow_refresh(_settings):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            calls.append(time.monotonic())
        time.sleep(0.35)
        with lock:
            running[0] -= 1

    stop = threading.Event()
    thread = threading.Thread(
        target=run_scheduler,
        args=(s,),
        kwargs={"stop_event": stop, "trigger": IntervalTrigger(seconds=0.1, timezone=UTC), "refresh": slow_refresh, "install_signals": False,
                "now": lambda: dt.datetime(2000, 1, 1, tzinfo=UTC)},
    )
    thread.start()
    deadline = time.monotonic() + 10
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(calls) >= 3 and peak[0] == 1


def test_catches_up_at_start_after_downtime(tmp_path):
    s = settings(tmp_path)
    calls = []
    stop = threading.Event()

    def refresh(_settings):
        calls.append(1)
        stop.set()

    far = IntervalTrigger(days=1, timezone=UTC)
    thread = threading.Thread(target=run_scheduler, args=(s,), kwargs={"stop_event": stop, "trigger": far, "refresh": refresh, "install_signals": False})
    thread.start()
    thread.join(timeout=10)
    assert calls == [1] and not thread.is_alive()


def test_sigterm_stops_the_scheduler_process_cleanly(tmp_path):
    _mark_success(f"sqlite:///{tmp_path / 's.db'}")
    code = textwrap.dedent(
        f"""
        import dataclasses, logging, sys
        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
        from tracker.settings import load_settings
        from tracker.pipeline.scheduler import run_scheduler
        s = dataclasses.replace(load_settings({{}}), db_url="sqlite:///{tmp_path / 's.db'}", refresh_cron="0 0 1 1 *")
        run_scheduler(s, refresh=lambda _s: None)
        print("clean exit", flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    seen = ""
    while "scheduler started" not in seen and time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if not line and proc.poll() is not None:
            break
    assert "scheduler started" in seen, seen
    proc.send_signal(signal.SIGTERM)  # right after start: the moment a handler that takes locks would deadlock
    try:
        out, err = proc.communicate(timeout=60)  # a generous bound: this detects a hang, it does not time the stop
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 0, err
    assert "clean exit" in out and "scheduler stopped" in err


def test_a_second_sigterm_stops_the_process_while_a_refresh_runs(tmp_path):
    # no successful refresh recorded: the scheduler catches up at once, with a refresh that never ends
    code = textwrap.dedent(
        f"""
        import dataclasses, logging, sys, time
        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
        from tracker.settings import load_settings
        from tracker.pipeline.scheduler import run_scheduler
        s = dataclasses.replace(load_settings({{}}), db_url="sqlite:///{tmp_path / 's.db'}", refresh_cron="0 0 1 1 *")
        run_scheduler(s, refresh=lambda _s: time.sleep(600))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    deadline = time.monotonic() + 30
    while "scheduled refresh starting" not in seen and time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if not line and proc.poll() is not None:
            break
    assert "scheduled refresh starting" in seen, seen
    proc.send_signal(signal.SIGTERM)  # the first lets the running refresh finish
    while "scheduler stopped" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.readline()
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=60)  # a hang, not a timing: without the second stop it waits 600 s
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == -signal.SIGTERM
