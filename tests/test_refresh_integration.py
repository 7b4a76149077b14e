"""The whole refresh with its real stages: a dead feed, a failing ticker and an invalid thesis
file end in exit code 3, everything else is stored, and each failure is recorded where the user
sees it (job history, feed and ticker state, `tracker status`)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tests.support.feed_server import FeedServer, Route
from tracker.pipeline.refresh import run_refresh
from tracker.pipeline.runs import last_refresh
from tracker.sample import FEEDS_DIR
from tracker.settings import load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import Article, AssumptionStatus, Feed, Instrument, Price

ROOT = Path(__file__).resolve().parent.parent
PRICES = ROOT / "tests" / "fixtures" / "prices" / "known.csv"
SAMPLE = FEEDS_DIR / "ai-infrastructure.rss.xml"

THESIS = """
title: Integration
opened: 2026-06-11
benchmark: IDX
positions:
  - {{ticker: AAA, name: Cloudflare, weight: 50%, target: 150, horizon: 200d}}
  - {{ticker: GONE, weight: 50%, upside: 10%, horizon: 1y}}
assumptions:
  - id: up
    statement: s
    falsified_if: f
    keywords: [DeepSeek]
    checks:
      - when: return(AAA) < 0
feeds:
  - {good}
  - {dead}
"""


def test_dead_feed_failing_ticker_and_invalid_file_exit_3_and_store_the_rest(db_url, tmp_path):
    theses = tmp_path / "theses"
    theses.mkdir()
    with FeedServer() as srv:
        srv.routes["/good"] = Route(SAMPLE.read_bytes(), headers={"Content-Type": "application/rss+xml"})
        srv.routes["/dead"] = Route(b"oops", status=500)
        (theses / "one.yaml").write_text(THESIS.format(good=srv.url("/good"), dead=srv.url("/dead")))
        (theses / "broken.yaml").write_text("title: [\n")
        settings = load_settings({"TRACKER_DB_URL": db_url, "TRACKER_THESES_DIR": str(theses), "TRACKER_PRICE_SOURCE": f"csv:{PRICES}",
                                  "TRACKER_DEFAULT_FEEDS": "none"})
        result = run_refresh(settings)
    assert result.exit_code == 3 and result.outcome == "partial"
    kinds = sorted((f.kind, Path(f.source).name if f.kind == "thesis" else f.source.rsplit("/", 1)[-1]) for f in result.failures)
    assert kinds == [("feed", "dead"), ("thesis", "broken.yaml"), ("ticker", "GONE")]
    engine = open_database(db_url)
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Price).where(Price.ticker == "AAA")) == 6
        assert s.scalar(select(func.count()).select_from(Article)) == 15
        assert s.get(Instrument, "GONE").last_error == "not in known.csv"
        dead = s.scalar(select(Feed).where(Feed.url.like("%/dead")))
        assert dead.last_error == "HTTP 500 Internal Server Error" and dead.consecutive_failures == 1
        assert s.get(AssumptionStatus, ("one", "up")).status == "intact"
    last = last_refresh(engine)
    assert last["outcome"] == "partial" and {f["kind"] for f in last["failures"]} == {"feed", "thesis", "ticker"}
    engine.dispose()
