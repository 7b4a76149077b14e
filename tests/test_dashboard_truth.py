"""The dashboard shows what the database holds now, the same figures on every page and in
`tracker status`, the sample banner only on demo prices, and names tickers without prices.

Pages run through Streamlit's AppTest; between two runs the database or a thesis file changes
the way another process would change it (a refresh, an edit), and no cache is cleared by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from tests.support.seed import PRICES, seed
from tracker.cli import app
from tracker.pipeline import runs
from tracker.pipeline.refresh import run_refresh
from tracker.portfolio.calculator import thesis_performance
from tracker.prices.store import load_closes
from tracker.reporting.report import counts_text
from tracker.settings import load_settings
from tracker.status_report import build_status_report, current_figures
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import Article, Instrument
from tracker.ui.export import positions_frame
from tracker.validation import load_theses

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
THESIS_PAGE = "tracker/ui/views/thesis.py"
PAGES = ["tracker/ui/views/thesis.py", "tracker/ui/views/news.py", "tracker/ui/views/health.py"]


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_streamlit_caches):
    """Each test reads the database it seeded, never a page cached by the one before."""


@pytest.fixture
def world(tmp_path, monkeypatch):
    env = seed(tmp_path, broken=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("TRACKER_SAMPLE_FEEDS", raising=False)
    monkeypatch.chdir(ROOT)
    return env


def page(path: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if path is not None:
        at.switch_page(path)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def warnings(at: AppTest) -> str:
    """The warnings' text as read on the page (markdown escapes removed)."""
    return " ".join(w.value for w in at.warning).replace("\\", "")


def test_a_refresh_by_another_process_shows_on_the_next_rerun(world, tmp_path):
    overview, thesis = page(), page(THESIS_PAGE)
    assert metric(overview, "Portfolio return") == metric(thesis, "Portfolio return") == "+27.4%"
    moved = tmp_path / "moved.csv"  # AAA's last close 120 → 130
    moved.write_text(PRICES.read_text().replace("2026-06-17,AAA,120.00", "2026-06-17,AAA,130.00"))
    run_refresh(load_settings({**world, "TRACKER_PRICE_SOURCE": f"csv:{moved}"}), trigger="test")
    overview.run()
    thesis.run()
    # 0.5 × 130/100 + 0.3 × 55/40 + 0.2 × (24 × 1.20)/(20 × 1.10) = 1.3243
    assert metric(overview, "Portfolio return") == metric(thesis, "Portfolio return") == "+32.4%"
    assert any("figures as of the close of 2026-06-17" in c.value for c in overview.caption)


def test_an_edit_of_a_thesis_file_shows_on_the_next_rerun_everywhere_alike(world):
    thesis = page(THESIS_PAGE)
    assert metric(thesis, "Target return") == "+41.0%"
    path = Path(world["TRACKER_THESES_DIR"]) / "known.yaml"
    path.write_text(path.read_text().replace("target: 150", "target: 200"))
    thesis.run()
    assert metric(thesis, "Target return") == "+66.0%"  # 50% × 100% + 30% × 20% + 20% × 50%
    status = CliRunner().invoke(app, ["status", "--json"], env=world)
    (shown,) = json.loads(status.stdout)["theses"]
    assert shown["portfolio"]["target_return"] == pytest.approx(0.66)


def test_the_banner_follows_the_price_source_not_the_articles(world, tmp_path, monkeypatch):
    # a live-priced database that holds sample articles: no banner
    run_refresh(dataclasses.replace(load_settings(world), sample_feeds=True), trigger="test")
    with transaction(open_database(world["TRACKER_DB_URL"])) as s:
        assert s.scalar(select(func.count()).select_from(Article).where(Article.is_sample.is_(True))) > 0
    assert "Sample data" not in warnings(page())

    # a database priced by the demo source: the banner on every page
    demo = tmp_path / "demo"
    (demo / "theses").mkdir(parents=True)
    (demo / "theses" / "d.yaml").write_text("title: D\nopened: 2026-06-11\nbenchmark: QQQ\npositions:\n"
                                            "  - {ticker: NET, weight: 100%, horizon: 1y}\n")
    env = {**world, "TRACKER_DB_URL": f"sqlite:///{demo / 'demo.db'}", "TRACKER_THESES_DIR": str(demo / "theses"),
           "TRACKER_PRICE_SOURCE": "demo"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    run_refresh(load_settings(env), trigger="test")
    assert "Sample data — not market prices" in warnings(page())
    for path in PAGES:
        assert "Sample data — not market prices" in warnings(page(path)), path


UNKNOWN = """title: Unknown ticker
id: unknown-ticker
opened: 2026-06-11
positions:
  - {ticker: MAA, weight: 100%, horizon: 1y}
assumptions:
  - id: holds
    statement: It holds.
    falsified_if: It does not.
    reviews:
      - {date: 2026-06-12, status: intact, note: "looked fine"}
"""


def test_a_ticker_without_prices_is_named_with_its_recorded_failure(world):
    theses = Path(world["TRACKER_THESES_DIR"])
    (theses / "known.yaml").unlink()
    (theses / "unknown.yaml").write_text(UNKNOWN)
    run_refresh(load_settings(world), trigger="test")
    overview, thesis = page(), page(THESIS_PAGE)
    for at in (overview, thesis):
        assert "no prices for MAA: not in known.csv" in warnings(at)
        assert "Figures incomplete" in warnings(at)
    assert metric(overview, "Assumptions holding") == "1 of 1 (prices missing)"

    # the source could not be reached this time: the next run says so, not "not found"
    engine = open_database(world["TRACKER_DB_URL"])
    with transaction(engine) as s:
        s.execute(update(Instrument).where(Instrument.ticker == "MAA").values(last_error="Yahoo unreachable: connection refused"))
    run_id = runs.start_run(engine, "test", {})
    runs.finish_run(engine, run_id, "partial", {})
    overview.run()
    thesis.run()
    for at in (overview, thesis):
        assert "no prices for MAA: Yahoo unreachable: connection refused" in warnings(at)
    text = CliRunner().invoke(app, ["status"], env=world).stdout
    assert "no prices for MAA: Yahoo unreachable: connection refused" in text


def test_status_text_names_its_database_and_shows_no_python_values(world, tmp_path, monkeypatch):
    (Path(world["TRACKER_THESES_DIR"]) / "broken.yaml").write_text("title: x\nopened: 2026-13-01\npositions: []\n")
    run_refresh(load_settings(world), trigger="test")
    out = CliRunner().invoke(app, ["status"], env=world).stdout
    assert out.splitlines()[0] == f"database: {world['TRACKER_DB_URL']}"
    assert "failed in load: thesis" in out
    assert "{'" not in out and "': '" not in out and "_" not in out.split("last refresh:")[1].split("failed in")[0]

    # after `make demo`: the configured database was never refreshed, the demo one is named
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["status", "--demo"], env=world).output.startswith("error: no demo database at data/demo.db")
    (tmp_path / "data").mkdir()
    open_database("sqlite:///data/demo.db").dispose()
    empty = {**world, "TRACKER_DB_URL": f"sqlite:///{tmp_path / 'empty.db'}"}
    out = CliRunner().invoke(app, ["status"], env=empty).stdout
    assert "the demo's sample data is in data/demo.db: `tracker status --demo` reads it" in out
    out = CliRunner().invoke(app, ["status", "--demo"], env=world).stdout
    assert out.startswith("database: sqlite:///data/demo.db (the demo: sample data, not market prices)")


