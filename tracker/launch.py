"""Starting the dashboard: on live data when Yahoo is reachable, else on the bundled sample.

The sample goes into its own database (`data/demo.db`), so demo rows never mix with real ones.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tracker.pipeline.refresh import run_refresh
from tracker.reporting.progress import terminal_progress
from tracker.settings import DEMO_DB_URL, Settings

log = logging.getLogger(__name__)

APP = Path(__file__).resolve().parent / "ui" / "app.py"  # inside the package: found in any install
# Set on the command line too, so an install run outside the checkout (no .streamlit/config.toml)
# also hides exception text and tracebacks from viewers (docs/security.md).
HIDDEN_ERROR_DETAILS = ["--client.showErrorDetails", "none"]
YAHOO_PROBE_URL = "https://query1.finance.yahoo.com/"


def yahoo_reachable(timeout: float = 3.0) -> bool:
    """True when Yahoo answers at all (any HTTP status); False offline or behind a firewall."""
    try:
        httpx.head(YAHOO_PROBE_URL, timeout=timeout)
    except httpx.HTTPError:
        return False
    return True


def demo_settings(settings: Settings) -> Settings:
    """The same settings pointed at the demo database, demo prices and the sample feeds only.

    The bundled sample feeds are read here and nowhere else: a live database never gets invented
    articles judged against real prices.
    """
    return dataclasses.replace(
        settings, db_url=DEMO_DB_URL, price_source="demo", default_feeds=(), webhook_url=None, sample_feeds=True
    )


def demo_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TRACKER_DB_URL=settings.db_url,
        TRACKER_PRICE_SOURCE=settings.price_source,
        TRACKER_DEFAULT_FEEDS="none",
        TRACKER_WEBHOOK_URL="",
        TRACKER_SAMPLE_FEEDS="1",
        TRACKER_THESES_DIR=str(settings.theses_dir),
    )
    return env


def build_demo_database(settings: Settings) -> int:
    """Fill the demo database from the bundled sample; returns the refresh exit code."""
    result = run_refresh(settings, trigger="demo", progress=terminal_progress())
    return result.exit_code


def run_streamlit(env: dict[str, str] | None = None, port: int | None = None, headless: bool = False) -> int:
    """Run `streamlit run` on the packaged dashboard in the foreground and return its exit code."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), *HIDDEN_ERROR_DETAILS]
    if port:
        cmd += ["--server.port", str(port)]
    if headless:
        cmd += ["--server.headless", "true"]
    log.info("starting dashboard: %s", " ".join(cmd))
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0
