"""Every dashboard page through Streamlit's AppTest on a seeded database, asserting what is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.seed import seed
from tracker.conditions.store import status_history
from tracker.pipeline.refresh import run_refresh
from tracker.settings import load_settings
from tracker.storage.db import open_database

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = {
    "overview": "tracker/ui/views/overview.py",
    "thesis": "tracker/ui/views/thesis.py",
    "news": "tracker/ui/views/news.py",
    "health": "tracker/ui/views/health.py",
}


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_streamlit_caches):
    """Each test reads the database it seeded, never a page cached by the one before."""


@pytest.fixture
def seeded(tmp_path, monkeypatch, db_url):
    """The seeded world on SQLite and on PostgreSQL (`db_url` is parametrised over both)."""
    env = seed(tmp_path, db_url=db_url)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("TRACKER_SAMPLE_FEEDS", raising=False)
    monkeypatch.chdir(ROOT)
    return env


def open_page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if name != "overview":
        at.switch_page(PAGES[name])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_figures_alerts_and_invalid_files(seeded):
    at = open_page("overview")
    m = metrics(at)
    # 0.5 × 120/100 + 0.3 × 55/40 + 0.2 × (24 × 1.20)/(20 × 1.10) = 1.2743 → +27.4%; IDX 210/200 → +5.0%
    assert m["Portfolio return"] == "+27.4%"
    assert m["IDX return"] == "+5.0%"
    assert m["Assumptions holding"] == "1 of 2"  # gateway-grows holds, needs-data is unknown
    assert not any("Sample data" in w.value for w in at.warning)
    texts = " ".join(c.value for c in at.code)
    assert "broken.yaml:8:13: positions[1].weight: weights sum to 112%, expected 100%" in texts
    alerts = next(df.value for df in at.dataframe if "Assumption" in df.value.columns)
    # each assumption by its statement, each change in words
    assert set(alerts["Assumption"]) == {"Gateway traffic keeps growing", "Inference share stays high"}
    assert set(alerts["Change"]) == {"new → intact", "new → unknown"}
    assert set(alerts["Thesis"]) == {"Known figures"}


def test_thesis_page_positions_and_assumptions(seeded):
    at = open_page("thesis")
    m = metrics(at)
    assert m["Portfolio return"] == "+27.4%"
    assert m["Excess over benchmark"] == "+22.4 pp"  # a difference of returns, in percentage points
    assert m["Target return"] == "+41.0%"  # 50% × 50% + 30% × 20% + 20% × 50%
    assert m["Progress to targets"] == "58%"  # AAA 40%, BBB 187.5% counted as 100%, CCC 40% (in EUR): 0.2 + 0.3 + 0.08
    positions = at.dataframe[0].value.set_index("Ticker")
    assert positions.loc["AAA", "Return"] == "+20.0%"
    assert positions.loc["AAA", "Target"] == "$150.00" and positions.loc["AAA", "Upside to target"] == "+25%"  # 150 / 120 − 1
    assert positions.loc["BBB", "Target"] == "$48.00" and positions.loc["BBB", "Upside to target"] == "-13%"  # 48 / 55 − 1
    assert positions.loc["BBB", "Progress"] == pytest.approx(100.0)  # 187.5% of the way, capped for the bar …
    assert positions.loc["BBB", "Pace"] == "target hit"  # … and said in words
    assert positions.loc["CCC.AS", "Return"] == "+20.0%"  # in EUR
    assert positions.loc["CCC.AS", "Last"] == "€24.00" and positions.loc["CCC.AS", "Target"] == "€30.00"  # each price in its currency
    assert positions.loc["CCC.AS", "Return (USD)"] == f"{(28.8 / 22 - 1) * 100:+.1f}%"
    assert positions.loc["CCC.AS", "Contribution"] == f"{20 * (28.8 / 22 - 1):+.2f} pp"
    assert "Currency" not in positions.columns and "To target" not in positions.columns
    labels = [e.label for e in at.expander]
    assert "Gateway traffic keeps growing — intact" in labels and "Inference share stays high — unknown" in labels
    checks = [df.value for df in at.dataframe if "Check" in df.value.columns]
    seen = " ".join(" ".join(c["What it saw"]) for c in checks)
    assert "return(AAA) = 20.0%, not < 10%" in seen and "no observation of inference_share" in seen


def test_news_page_filters(seeded):
    at = open_page("news")
    all_titles = [md.value for md in at.markdown if md.value.startswith("**")]
    assert all_titles, "the seeded sample feed should show articles"
    at.multiselect[1].set_value(["bearish"]).run()
    captions = [c.value for c in at.caption if "·" in c.value]
    assert captions and all("bearish" in c for c in captions)
    at.multiselect[1].set_value([]).run()
    assert any("No articles match" in i.value for i in at.info)


def test_health_page_lists_runs_and_failures(seeded):
    at = open_page("health")
    runs = at.dataframe[0].value
    assert list(runs["Outcome"]) == ["partial"]  # the broken thesis file is a recorded failure
    failures = at.dataframe[2].value
    assert "thesis" in set(failures["What failed"]) and any("broken.yaml" in s for s in failures["Source"])


def test_empty_database_says_what_to_do(tmp_path, monkeypatch):
    env = seed(tmp_path, broken=False, refresh=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(ROOT)
    at = open_page("thesis")
    assert any("No prices yet" in i.value for i in at.info)
    at = open_page("health")
    assert any("No refresh has run yet" in i.value for i in at.info)


def test_overview_table_ranks_theses_needing_attention_first(seeded, monkeypatch):
    theses = Path(seeded["TRACKER_THESES_DIR"])
    calm = (theses / "known.yaml").read_text().replace("id: known", "id: calm").replace("title: Known figures", "title: Calm one")
    (theses / "calm.yaml").write_text(calm.replace("return(AAA) < 10%", "return(AAA) < -90%").replace("      - when: metric(inference_share) < 20%\n", "      - when: price(AAA) < 1\n"))
    run_refresh(load_settings(dict(seeded)), trigger="test")
    at = open_page("overview")
    table = next(df.value for df in at.dataframe if "Thesis" in df.value.columns)
    assert list(table["Thesis"]) == ["Known figures", "Calm one"]  # the one with an unknown assumption first
    assert list(table["Unknown"]) == ["1", "0"] and list(table["Return"]) == ["+27.4%", "+27.4%"]


def test_an_assumption_nothing_observes_is_unchecked_not_holding(seeded):
    theses = Path(seeded["TRACKER_THESES_DIR"])
    known = (theses / "known.yaml").read_text()
    bare = "  - id: bare\n    statement: Customers stay.\n    falsified_if: They leave.\n"
    (theses / "known.yaml").write_text(known.replace("feeds:", bare + "feeds:"))
    run_refresh(load_settings(dict(seeded)), trigger="test")
    at = open_page("overview")
    assert metrics(at)["Assumptions holding"] == "1 of 3"  # gateway-grows; needs-data is unknown, bare unchecked
    badges = " ".join(md.value for md in at.markdown)
    assert ":gray-badge[1 unknown] :gray-badge[1 unchecked]" in badges
    assert any("1 assumption with no check and no review" in c.value for c in at.caption)
    at = open_page("thesis")
    bare_box = next(e for e in at.expander if e.label == "Customers stay — unknown")
    assert any("no check and no review" in c.value for c in bare_box.caption)
    # the status history is drawn in the page's status timeline, which starts at the opening;
    # the change is dated when the status began (the opening), not when the refresh ran
    assert any(sub.value == "Status timeline" for sub in at.subheader)
    history = status_history(open_database(seeded["TRACKER_DB_URL"]), "known")
    assert [(r[1], r[2], r[3].date().isoformat()) for r in history if r[0] == "bare"] == [(None, "unknown", "2026-06-11")]
