"""The thesis page and the overview with a lifecycle: open, sold and to-be-bought positions,
event markers, a closed thesis's outcome and post-mortem (AppTest on a refreshed database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tracker.pipeline.refresh import run_refresh
from tracker.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DAYS = pd.bdate_range("2026-01-05", "2026-01-16")
PRICES = {  # the step prices of tests/test_portfolio_lifecycle.py
    "A": [100.0] * 3 + [120.0] * 5 + [132.0] * 2,
    "B": [100.0] * 3 + [80.0] * 7,
    "C": [50.0] * 7 + [60.0] * 3,
    "IDX": [200.0] * 5 + [210.0] * 5,
}
LIVE = """title: Living thesis
id: living
opened: 2026-01-05
benchmark: IDX
positions:
  - {ticker: A, weight: 50%, target: 150, horizon: 90d}
  - {ticker: B, weight: 50%, horizon: 90d, closed: 2026-01-13, exit_price: 85}
  - {ticker: C, weight: 20%, target: 70, horizon: 30d, opened: 2026-01-12}
  - {ticker: IDX, weight: 10%, horizon: 90d, opened: 2099-01-02}
"""
ENDED = """title: Ended thesis
id: ended
opened: 2026-01-05
benchmark: IDX
positions:
  - {ticker: A, weight: 50%, horizon: 90d}
  - {ticker: B, weight: 50%, horizon: 90d}
