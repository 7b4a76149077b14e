"""The worked example, `theses/ai-inference-cost-squeeze.yaml`, holds the seed thesis in full."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.validation import load_theses

ROOT = Path(__file__).resolve().parent.parent

# The seed's table: weight, target (or upside), horizon.
SEED = {
    "NET": (0.20, 330.0, None, "540d"),
    "DDOG": (0.15, 340.0, None, "540d"),
    "ESTC": (0.12, 85.0, None, "450d"),
    "MDB": (0.15, None, 0.25, "540d"),
    "NVDA": (0.18, 260.0, None, "450d"),
    "SNOW": (0.10, None, None, "540d"),
    "CFLT": (0.10, 40.0, None, "450d"),
}


@pytest.fixture(scope="module")
def loaded():
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        return load_theses(Path("theses"))


@pytest.fixture(scope="module")
def thesis(loaded):
    return loaded.get("ai-inference-cost-squeeze")


def test_the_theses_folder_loads_without_errors(loaded, thesis):
    assert [str(i) for i in loaded.issues] == []
    assert thesis is not None and loaded.paths[thesis.id] == Path("theses/ai-inference-cost-squeeze.yaml")


def test_header(thesis):
    assert thesis.title == "The AI inference cost squeeze"
    assert thesis.opened == dt.date(2026, 6, 11)
    assert thesis.benchmark and thesis.currency == "USD"
    assert thesis.summary and thesis.risks and thesis.sources
    assert not thesis.feeds  # it reads the live default feeds; only the demo database reads the bundled sample


def test_seven_positions_with_the_seed_weights_targets_and_horizons(thesis):
    got = {p.ticker: (p.weight, p.target, p.upside, str(p.horizon)) for p in thesis.positions}
    assert got.keys() == SEED.keys() and len(thesis.positions) == 7
    for ticker, (weight, target, upside, horizon) in SEED.items():
        assert got[ticker][0] == pytest.approx(weight), ticker
        assert got[ticker][1:] == (target, upside, horizon), ticker
    assert sum(p.weight for p in thesis.positions) == pytest.approx(1.0)


def test_horizon_dates(thesis):
    due = {p.ticker: thesis.horizon_date(p) for p in thesis.positions}
    assert due["NET"] == dt.date(2027, 12, 3) and due["NVDA"] == dt.date(2027, 9, 4)


def test_five_assumptions_each_with_its_falsification_and_checks(thesis):
    assert len(thesis.assumptions) == 5
    assert len({a.id for a in thesis.assumptions}) == 5
    for a in thesis.assumptions:
        assert a.statement and a.falsified_if and a.keywords, a.id
        assert a.checks, f"{a.id} has no machine check"
