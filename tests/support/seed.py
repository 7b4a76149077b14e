"""A small seeded world for page tests: one thesis on known CSV prices, sample news, checks run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tracker.pipeline.refresh import run_refresh
from tracker.sample import FEEDS_DIR
from tracker.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
PRICES = ROOT / "tests" / "fixtures" / "prices" / "known.csv"
SAMPLE_RSS = FEEDS_DIR / "ai-infrastructure.rss.xml"

KNOWN_THESIS = """
title: Known figures
id: known
opened: 2026-06-11
benchmark: IDX
positions:
  - {ticker: AAA, name: Cloudflare, weight: 50%, target: 150, horizon: 200d}
  - {ticker: BBB, name: Datadog, weight: 30%, upside: 20%, horizon: 30d, entry_price: 40}
  - {ticker: CCC.AS, name: Snowflake, currency: EUR, weight: 20%, target: 30, until: 2026-12-31}
assumptions:
  - id: gateway-grows
    statement: Gateway traffic keeps growing.
    falsified_if: Traffic shrinks.
    keywords: [AI Gateway]
    checks:
      - when: return(AAA) < 10%
        then: at_risk
  - id: needs-data
    statement: Inference share stays high.
    falsified_if: It drops below 20%.
    checks:
      - when: metric(inference_share) < 20%
feeds: ["feeds/news.rss.xml"]
risks: [Valuations compress]
"""

BROKEN_THESIS = """title: Broken
opened: 2026-06-11
positions:
  - ticker: NET
    weight: 60%
    horizon: 540d
  - ticker: DDOG
    weight: 52%
    horizon: 540d
"""


def seed(tmp: Path, *, broken: bool = True, refresh: bool = True, db_url: str | None = None) -> dict[str, str]:
    """Write theses and run one refresh; returns the environment the app should run with."""
    theses = tmp / "theses"
    theses.mkdir(parents=True, exist_ok=True)
    (theses / "known.yaml").write_text(KNOWN_THESIS, encoding="utf-8")
    (theses / "feeds").mkdir(exist_ok=True)  # a copy outside the bundled sample, so it is not flagged as sample
    (theses / "feeds" / "news.rss.xml").write_bytes(SAMPLE_RSS.read_bytes())
    if broken:
        (theses / "broken.yaml").write_text(BROKEN_THESIS, encoding="utf-8")
    env = {
        "TRACKER_DB_URL": db_url or f"sqlite:///{tmp / 'ui.db'}",
        "TRACKER_THESES_DIR": str(theses),
        "TRACKER_PRICE_SOURCE": f"csv:{PRICES}",
        "TRACKER_DEFAULT_FEEDS": "none",
        "TRACKER_DATA_DIR": str(tmp / "data"),
    }
    if refresh:
        settings = dataclasses.replace(load_settings(env))
        run_refresh(settings, trigger="test")
    return env
