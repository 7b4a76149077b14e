"""Scale: 200 theses, 2,000 tickers, 10 years of daily prices, 100,000 articles — full and
incremental refresh (fake Yahoo in yfinance's real frame shape), a checks run, and the overview
and a thesis page rendered with AppTest, on SQLite and PostgreSQL, at 10% and at full size.

Goal: page renders grow well below linearly from 10% to 100% (pages read aggregates, not rows).
Renders are measured cold and with the thesis files already loaded (they are cached across
reruns; reading 200 YAML files is linear by nature); the goal applies to the latter.
Usage: python benchmarks/bench_scale.py [--sizes 0.1,1.0] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from common import figure, machine, timed
from sqlalchemy import insert

from tests.support.yahoo_frames import FakeYahoo
from tracker.pipeline.refresh import DEFAULT_STAGES, run_refresh
from tracker.prices.stage import refresh_prices
from tracker.prices.yahoo import YahooSource
from tracker.reporting.report import StageReport
from tracker.settings import load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import Article, ArticleTicker

FULL = {"theses": 200, "tickers": 2000, "articles": 100_000}
TODAY = dt.date(2026, 11, 20)
ROOT = Path(__file__).resolve().parent.parent


def write_theses(folder: Path, n: int, tickers: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        mine = tickers[(k * 10) % len(tickers): (k * 10) % len(tickers) + 10]
        positions = "\n".join(f"  - {{ticker: {t}, weight: 10%, upside: 30%, horizon: 3y}}" for t in mine)
        assumptions = "\n".join(
            f"  - id: a{a}\n    statement: s\n    falsified_if: f\n    keywords: [word{a}]\n    checks:\n"
            f"      - {{when: 'return({mine[a]}) < -30%', then: at_risk}}\n      - when: 'negative_news(\"word{a}\", 30d) >= 5'"
            for a in range(5)
        )
        (folder / f"t{k:03d}.yaml").write_text(f"title: Thesis {k}\nopened: 2017-01-03\nbenchmark: BENCH\npositions:\n{positions}\nassumptions:\n{assumptions}\n")


def seed_articles(engine, n: int, tickers: list[str]) -> None:
    rng = np.random.default_rng(3)
    now = dt.datetime.combine(TODAY, dt.time(20), dt.UTC)
    stamps = np.sort(rng.uniform(0, 3650 * 86400, n))
    rows = [{"uid": f"u{i}", "title_key": f"k{i}", "title": f"Story {i} word{i % 5}", "summary_text": "sample", "is_sample": False,
             "published_at": now - dt.timedelta(seconds=float(s)), "published_estimated": False, "fetched_at": now,
             "sentiment": float(rng.uniform(-1, 1)), "sentiment_label": "neutral"} for i, s in enumerate(stamps)]
    with transaction(engine) as s:
        for i in range(0, n, 10_000):
            ids = dict(s.execute(insert(Article).returning(Article.uid, Article.id), rows[i:i + 10_000]).all())
            s.execute(insert(ArticleTicker), [{"article_id": ids[r["uid"]], "ticker": tickers[j % len(tickers)], "matched": [],
                                               "sentiment": r["sentiment"], "published_at": r["published_at"]} for j, r in enumerate(rows[i:i + 10_000], start=i)])


def render(page: str, env: dict[str, str]) -> tuple[float, float]:
    """(cold render, render with the thesis files already loaded but every database read fresh).

    Loading the YAML files is linear in the number of theses by nature and cached across reruns;
    the second figure is what a page costs in database reads and drawing.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tracker.ui import queries as q

    os.environ.update(env)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    if page != "overview":
        at.switch_page(page)
    t: dict[str, float] = {}
    with timed(t, "cold"):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    for name in dir(q):
        fn = getattr(q, name)
        if name.startswith("_") and hasattr(fn, "clear") and callable(fn) and name != "_engine":
            fn.clear()
    with timed(t, "warm"):
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return t["cold"], t["warm"]


