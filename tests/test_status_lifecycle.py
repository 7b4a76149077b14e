"""`tracker status --json` for theses with a lifecycle, on the step prices of
tests/test_portfolio_lifecycle.py: the contract's figures to 0.1% and its lifecycle keys."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.pipeline.refresh import run_refresh
from tracker.settings import load_settings

DAYS = pd.bdate_range("2026-01-05", "2026-01-16")
PRICES = {
    "A": [100.0] * 3 + [120.0] * 5 + [132.0] * 2,
    "B": [100.0] * 3 + [80.0] * 7,
    "C": [50.0] * 7 + [60.0] * 3,
    "IDX": [200.0] * 5 + [210.0] * 5,
}
THESES = {
    # sale, purchase and rebalance on 2026-01-12: value 115 on 01-16 (worked out in test_portfolio_lifecycle.py)
    "busy": """title: Busy
opened: 2026-01-05
benchmark: IDX
positions:
  - {ticker: A, weight: 50%, horizon: 90d}
  - {ticker: B, weight: 50%, horizon: 90d, closed: 2026-01-12}
  - {ticker: C, weight: 20%, horizon: 30d, opened: 2026-01-12}
rebalances:
  - {date: 2026-01-12, weights: {A: 50%, C: 50%}}
""",
    # closed on 01-14 at 0.5 × 120 + 0.5 × 80 = 100
    "ended": """title: Ended
opened: 2026-01-05
benchmark: IDX
positions:
  - {ticker: A, weight: 50%, horizon: 90d}
  - {ticker: B, weight: 50%, horizon: 90d}
closed: {date: 2026-01-14, outcome: played_out, note: done}
""",
}


@pytest.fixture
def status(tmp_path, monkeypatch):
    theses = tmp_path / "theses"
    theses.mkdir()
    for name, text in THESES.items():
        (theses / f"{name}.yaml").write_text(text, encoding="utf-8")
    rows = [{"date": d.date().isoformat(), "ticker": t, "close": p[i]} for t, p in PRICES.items() for i, d in enumerate(DAYS)]
    csv = tmp_path / "prices.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    env = {"TRACKER_DB_URL": f"sqlite:///{tmp_path / 's.db'}", "TRACKER_THESES_DIR": str(theses), "TRACKER_PRICE_SOURCE": f"csv:{csv}",
           "TRACKER_DEFAULT_FEEDS": "none", "TRACKER_DATA_DIR": str(tmp_path / "data")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    run_refresh(load_settings(), trigger="test")
    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    return {t["id"]: t for t in json.loads(result.stdout)["theses"]}


def test_events_on_one_day(status):
    t = status["busy"]
    assert t["closed"] is None
    assert t["portfolio"]["return"] == pytest.approx(0.15, abs=0.001)
    assert t["portfolio"]["benchmark_return"] == pytest.approx(0.05, abs=0.001)
    assert t["portfolio"]["excess"] == pytest.approx(0.10, abs=0.001)
    pos = {p["ticker"]: p for p in t["positions"]}
    assert (pos["B"]["state"], pos["B"]["closed"], pos["B"]["exit_price"], pos["B"]["weight_now"]) == ("closed", "2026-01-12", 80.0, 0.0)
    assert (pos["C"]["state"], pos["C"]["opened"], pos["C"]["entry_price"]) == ("open", "2026-01-12", 50.0)
    assert pos["A"]["weight_now"] == pytest.approx(55 / 115, abs=0.001) and pos["C"]["weight_now"] == pytest.approx(60 / 115, abs=0.001)
    assert {k: pos[k]["contribution"] for k in pos} == pytest.approx({"A": 0.15, "B": -0.10, "C": 0.10}, abs=0.001)


def test_closed_thesis(status):
    t = status["ended"]
    assert t["closed"] == {"date": "2026-01-14", "outcome": "played_out", "note": "done"}
    assert t["portfolio"]["return"] == pytest.approx(0.0, abs=0.001)
    assert t["portfolio"]["last_date"] == "2026-01-14"
    assert t["portfolio"]["benchmark_return"] == pytest.approx(0.05, abs=0.001)
    assert {p["state"] for p in t["positions"]} == {"closed"}
    assert [p["exit_price"] for p in t["positions"]] == [120.0, 80.0]
    assert [p["last_date"] for p in t["positions"]] == [dt.date(2026, 1, 14).isoformat()] * 2