def test_figures_are_read_as_stored_until_the_thesis_or_the_day_changes(world):
    engine = open_database(world["TRACKER_DB_URL"])
    loaded = load_theses(Path(world["TRACKER_THESES_DIR"]))
    today = dt.date.today()
    (stored,) = current_figures(engine, loaded.theses, today).values()
    assert stored.value.empty  # no closes were read: the stored figures
    closes = load_closes(engine, loaded.theses[0].required_tickers)
    assert stored.portfolio == thesis_performance(loaded.theses[0], closes, today).portfolio
    edited = loaded.theses[0].model_copy(update={"title": "Renamed"})
    assert not current_figures(engine, [edited], today)["known"].value.empty  # another thesis: computed
    assert not current_figures(engine, loaded.theses, today + dt.timedelta(days=1))["known"].value.empty  # another day
    report = build_status_report(load_settings(world), today=today, engine=engine, loaded=loaded)
    assert report["theses"][0]["portfolio"]["return"] == pytest.approx(stored.portfolio.ret)


def test_positions_csv_has_units_rounding_and_dates(world):
    engine = open_database(world["TRACKER_DB_URL"])
    (thesis,) = load_theses(Path(world["TRACKER_THESES_DIR"])).theses
    perf = thesis_performance(thesis, load_closes(engine, thesis.required_tickers), dt.date.today())
    frame = positions_frame(perf).set_index("Ticker")
    assert {"Weight (%)", "Return (%)", "Return in USD (%)", "Progress to target (%)", "Contribution (pp)",
            "Entry date", "Horizon date", "As of"} <= set(frame.columns)
    assert frame.loc["AAA", "Return (%)"] == 20.0 and frame.loc["AAA", "Weight (%)"] == 50.0
    assert frame.loc["CCC.AS", "Return in USD (%)"] == round((28.8 / 22 - 1) * 100, 2)  # rounded to 2 places
    assert frame.loc["AAA", "Entry date"] == dt.date(2026, 6, 11)
    assert frame.loc["CCC.AS", "Horizon date"] == dt.date(2026, 12, 31)
    assert set(frame["As of"]) == {dt.date(2026, 6, 17)}


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ({"prices_stored": 1872, "tickers_ok": 7}, "1,872 closes stored, 7 tickers fetched"),
        ({"articles_new": 19, "feeds_ok": 2}, "2 feeds read, 19 new articles"),
        ({"something_else": 3}, "3 something else"),
        ({"reminders_raised": 1, "articles_new": 1, "prices_stored": 1}, "1 close stored, 1 new article, 1 reminder raised"),
        ({}, ""),
    ],
)
def test_refresh_counts_read_as_words(counts, text):
    assert counts_text(counts) == text


@pytest.mark.parametrize(
    ("last", "target", "progress", "shown"),
    [
        (182.33, 330.0, -0.34, "upside  +81%  progress   0%"),  # moving away: no negative progress, the upside says how far
        (46.07, 40.0, 1.58, "upside  -13%  progress  hit"),  # past its target: capped, never 158%
        (253.45, 260.0, 0.906, "upside   +3%  progress  91%"),
        (310.96, None, None, "upside     —  progress    —"),  # no target
    ],
)
def test_status_text_reads_progress_and_upside_as_the_dashboard_does(last, target, progress, shown):
    from tracker.status_report import format_status_report

    position = {"ticker": "NET", "weight": 0.2, "last_price": last, "return": 0.1, "target": target, "progress": progress, "days_left": 30}
    report = {"theses": [{"id": "t", "title": "T", "opened": "2026-06-11", "benchmark": "QQQ",
                          "portfolio": {"return": 0.112, "benchmark_return": -0.049, "excess": 0.162, "drawdown": 0.06}, "positions": [position],
                          "assumptions": []}], "invalid_files": []}
    lines = format_status_report(report)
    assert "excess +16.2 pp" in lines[1]
    assert shown in lines[2], lines[2]
