"""Checks: 200 theses × 10 assumptions × 3 checks over 10 years of prices and 50,000 articles.
Prints the evaluation time and the number of SQL statements a checks run issues, at 10% and at
full size (goal: the statement count does not grow with the number of checks), and the time of the
first run, which dates each new status by evaluating it as of earlier days (bounded per run)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tempfile

import numpy as np
import pandas as pd
from common import figure, machine, timed
from sqlalchemy import event, insert

from tracker.conditions.stage import run_checks
from tracker.prices.store import upsert_closes
from tracker.settings import load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import Article, ArticleTicker
from tracker.validation import parse_thesis_text

N_THESES, N_ASSUMPTIONS, N_TICKERS, N_ARTICLES = 200, 10, 200, 50_000
NOW = dt.datetime(2026, 11, 20, 23, tzinfo=dt.UTC)
WORDS = ["outage", "price cut", "guidance", "downgrade", "delay", "lawsuit", "breach", "layoffs"]
TEMPLATES = [
    "return({t}) < -30%",
    'negative_news("{w}", 30d) >= 3',
    "sentiment({t}, 30d) < -0.35",
    "drawdown(portfolio) > 25%",
    "excess({t}) < -10% and days_left({t}) < 90",
    "metric(m_{i}) < 20%",
    'news("{w}|{w2}", 90d) >= 5',
    "return({t}, 3m) < -20% or progress({t}) < -50%",
]


def make_thesis(k: int, tickers: list[str]):
    rng = np.random.default_rng(k)
    mine = list(rng.choice(tickers, 5, replace=False))
    positions = "\n".join(f"  - {{ticker: {t}, weight: 20%, upside: 30%, horizon: 3y}}" for t in mine)
    assumptions = []
    for a in range(N_ASSUMPTIONS):
        checks = []
        for c in range(3):
            tpl = TEMPLATES[(a * 3 + c + k) % len(TEMPLATES)]
            when = tpl.format(t=mine[(a + c) % 5], w=WORDS[(a + c + k) % len(WORDS)], w2=WORDS[(a + 2 * c) % len(WORDS)], i=a)
            checks.append(f"      - {{when: '{when}', then: at_risk}}")
        assumptions.append(f"  - id: a{a}\n    statement: s\n    falsified_if: f\n    checks:\n" + "\n".join(checks))
    text = f"title: T{k}\nopened: 2017-01-02\nbenchmark: BENCH\npositions:\n{positions}\nassumptions:\n" + "\n".join(assumptions) + "\n"
    return parse_thesis_text(text, f"t{k}.yaml", f"t{k}")


def seed(engine, tickers: list[str]) -> None:
    days = pd.bdate_range("2016-11-01", NOW.date())
    rng = np.random.default_rng(1)
    with transaction(engine) as s:
        for t in tickers + ["BENCH"]:
            closes = 100 * np.exp(np.cumsum(rng.normal(0.0002, 0.02, len(days))))
            upsert_closes(s, pd.DataFrame({"date": days, "ticker": t, "close": closes, "currency": None}), "bench")
    start = NOW - dt.timedelta(days=3650)
    stamps = [start + dt.timedelta(seconds=int(x)) for x in np.sort(rng.uniform(0, 3650 * 86400, N_ARTICLES))]
    arts = [
        {"uid": f"u{i}", "title_key": f"k{i}", "title": f"Story {i} about {WORDS[i % len(WORDS)]} at {tickers[i % len(tickers)]}",
         "summary_text": f"{WORDS[(i * 7) % len(WORDS)]} reported", "published_at": stamps[i], "published_estimated": False,
         "fetched_at": NOW, "sentiment": float(rng.uniform(-1, 1)), "sentiment_label": "neutral", "is_sample": False}
        for i in range(N_ARTICLES)
    ]
    with transaction(engine) as s:
        ids = dict(s.execute(insert(Article).returning(Article.uid, Article.id), arts).all())
        s.execute(insert(ArticleTicker), [{"article_id": ids[a["uid"]], "ticker": tickers[i % len(tickers)], "matched": [], "sentiment": a["sentiment"], "published_at": a["published_at"]} for i, a in enumerate(arts)])


def measure(engine, theses, settings) -> tuple[float, int, int]:
    n = [0]

    def count(*_a, **_k):
        n[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    t: dict[str, float] = {}
    with timed(t, "run"):
        report = run_checks(engine, theses, settings, now=NOW)
    event.remove(engine, "before_cursor_execute", count)
    return t["run"], n[0], report.counts.get("checks_evaluated", 0)


def main() -> int:
    print(f"# checks benchmark on {machine()}")
    ok = True
    tickers = [f"K{i:03d}" for i in range(N_TICKERS)]
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{tmp}/checks.db")
        t: dict[str, float] = {}
        with timed(t, "seed"):
            seed(engine, tickers)
        figure("seeding 10 years of prices and 50,000 articles", f"{t['seed']:.1f} s")
        theses = [make_thesis(k, tickers) for k in range(N_THESES)]
        settings = dataclasses.replace(load_settings({}), webhook_url=None)
        small = theses[: N_THESES // 10]
        t_first, _, _ = measure(engine, small, settings)  # first run creates the status rows, dated by the "since" look-back
        measure(engine, theses, settings)
        t_small, sql_small, n_small = measure(engine, small, settings)
        t_full, sql_full, n_full = measure(engine, theses, settings)
        ok &= figure("first run at 10% size (new statuses, since look-back)", f"{t_first:.2f} s")
        ok &= figure("checks evaluated at 10% size", f"{n_small:,}")
        ok &= figure("checks evaluated at full size", f"{n_full:,}", "6,000", n_full == N_THESES * N_ASSUMPTIONS * 3)
        ok &= figure("evaluation time at 10% size", f"{t_small:.2f} s")
        ok &= figure("evaluation time at full size", f"{t_full:.2f} s")
        ok &= figure("time per check at full size", f"{t_full / n_full * 1000:.2f} ms")
        ok &= figure("SQL statements per checks run at 10% size", f"{sql_small}")
        ok &= figure("SQL statements per checks run at full size", f"{sql_full}", "same as at 10%", sql_full == sql_small)
    print(f"summary: checks benchmark {'meets' if ok else 'MISSES'} its goals")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
