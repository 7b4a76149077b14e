"""A full disk mid-refresh (SQLite's page limit standing in for it): the refresh stops with a clear
error or a recorded failure, stored data stays intact, and the next run with space recovers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
from sqlalchemy import event, func, select

from tracker.pipeline.refresh import run_refresh
from tracker.pipeline.runs import last_refresh
from tracker.settings import load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import Price

TICKERS = [f"D{i:02d}" for i in range(10)]


def test_full_disk_keeps_data_and_the_next_run_recovers(tmp_path: Path):
    days = pd.bdate_range("2016-01-01", "2026-11-20")
    pd.DataFrame([(d.date().isoformat(), t, 50.0 + i) for i, t in enumerate(TICKERS) for d in days], columns=["date", "ticker", "close"]).to_csv(tmp_path / "p.csv", index=False)
    theses = tmp_path / "theses"
    theses.mkdir()
    positions = "\n".join(f"  - {{ticker: {t}, weight: 10%, horizon: 1y}}" for t in TICKERS)
    (theses / "d.yaml").write_text(f"title: D\nopened: 2017-06-11\npositions:\n{positions}\n")
    url = f"sqlite:///{tmp_path / 'full.db'}"
    settings = dataclasses.replace(load_settings({}), db_url=url, theses_dir=theses, price_source=f"csv:{tmp_path / 'p.csv'}", default_feeds=())

    engine = open_database(url)
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    # the "disk" fills up after a little more than the schema: the first batches fit, later ones do not
    event.listen(engine, "connect", lambda c, _r: c.execute(f"PRAGMA max_page_count = {pages + 40}"))
    engine.dispose()
    result = run_refresh(settings, engine=engine)
    assert result.exit_code == 3
    assert [(f.kind, f.source, f.error) for f in result.failures] == [("stage", "prices", "OperationalError: (sqlite3.OperationalError) database or disk is full")]
    assert last_refresh(engine)["failures"][0]["error"].endswith("database or disk is full")  # recorded where the user sees it
    with transaction(engine) as s:
        counts = dict(s.execute(select(Price.ticker, func.count()).group_by(Price.ticker)).all())
    assert len(set(counts.values())) <= 1  # whatever was stored is whole
    assert len(counts) < len(TICKERS)
    engine.dispose()

    roomy = open_database(url)  # space again
    result = run_refresh(settings, engine=roomy)
    assert result.exit_code == 0
    with transaction(roomy) as s:
        after = dict(s.execute(select(Price.ticker, func.count()).group_by(Price.ticker)).all())
    assert set(after) == set(TICKERS) and len(set(after.values())) == 1
    roomy.dispose()
