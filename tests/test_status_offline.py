"""The worked example refreshed offline with every news feed failing: its news-based assumptions
are unknown, with the reason, in the store, in `tracker status` and in `tracker status --json`;
once a feed of the thesis is read, the same checks are evaluated again."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.support.feed_server import FeedServer, Route
from tests.test_status_snapshot import step_closes
from tracker.cli import app
from tracker.pipeline.refresh import run_refresh
from tracker.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "theses" / "ai-inference-cost-squeeze.yaml"
SAMPLE_FEEDS = ('"{sample}/feeds/ai-infrastructure.rss.xml"', '"{sample}/feeds/company-filings.atom.xml"')


def with_feeds(text: str, feeds: tuple[str, ...]) -> str:
    """The worked example (which reads the live default feeds) with these `feeds:` of its own."""
    return text + "feeds:\n" + "".join(f"  - {f}\n" for f in feeds)
NEWS_BASED = {"cheap-inference-at-scale": "30 days", "no-pricing-defence": "60 days", "cost-beats-capability": "60 days"}


def status_json(env: dict[str, str]) -> dict:
    result = CliRunner().invoke(app, ["status", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_worked_example_with_every_feed_failing(tmp_path, db_url):
    theses = tmp_path / "theses"
    theses.mkdir()
    prices = tmp_path / "prices.csv"
    step_closes().to_csv(prices, index=False)
    env = {"TRACKER_DB_URL": db_url, "TRACKER_THESES_DIR": str(theses), "TRACKER_PRICE_SOURCE": f"csv:{prices}",
           "TRACKER_DEFAULT_FEEDS": "none", "TRACKER_DATA_DIR": str(tmp_path / "data")}
    text = EXAMPLE.read_text(encoding="utf-8")
    with FeedServer() as srv:
        srv.routes["/down"] = Route(b"unavailable", status=503)
        dead = with_feeds(text, (f'"{srv.url("/down")}"', '"http://127.0.0.1:9/refused.xml"'))
        (theses / "ai-inference-cost-squeeze.yaml").write_text(dead, encoding="utf-8")
        result = run_refresh(load_settings(env), trigger="test")
    assert result.exit_code == 3 and sorted(f.kind for f in result.failures) == ["feed", "feed"]

    report = status_json(env)
    (thesis,) = report["theses"]
    seen = {a["id"]: a for a in thesis["assumptions"]}
    for assumption, window in NEWS_BASED.items():
        assert seen[assumption]["status"] == "unknown", seen[assumption]
        assert any(f"no news source for this thesis succeeded in the last {window}" in r for r in seen[assumption]["reasons"])
    assert seen["cheap-inference-at-scale"]["since"].startswith("2026-06-11")  # never read since the opening
    # the human text carries the same lines
    text_out = CliRunner().invoke(app, ["status"], env=env).stdout
    assert "[unknown] cheap-inference-at-scale" in text_out
    assert "no news source for this thesis succeeded in the last 30 days" in text_out

    # the feeds come back: the news checks are evaluated on what was read
    (theses / "ai-inference-cost-squeeze.yaml").write_text(with_feeds(text, SAMPLE_FEEDS), encoding="utf-8")
    assert run_refresh(load_settings(env), trigger="test").exit_code == 0
    seen = {a["id"]: a for a in status_json(env)["theses"][0]["assumptions"]}
    assert not any("no news source" in r for a in NEWS_BASED for r in seen[a]["reasons"])
    assert seen["cheap-inference-at-scale"]["status"] in ("intact", "at_risk", "falsified")
