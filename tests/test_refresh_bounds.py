"""The refresh stays bounded and isolated: a Yahoo that never answers costs one deadline and is
recorded as unreachable, a thesis whose checks raise is that thesis's failure only, and durations
past 100 years are located errors. Each run finishes with the good thesis intact."""

from __future__ import annotations

import dataclasses
import itertools
import threading

import pytest
from sqlalchemy import func, select

from tests.support.seed import seed
from tracker.conditions import stage as checks_stage
from tracker.conditions.stage import run_checks
from tracker.pipeline.refresh import run_refresh
from tracker.reporting import ExitCode
from tracker.settings import load_settings
from tracker.storage.db import open_database, transaction
from tracker.storage.tables import AssumptionStatus, Instrument, Price
from tracker.thesis import ThesisFileError
from tracker.validation import load_theses, parse_thesis_text

OTHER = """title: Other
id: other
opened: 2026-06-11
positions:
  - {ticker: AAA, weight: 100%, horizon: 1y}
assumptions:
  - id: holds
    statement: s
    falsified_if: f
    checks:
      - when: return(AAA) < -90%
"""


def statuses(engine) -> dict[tuple[str, str], tuple[str, object]]:
    with transaction(engine) as s:
        return {(r.thesis_id, r.assumption_id): (r.status, r.evaluated_at) for r in s.scalars(select(AssumptionStatus))}


@pytest.mark.timeout(60)
def test_a_yahoo_that_never_answers_costs_one_deadline_and_the_refresh_goes_on(tmp_path, monkeypatch):
    import yfinance

    env = seed(tmp_path)  # one refresh on CSV prices: closes and statuses stored
    settings = dataclasses.replace(load_settings(env), price_source="yahoo", yahoo_deadline=0.5)
    engine = open_database(settings.db_url)
    with transaction(engine) as s:
        closes = s.scalar(select(func.count()).select_from(Price))
    before = statuses(engine)
    release, calls = threading.Event(), []

    def hang(tickers, *args, **kwargs):
        calls.append(list(tickers))
        release.wait(30)
        raise ConnectionError("never answered")

    monkeypatch.setattr(yfinance, "download", hang)
    try:
        result = run_refresh(settings, trigger="test", engine=engine)
    finally:
        release.set()
    assert result.exit_code == ExitCode.PARTIAL and result.stage_errors == {}
    tickers = {f.source: f.error for f in result.failures if f.kind == "ticker"}
    assert tickers and set(tickers.values()) <= {"Yahoo unreachable: no answer within 0.5s",
                                                 "Yahoo unreachable: skipped, an earlier request took longer than 0.5s"}
    assert len(calls) == 1  # the later batches did not wait again
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Price)) == closes  # nothing stored was lost
        assert {r.last_error for r in s.scalars(select(Instrument)) if r.ticker in tickers} <= set(tickers.values())
    after = statuses(engine)
    assert after.keys() == before.keys() and all(after[k][1] > before[k][1] for k in after)  # the checks still ran


@pytest.mark.timeout(60)
def test_a_thesis_whose_checks_raise_is_its_failure_and_the_others_are_checked(tmp_path, monkeypatch):
    env = seed(tmp_path)
    (tmp_path / "theses" / "other.yaml").write_text(OTHER, encoding="utf-8")
    settings = load_settings(env)
    engine = open_database(settings.db_url)
    run_refresh(settings, trigger="test", engine=engine)
    before = statuses(engine)
    real = checks_stage.evaluate

    def evaluate(expr, ctx):
        if ctx.thesis.id == "known":
            raise ZeroDivisionError("a bug met while checking")
        return real(expr, ctx)

    monkeypatch.setattr(checks_stage, "evaluate", evaluate)
    result = run_refresh(settings, trigger="test", engine=engine)
    assert result.stage_errors == {} and result.exit_code == ExitCode.PARTIAL
    assert [(f.kind, f.source, f.error) for f in result.failures if f.kind == "thesis" and f.source == "known"] == [
        ("thesis", "known", "checks failed, statuses kept from the last run: ZeroDivisionError: a bug met while checking")
    ]
    after = statuses(engine)
    assert {k: v for k, v in after.items() if k[0] == "known"} == {k: v for k, v in before.items() if k[0] == "known"}  # untouched
    assert after[("other", "holds")][1] > before[("other", "holds")][1]  # the other thesis was checked this run


THESIS = """title: Long
opened: 2026-06-11
review_every: {review}
positions:
  - {{ticker: NET, weight: 100%, horizon: {horizon}}}
assumptions:
  - id: a
    statement: s
    falsified_if: f
    checks:
      - when: {when}
"""


@pytest.mark.parametrize(
    ("review", "horizon", "when", "error"),
    [
        ("90d", "99999y", "return(NET) < 0", "x.yaml:5:42: positions[0].horizon: 99999y is longer than 100 years"),
        ("90d", "36526", "return(NET) < 0", "x.yaml:5:42: positions[0].horizon: 36526 days is longer than 100 years"),
        ("1201m", "1y", "return(NET) < 0", "x.yaml:3:15: review_every: 1201m is longer than 100 years"),
        ("90d", "1y", 'news("outage", 99999y) > 1', "x.yaml:11:30: assumptions[0].checks[0].when: the window 99999y is longer than 100 years"),
        ("90d", "1y", "return(NET, 5300w) < 0", "x.yaml:11:27: assumptions[0].checks[0].when: the window 5300w is longer than 100 years"),
        ("90d", "1y", 'news("outage", 40000) > 1',
         "x.yaml:11:30: assumptions[0].checks[0].when: a window of 40000 days is longer than 100 years"),
    ],
)
def test_durations_past_100_years_are_located_errors(review, horizon, when, error):
    with pytest.raises(ThesisFileError) as caught:
        parse_thesis_text(THESIS.format(review=review, horizon=horizon, when=when), "x.yaml", "x")
    assert [str(i) for i in caught.value.issues] == [error]


def test_100_years_is_still_a_duration():
    thesis = parse_thesis_text(THESIS.format(review="100y", horizon="100y", when='news("outage", 100y) > 1'), "x.yaml", "x")
    assert str(thesis.review_every) == "100y"


def test_the_checks_budget_skips_the_theses_left_with_their_statuses_kept(tmp_path):
    env = seed(tmp_path)
    (tmp_path / "theses" / "other.yaml").write_text(OTHER, encoding="utf-8")
    settings = dataclasses.replace(load_settings(env), checks_budget=60.0)
    engine = open_database(settings.db_url)
    loaded = load_theses(settings.theses_dir)
    run_checks(engine, loaded.theses, settings)
    before = statuses(engine)
    ticks = itertools.count(0, 100)  # each look at the clock is 100 s later: spent after the first thesis
    report = run_checks(engine, loaded.theses, settings, timer=lambda: float(next(ticks)))
    first, *rest = (t.id for t in loaded.theses)
    assert [(f.source, f.error) for f in report.failures] == [
        (t, "skipped: time budget spent (TRACKER_CHECKS_BUDGET=60s); retried next run") for t in rest
    ]
    after = statuses(engine)
    assert all(after[k] == before[k] for k in after if k[0] in rest)
    assert all(after[k][1] > before[k][1] for k in after if k[0] == first)