closed: {date: 2026-01-14, outcome: expired, note: Nothing the thesis waited for happened in time.}
"""


@pytest.fixture
def world(tmp_path, monkeypatch):
    theses = tmp_path / "theses"
    theses.mkdir()
    (theses / "living.yaml").write_text(LIVE, encoding="utf-8")
    (theses / "ended.yaml").write_text(ENDED, encoding="utf-8")
    rows = [{"date": d.date().isoformat(), "ticker": t, "close": p[i]} for t, p in PRICES.items() for i, d in enumerate(DAYS)]
    csv = tmp_path / "prices.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    env = {"TRACKER_DB_URL": f"sqlite:///{tmp_path / 'ui.db'}", "TRACKER_THESES_DIR": str(theses), "TRACKER_PRICE_SOURCE": f"csv:{csv}",
           "TRACKER_DEFAULT_FEEDS": "none", "TRACKER_DATA_DIR": str(tmp_path / "data")}
    run_refresh(load_settings(env), trigger="test")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("TRACKER_SAMPLE_FEEDS", raising=False)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def page(thesis_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("tracker/ui/views/thesis.py")
    at.query_params["id"] = thesis_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_open_sold_and_pending_positions(world):
    at = page("living")
    held = at.dataframe[0].value.set_index("Ticker")
    assert list(held.index) == ["A", "C"]
    assert held.loc["C", "Bought"] == "2026-01-12" and held.loc["C", "Return"] == "+20.0%"
    # value 112.75 + … : A holds all after B's sale, then C is bought with 20%
    assert sum(float(w.rstrip("%")) for w in held["Weight now"]) == pytest.approx(100.0, abs=0.11)
    sold = table_with(at, "Final return").set_index("Ticker")
    assert list(sold.index) == ["B"]
    assert sold.loc["B", "Sold"] == "2026-01-13" and sold.loc["B", "Exit"] == "$85.00"
    assert sold.loc["B", "Final return"] == "-15.0%"
    pending = table_with(at, "Buys on").set_index("Ticker")
    assert list(pending.index) == ["IDX"] and pending.loc["IDX", "Buys on"] == "2099-01-02"
    assert not any("Closed on" in i.value for i in at.info)


def test_closed_thesis_shows_outcome_and_post_mortem_on_top(world):
    at = page("ended")
    banner = next(i.value for i in at.info if "Closed on" in i.value)
    assert "Closed on 2026-01-14: expired" in banner and "Nothing the thesis waited for happened in time." in banner
    m = {x.label: x.value for x in at.metric}
    assert m["Portfolio return"] == "+0.0%"  # 0.5 × 120 + 0.5 × 80 on its closing day; A's later 132 does not count
    final = at.dataframe[0].value.set_index("Ticker")  # every position sold at the close, with its final figures
    assert list(final.index) == ["A", "B"] and "Final return" in final.columns
    assert list(final["Sold"]) == ["2026-01-14"] * 2 and list(final["Exit"]) == ["$120.00", "$80.00"]
    assert list(final["Final return"]) == ["+20.0%", "-20.0%"]
    assert any("Every position was sold by the close on 2026-01-14" in c.value for c in at.caption)


def test_overview_lists_closed_theses_apart(world):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    closed = table_with(at, "Outcome")
    assert list(closed["Thesis"]) == ["Ended thesis"] and list(closed["Outcome"]) == ["expired"]
    assert [s.value for s in at.subheader][:1] == ["Living thesis"]  # the open thesis gets the card


def test_history_section_shows_the_journal(world, tmp_path):
    path = Path(load_settings().theses_dir) / "living.yaml"
    path.write_text(path.read_text().replace("target: 150", "target: 160"), encoding="utf-8")
    run_refresh(load_settings(), trigger="test")  # records the edited file as a second version
    st.cache_data.clear()
    at = page("living")
    headings = [m.value for m in at.markdown if "seen by the refresh" in m.value]
    assert len(headings) == 2 and "changes the past" in headings[0]  # newest first
    lines = " ".join(m.value for m in at.markdown if m.value.startswith("- "))
    assert "positions\\[A\\]\\.target\\: 150 → 160" in lines
    assert "first version" in lines


def test_catalysts_review_and_timeline_on_the_thesis_page(world):
    path = Path(load_settings().theses_dir) / "living.yaml"
    text = path.read_text() + (
        "assumptions:\n  - id: holds\n    statement: s\n    falsified_if: f\n    checks:\n      - when: return(A) < -50%\n"
        "catalysts:\n  - {date: 2026-01-10, event: Weekend news, ticker: A, assumption: holds}\n"
        "  - {date: 2099-03-01, event: Far launch}\n"
        "review_every: 30d\n"
    )
    path.write_text(text, encoding="utf-8")
    run_refresh(load_settings(), trigger="test")
    st.cache_data.clear()
    at = page("living")
    upcoming = table_with(at, "In (days)")
    assert list(upcoming["Event"]) == ["Far launch"]
    past = table_with(at, "Reaction").set_index("Event")
    assert past.loc["Weekend news", "Reaction"] == "+0.0%"  # Friday 01-09 (120) to Monday 01-12 (120)
    assert any("The review is overdue" in w.value for w in at.warning)
    assert [b.label for b in at.get("download_button")] == ["Download positions as CSV", "Add upcoming catalysts to your calendar (.ics)"]
    assert any(s.value == "Status timeline" for s in at.subheader)


def test_track_record_page(world):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()  # registers the pages, so the page's own url path is known
    at.switch_page("tracker/ui/views/track_record.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    m = {x.label: x.value for x in at.metric}
    assert m["Closed theses"] == "1 of 2"
    # living's A (target 150, 90 days) and C (target 70, 30 days) never reached their targets and their horizons
    # passed in early 2026; the ended thesis has no targets: 0 of 2
    assert m["Targets hit in time"] == "0%"
    record = table_with(at, "Outcome")
    assert list(record["Thesis"]) == ["Ended thesis"] and list(record["Held (days)"]) == ["9"]
    assert list(record["Return"]) == ["+0.0%"] and list(record["Excess (pp)"]) == ["-5.0 pp"]
    assert any(s.value == "Return against excess over the benchmark" for s in at.subheader)


def test_overview_is_a_triage_board(tmp_path, monkeypatch):
    today = dt.date.today()
    days = pd.bdate_range(today - dt.timedelta(days=120), today)
    csv = tmp_path / "prices.csv"
    pd.DataFrame([{"date": d.date().isoformat(), "ticker": "X", "close": 100.0} for d in days]).to_csv(csv, index=False)
    theses = tmp_path / "theses"
    theses.mkdir()
    opened = (today - dt.timedelta(days=60)).isoformat()
    base = f"opened: {opened}\npositions:\n  - {{ticker: X, weight: 100%, horizon: 2y}}\n"
    (theses / "calm.yaml").write_text("title: Calm\n" + base, encoding="utf-8")
    (theses / "hot.yaml").write_text(
        "title: Hot\n" + base + "assumptions:\n  - id: grows\n    statement: s\n    falsified_if: f\n    checks:\n"
        "      - when: return(X) < 10%\n        then: at_risk\n", encoding="utf-8")
    (theses / "done.yaml").write_text("title: Done\n" + base + f"closed: {{date: {(today - dt.timedelta(days=10)).isoformat()}, outcome: abandoned}}\n",
                                      encoding="utf-8")
    env = {"TRACKER_DB_URL": f"sqlite:///{tmp_path / 'b.db'}", "TRACKER_THESES_DIR": str(theses), "TRACKER_PRICE_SOURCE": f"csv:{csv}",
           "TRACKER_DEFAULT_FEEDS": "none", "TRACKER_DATA_DIR": str(tmp_path / "data")}
    run_refresh(load_settings(env), trigger="test")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("TRACKER_SAMPLE_FEEDS", raising=False)
    monkeypatch.chdir(ROOT)
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["Needs attention", "On track", "Closed"]
    assert [s.value for s in at.subheader][:2] == ["Hot", "Calm"]  # a card per open thesis, the one needing attention first
    assert any('assumption "s" (grows) is at risk' in m.value.replace("\\", "") for m in at.markdown)  # markdown-escaped
    assert list(table_with(at, "Outcome")["Thesis"]) == ["Done"]
    st.cache_data.clear()
