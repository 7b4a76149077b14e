"""`tracker schedule`: the daily refresh on a cron schedule, in its own foreground process.

APScheduler 3's BackgroundScheduler with coalescing (a backlog of missed runs becomes one run),
one instance at a time, a misfire grace of hours (a laptop waking up at 09:00 still runs the
18:30 refresh), and a catch-up run at start when the last successful refresh is older than the
last time the schedule fired. Never run inside Streamlit: reruns would start duplicates.

The signal handler only flips a flag that the main thread polls. Shutting the scheduler down from
inside the handler takes locks the interrupted main thread may already hold (APScheduler's wake-up
event among them), which deadlocks the process instead of stopping it.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from tracker.errors import SettingsError, TrackerError
from tracker.pipeline.refresh import format_result, run_refresh
from tracker.pipeline.runs import last_success_at
from tracker.reporting.progress import LineProgress
from tracker.settings import Settings
from tracker.storage.db import open_database

log = logging.getLogger(__name__)

MISFIRE_GRACE = dt.timedelta(hours=6)
JOB_ID = "daily-refresh"
STOP_POLL_SECONDS = 0.2


def make_trigger(settings: Settings) -> CronTrigger:
    try:
        tz = ZoneInfo(settings.refresh_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"TRACKER_REFRESH_TIMEZONE={settings.refresh_timezone!r} is not a time zone name like America/New_York") from None
    try:
        return CronTrigger.from_crontab(settings.refresh_cron, timezone=tz)
    except ValueError as exc:
        raise SettingsError(f"TRACKER_REFRESH_CRON={settings.refresh_cron!r} is not a crontab line (minute hour day month weekday): {exc}") from None


def previous_fire(trigger: BaseTrigger, now: dt.datetime, lookback: dt.timedelta = dt.timedelta(days=14)) -> dt.datetime | None:
    """The last time the schedule should have fired at or before `now`."""
    moment = trigger.get_next_fire_time(None, now - lookback)
    last = None
    while moment is not None and moment <= now:
        last = moment
        moment = trigger.get_next_fire_time(moment, moment + dt.timedelta(seconds=1))
    return last


def needs_catch_up(last_success: dt.datetime | None, trigger: BaseTrigger, now: dt.datetime) -> bool:
    """True when no refresh has succeeded since the schedule last fired (or ever)."""
    fired = previous_fire(trigger, now)
    if last_success is None:
        return True
    return fired is not None and last_success < fired


def _default_refresh(settings: Settings) -> None:
    result = run_refresh(settings, trigger="scheduler", progress=LineProgress(verbose=False))
    for line in format_result(result, quiet=True):
        log.info("%s", line)


def run_scheduler(
    settings: Settings,
    *,
    stop_event: threading.Event | None = None,
    trigger: BaseTrigger | None = None,
    refresh: Callable[[Settings], None] | None = None,
    now: Callable[[], dt.datetime] | None = None,
    install_signals: bool = True,
) -> None:
    """Run until SIGINT/SIGTERM (or `stop_event`); each run is logged and recorded by the refresh."""
    trigger = trigger or make_trigger(settings)
    refresh = refresh or _default_refresh
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    scheduler = BackgroundScheduler(
        timezone=getattr(trigger, "timezone", dt.UTC),
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": int(MISFIRE_GRACE.total_seconds())},
    )

    def job() -> None:
        log.info("scheduled refresh starting")
        try:
            refresh(settings)
        except TrackerError as exc:
            log.error("scheduled refresh could not run: %s", exc)
        except Exception:  # the scheduler must outlive any single failed run
            log.exception("scheduled refresh crashed")
        else:
            log.info("scheduled refresh finished")

    scheduler.add_job(job, trigger, id=JOB_ID, name="daily refresh", replace_existing=True)
    engine = open_database(settings.db_url)
    last = last_success_at(engine)
    engine.dispose()
    if needs_catch_up(last, trigger, clock()):
        log.info("last successful refresh %s is older than the schedule implies: catching up now", last or "never")
        scheduler.get_job(JOB_ID).modify(next_run_time=clock())

    signalled: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        signalled.append(signum)  # no locks, no logging: see the module docstring
        # a second Ctrl-C or SIGTERM does not wait for a running refresh to finish
        signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)

    if install_signals and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    scheduler.start()
    log.info("scheduler started: %s (%s); next run %s", settings.refresh_cron, settings.refresh_timezone, scheduler.get_job(JOB_ID).next_run_time)
    try:
        while not signalled and not (stop_event is not None and stop_event.is_set()):
            time.sleep(STOP_POLL_SECONDS)
    finally:
        log.info("stopping the scheduler")
        scheduler.shutdown(wait=False)
    log.info("scheduler stopped")
