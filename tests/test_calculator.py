"""One calculator: the checks, `tracker status` and the pages see the same figures for a thesis,
whatever else they loaded at the same time."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import streamlit as st

from tracker.conditions.checks import parse_check
from tracker.conditions.evaluate import Context, NewsData, evaluate
from tracker.conditions.stage import run_checks
from tracker.portfolio.calculator import HISTORY_BEFORE_OPENING, price_window, thesis_closes, thesis_performance
from tracker.prices.store import load_closes, upsert_closes
from tracker.settings import load_settings
from tracker.status_report import build_status_report
from tracker.storage.db import open_database, transaction
from tracker.thesis import LoadResult
from tracker.ui import queries
from tracker.validation import parse_thesis_text

TODAY = dt.date(2026, 7, 1)  # three weeks after the late thesis opened: its 3m window reaches before the opening
LATE = """
title: Late
id: late
opened: 2026-06-11
positions:
  - {ticker: NET, weight: 100%, target: 300, horizon: 540d}
assumptions:
  - id: holds
    statement: s
    falsified_if: f
    checks:
      - when: return(NET, 3m) < -90%
"""
EARLY = """
title: Early
id: early
opened: 2024-01-02
positions:
  - {ticker: NET, weight: 100%, horizon: 2y}
"""


def _closes() -> pd.DataFrame:
    days = pd.bdate_range("2023-01-02", TODAY)
    prices = [100.0 + 0.1 * i for i in range(len(days))]
    return pd.DataFrame({"date": days, "ticker": "NET", "close": prices, "currency": "USD"})


@pytest.fixture
def world(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'calc.db'}"
    engine = open_database(url)
    with transaction(engine) as s:
        upsert_closes(s, _closes(), "test")
    late, early = parse_thesis_text(LATE, "late.yaml"), parse_thesis_text(EARLY, "early.yaml")
    monkeypatch.setenv("TRACKER_DB_URL", url)
    monkeypatch.setenv("TRACKER_THESES_DIR", str(tmp_path))
    st.cache_data.clear()
    yield engine, late, early
    st.cache_data.clear()
    engine.dispose()


def test_price_window_reaches_back_before_the_earliest_opening():
    late, early = parse_thesis_text(LATE, "late.yaml"), parse_thesis_text(EARLY, "early.yaml")
    assert price_window([late, early]) == (["NET"], early.opened - HISTORY_BEFORE_OPENING)
    assert price_window([]) == ([], None)


def test_a_thesis_is_cut_to_its_own_window_whatever_was_loaded():
    late, early = parse_thesis_text(LATE, "late.yaml"), parse_thesis_text(EARLY, "early.yaml")
    wide = _closes().pivot(index="date", columns="ticker", values="close")
    own = thesis_closes(late, wide)
    assert own.index[0] >= pd.Timestamp(late.opened - HISTORY_BEFORE_OPENING)
    assert thesis_performance(late, wide, TODAY).positions[0].trailing == thesis_performance(late, own, TODAY).positions[0].trailing
    assert thesis_closes(early, wide).index[0] < own.index[0]


def test_checks_status_and_pages_give_identical_trailing_returns(world):
    engine, late, early = world
    settings = load_settings()
    three_months = "3m"

    # tracker status, loading both theses (so the frame reaches back to 2023)
    report = build_status_report(settings, today=TODAY, engine=engine, loaded=LoadResult(theses=[late, early]))
    status_trailing = next(t for t in report["theses"] if t["id"] == "late")["positions"][0]["trailing"]

    # the pages, loading the late thesis alone
    page_perf = queries.performance(late, TODAY)
    page_trailing = page_perf.positions[0].trailing

    # the checks: the stage's own load, and what `return(NET, 3m)` evaluates to
    closes = load_closes(engine, *price_window([late, early]))
    now = dt.datetime.combine(TODAY, dt.time(22), dt.UTC)
    result = evaluate(parse_check(late, "return(NET, 3m) < -90%"), Context(late, closes, NewsData.empty(), now))
    check_value = result.values["return(NET, 3m)"]
    run_checks(engine, [late, early], settings, now=now)

    assert status_trailing[three_months] is not None
    assert status_trailing == page_trailing
    assert check_value == pytest.approx(status_trailing[three_months], abs=0)
