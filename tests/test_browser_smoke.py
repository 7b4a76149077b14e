"""One real-browser smoke test: `streamlit run app.py` on the demo data, every page in Chromium."""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tracker.launch import demo_env, demo_settings
from tracker.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PAGES = {"overview": "", "thesis": "thesis", "track_record": "track-record", "news": "news", "health": "health"}

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail("CI=true but Chromium is missing (apt install chromium)")
        pytest.skip("Debian's chromium is not installed; `apt install chromium` to run the browser test")
    tmp = tmp_path_factory.mktemp("browser")
    settings = dataclasses.replace(demo_settings(load_settings({})), db_url=f"sqlite:///{tmp / 'demo.db'}", theses_dir=ROOT / "theses")
    from tracker.launch import build_demo_database

    assert build_demo_database(settings) in (0, 3)
    port = _free_port()
    env = demo_env(settings)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_every_page_renders_without_exceptions(demo_server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 2800})
        for name, path in PAGES.items():
            page.goto(f"{demo_server}/{path}", wait_until="networkidle")
            page.wait_for_selector('[data-testid="stMainBlockContainer"]', timeout=30_000)
            # The script runs after the page shell has loaded: wait for its first output (the sample
            # banner every page shows on the demo), then for the run to finish.
            page.wait_for_function("() => document.body.innerText.includes('Sample data')", timeout=30_000)
            page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
            page.wait_for_timeout(1500)
            assert page.locator('[data-testid="stException"]').count() == 0, name
            assert "Sample data" in page.inner_text("body"), name
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        browser.close()