def run_size(backend: str, url: str, scale: float, tmp: Path) -> dict[str, float]:
    n_theses, n_tickers, n_articles = (max(1, int(v * scale)) for v in FULL.values())
    tickers = [f"S{i:04d}" for i in range(n_tickers)]
    idx = pd.bdate_range(TODAY - dt.timedelta(days=3650 + 420), TODAY + dt.timedelta(days=3))
    rng = np.random.default_rng(11)
    table = {t: pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0002, 0.02, len(idx)))), index=idx) for t in tickers + ["BENCH"]}
    fake = FakeYahoo(table)
    theses = tmp / f"theses-{backend}-{scale}"
    write_theses(theses, n_theses, tickers)
    settings = dataclasses.replace(load_settings({}), db_url=url, theses_dir=theses, default_feeds=(), webhook_url=None)
    engine = open_database(url)
    seed_articles(engine, n_articles, tickers)
    source = YahooSource(download=fake, sleep=lambda s: None)
    day = [TODAY]
    stages = {"prices": lambda ctx: refresh_prices(ctx.engine, ctx.theses, ctx.settings, ctx.progress, source=source, today=day[0]),
              "news": lambda ctx: StageReport("news"), "checks": DEFAULT_STAGES["checks"]}
    t: dict[str, float] = {}
    with timed(t, "full"):
        run_refresh(settings, engine=engine, only="prices", stages=stages)
    day[0] = TODAY + dt.timedelta(days=1)
    calls = len(fake.calls)
    with timed(t, "incremental"):
        run_refresh(settings, engine=engine, only="prices", stages=stages)
    t["incremental_requests"] = len(fake.calls) - calls
    with timed(t, "checks"):
        run_refresh(settings, engine=engine, only="checks", stages=stages)
    env = {"TRACKER_DB_URL": url, "TRACKER_THESES_DIR": str(theses), "TRACKER_DEFAULT_FEEDS": "none", "TRACKER_SAMPLE_FEEDS": ""}
    t["overview_cold"], t["overview"] = render("overview", env)
    t["thesis_cold"], t["thesis"] = render("tracker/ui/views/thesis.py", env)
    engine.dispose()
    return t


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0.1,1.0")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    sizes = [float(x) for x in args.sizes.split(",")]
    print(f"# scale benchmark on {machine()}; full size = {FULL}")
    ok = True
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        server = None
        for backend in args.backends.split(","):
            results = {}
            for scale in sizes:
                if backend == "sqlite":
                    url = f"sqlite:///{tmp}/scale-{scale}.db"
                else:
                    if server is None:
                        from tests.support.postgres import start_server

                        server = start_server()
                        if server is None:
                            print("postgres: no server binary; skipped")
                            break
                    from sqlalchemy import create_engine, text

                    name = f"scale_{str(scale).replace('.', '_')}"
                    with create_engine(server.url(), isolation_level="AUTOCOMMIT").connect() as conn:
                        conn.execute(text(f'CREATE DATABASE "{name}"'))
                    url = server.url(name)
                results[scale] = run_size(backend, url, scale, tmp)
                r = results[scale]
                label = f"{backend} @ {scale:.0%}"
                figure(f"{label}: full price refresh", f"{r['full']:.1f} s")
                figure(f"{label}: incremental refresh", f"{r['incremental']:.1f} s ({int(r['incremental_requests'])} requests)")
                figure(f"{label}: checks run", f"{r['checks']:.2f} s")
                figure(f"{label}: overview render, cold (AppTest)", f"{r['overview_cold']:.2f} s")
                figure(f"{label}: overview render, theses loaded (AppTest)", f"{r['overview']:.2f} s")
                figure(f"{label}: thesis page render, cold (AppTest)", f"{r['thesis_cold']:.2f} s")
                figure(f"{label}: thesis page render, theses loaded (AppTest)", f"{r['thesis']:.2f} s")
            if len(results) == 2 and sizes[0] < sizes[1]:
                lo, hi = results[sizes[0]], results[sizes[1]]
                factor = sizes[1] / sizes[0]
                for key in ("full", "incremental", "checks"):
                    figure(f"{backend}: {key} grows ×{hi[key] / lo[key]:.1f} for ×{factor:.0f} data", "")
                for key in ("overview_cold", "thesis_cold"):
                    figure(f"{backend}: {key.replace('_', ' ')} render grows ×{hi[key] / lo[key]:.1f} for ×{factor:.0f} data", "")
                for key in ("overview", "thesis"):
                    growth = hi[key] / lo[key]
                    ok &= figure(f"{backend}: {key} render grows ×{growth:.1f} for ×{factor:.0f} data", f"×{growth:.1f}", f"well below ×{factor:.0f}", growth < factor / 2)
        if server is not None:
            server.stop()
    print(f"summary: scale benchmark {'meets' if ok else 'MISSES'} its goals")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
