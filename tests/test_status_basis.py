"""Statuses with a basis, evidence that reads true, and "since" as the day a condition began.

Each status rule and each evidence rendering is a row of a table; "since" is checked on a
step-shaped price path whose dates are worked out by hand below.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert, select

from tracker.conditions import stage
from tracker.conditions.evaluate import Context, NewsCoverage, NewsData, evaluate
from tracker.conditions.evidence import from_json, render, to_json
from tracker.conditions.parser import parse
from tracker.conditions.stage import run_checks
from tracker.conditions.status import NO_BASIS, apply_review, assumption_counts, computed_status
from tracker.pipeline.runs import feed_days
from tracker.prices.store import upsert_closes
from tracker.settings import load_settings
from tracker.storage.db import transaction
from tracker.storage.tables import AssumptionStatus, Feed, JobFailure, JobRun, JobStage, StatusChange
from tracker.validation import parse_thesis_text

UTC = dt.UTC
NOW = dt.datetime(2026, 7, 10, 22, 0, tzinfo=UTC)
TODAY = NOW.date()
SETTINGS = dataclasses.replace(load_settings({}), webhook_url=None)

THESIS = parse_thesis_text(
    """
title: Basis
opened: 2026-06-01
benchmark: IDX
positions:
  - {ticker: AAA, weight: 60%, target: 150, horizon: 1y}
  - {ticker: MAA, weight: 40%, target: 50, horizon: 1y}
assumptions:
  - id: a
    statement: s
    falsified_if: f
""",
    "basis.yaml",
    "basis",
)
TICKERS = frozenset({"AAA", "MAA", "IDX"})
DAYS = pd.bdate_range("2026-06-01", "2026-07-10")
CLOSES = pd.DataFrame({"AAA": [100.0] * 10 + [80.0] * (len(DAYS) - 10), "IDX": [200.0] * len(DAYS)}, index=DAYS)  # no MAA yet


def articles(*rows: tuple[int, str, int, float]) -> NewsData:
    """(id, text, days before NOW, sentiment) rows."""
    arts = pd.DataFrame([(i, text, NOW - dt.timedelta(days=ago), s) for i, text, ago, s in rows], columns=["id", "text", "published_at", "sentiment"])
    arts["published_at"] = pd.to_datetime(arts["published_at"], utc=True)
    return NewsData(arts, NewsData.empty().ticker_links)


NEWS = articles((1, "deepseek outage again", 3, -0.6), (2, "a calm quarter", 5, 0.1))
EVERY_DAY = frozenset(TODAY - dt.timedelta(days=k) for k in range(120))
READ_ALWAYS = NewsCoverage(2, EVERY_DAY, frozenset(), TODAY - dt.timedelta(days=200))
NEVER_READ = NewsCoverage(2, frozenset(), EVERY_DAY, TODAY - dt.timedelta(days=200))
NO_FEEDS = NewsCoverage(0)
GAPS = NewsCoverage(2, frozenset(d for d in EVERY_DAY if d.day % 5), frozenset(d for d in EVERY_DAY if d.day % 5 == 0), TODAY - dt.timedelta(days=200))
LATE = NewsCoverage(2, frozenset(TODAY - dt.timedelta(days=k) for k in range(4)), frozenset(), TODAY - dt.timedelta(days=3))


def checks_of(*whens: tuple[str, str]):
    lines = "".join(f"      - {{when: '{w}', then: {t}}}\n" for w, t in whens)
    text = f"""
title: Basis
opened: 2026-06-01
benchmark: IDX
positions:
  - {{ticker: AAA, weight: 60%, target: 150, horizon: 1y}}
  - {{ticker: MAA, weight: 40%, target: 50, horizon: 1y}}
assumptions:
  - id: a
    statement: s
    falsified_if: f
{"    checks:" + chr(10) + lines if whens else ""}"""
    return parse_thesis_text(text, "basis.yaml", "basis")


NEWS_CHECK = ('negative_news("DeepSeek outage", 30d) >= 3', "at_risk")
QUIET_CHECK = ('news("price war", 30d) >= 1', "at_risk")
PRICE_FIRES = ("return(AAA) < -10%", "at_risk")
PRICE_HOLDS = ("return(AAA) < -50%", "falsified")
NO_PRICE = ("return(MAA) < -30%", "falsified")

STATUS_RULES = [
    # (name, checks, coverage, status, a reason that must be there)
    ("no check and no review", (), READ_ALWAYS, "unknown", NO_BASIS),
    ("feeds all failed", (NEWS_CHECK,), NEVER_READ, "unknown", "no news source for this thesis succeeded in the last 30 days"),
    ("no feed at all", (NEWS_CHECK,), NO_FEEDS, "unknown", "this thesis has no news source"),
    ("feeds read, no match", (QUIET_CHECK,), READ_ALWAYS, "intact", 'news("price war", 30d) = 0, not >= 1'),
    ("feeds read with gaps", (QUIET_CHECK,), GAPS, "intact", "news checks count only days when a feed of the thesis was read"),
    ("feeds read only lately", (QUIET_CHECK,), LATE, "intact", "its feeds were first read on 2026-07-07"),
    ("mixed: fired and unknown", (PRICE_FIRES, NEWS_CHECK), NEVER_READ, "at_risk", "at risk: return(AAA) = -20.0%, < -10% ✔"),
    ("mixed: not fired and unknown", (PRICE_HOLDS, NEWS_CHECK), NEVER_READ, "unknown", "return(AAA) = -20.0%, not < -50%"),
    ("mixed: not fired and no price", (PRICE_HOLDS, NO_PRICE), READ_ALWAYS, "unknown", "return(MAA) < -30%: unknown, no prices for MAA yet"),
    ("mixed: every check evaluated", (PRICE_HOLDS, QUIET_CHECK), READ_ALWAYS, "intact", "all 2 checks evaluated, none fired"),
    ("one check evaluated", (PRICE_HOLDS,), READ_ALWAYS, "intact", "the 1 check was evaluated and did not fire"),
]


@pytest.mark.parametrize("name, whens, coverage, status, reason", STATUS_RULES, ids=[r[0] for r in STATUS_RULES])
def test_status_rules(name, whens, coverage, status, reason):
    thesis = checks_of(*whens)
    a = thesis.assumptions[0]
    ctx = Context(thesis, CLOSES, NEWS, NOW, coverage)
    results = [evaluate(parse(c.when, TICKERS), ctx) for c in a.checks]
    verdict = computed_status(a.checks, results)
    assert verdict.status == status
    assert any(reason in r for r in verdict.reasons), verdict.reasons


def test_a_review_gives_an_assumption_without_checks_a_basis():
    thesis = parse_thesis_text(
        "title: R\nopened: 2026-06-01\npositions:\n  - {ticker: AAA, weight: 100%, target: 150, horizon: 1y}\n"
        "assumptions:\n  - id: a\n    statement: s\n    falsified_if: f\n    reviews:\n      - {date: 2026-07-01, status: intact, note: read the call}\n",
        "r.yaml", "r",
    )
    a = thesis.assumptions[0]
    verdict = apply_review(a, computed_status(a.checks, []), [], TODAY, lambda d: [])
    assert (verdict.status, verdict.review) == ("intact", dt.date(2026, 7, 1))
    assert verdict.reasons == ["review of 2026-07-01: read the call", "computed: unknown (no checks)"]
    assert assumption_counts(thesis, {"a": "intact"}, TODAY)["intact"] == 1
    assert assumption_counts(thesis, {"a": "intact"}, dt.date(2026, 6, 30))["unchecked"] == 1  # before the review: unchecked


def test_the_overview_counts_unchecked_apart_even_when_an_old_status_says_intact():
    counts = assumption_counts(checks_of(), {"a": "intact"}, TODAY)  # stored by a version that called it intact
    assert counts["intact"] == 0 and counts["unchecked"] == 1


# ---- evidence ------------------------------------------------------------------------------------

EVIDENCE = [
    ("held", "return(AAA) < -10%", "return(AAA) = -20.0%, < -10% ✔"),
    ("did not hold", "drawdown(AAA) > 25%", "drawdown(AAA) = 20.0%, not > 25%"),
    ("two functions", "return(AAA) < return(IDX)", "return(AAA) = -20.0%, < return(IDX) = 0.0% ✔"),
    ("literal on the left", "-30% > return(AAA)", "-30% not > return(AAA) = -20.0%"),
    ("and shows both sides", "return(AAA) < -30% and return(IDX) < -30%",
     "(return(AAA) = -20.0%, not < -30%) and (return(IDX) = 0.0%, not < -30%)"),
    ("or", "return(AAA) < -10% or price(IDX) > 300", "(return(AAA) = -20.0%, < -10% ✔) or (price(IDX) = 200.00, not > 300)"),
    ("not", "not return(AAA) < -10%", "not (return(AAA) = -20.0%, < -10% ✔)"),
    ("nested", "(return(AAA) < -10% or price(IDX) > 300) and not days_left(AAA) < 90",
     "((return(AAA) = -20.0%, < -10% ✔) or (price(IDX) = 200.00, not > 300)) and (not (days_left(AAA) = 326, not < 90))"),
    ("a chain is one level", "price(AAA) > 1 and price(AAA) > 2 and price(AAA) > 3",
     "(price(AAA) = 80.00, > 1 ✔) and (price(AAA) = 80.00, > 2 ✔) and (price(AAA) = 80.00, > 3 ✔)"),
    ("unknown operand", "return(MAA) < -30%", "return(MAA) < -30%: unknown, no prices for MAA yet"),
    ("unknown beside a known side", "return(AAA) < return(MAA)", "return(AAA) = -20.0%, < return(MAA): unknown, no prices for MAA yet"),
    ("unknown inside or", "return(MAA) < -30% or return(AAA) < -10%",
     "(return(MAA) < -30%: unknown, no prices for MAA yet) or (return(AAA) = -20.0%, < -10% ✔)"),
    ("news caveat", 'news("price war", 30d) >= 1',
     'news("price war", 30d) = 0 (its feeds were first read on 2026-07-07; news checks count only days when a feed of the thesis was read), not >= 1'),
]


@pytest.mark.parametrize("name, when, shown", EVIDENCE, ids=[e[0] for e in EVIDENCE])
def test_evidence_renders_each_comparison_with_its_truth(name, when, shown):
    result = evaluate(parse(when, TICKERS), Context(THESIS, CLOSES, NEWS, NOW, LATE))  # AAA: entry 100, now 80
    assert result.detail == shown
    assert render(from_json(result.evidence)) == shown  # stored as JSON, rendered the same
    assert to_json(from_json(result.evidence)) == result.evidence


def test_kleene_truth_is_kept_while_every_part_is_evaluated():
    ctx = Context(THESIS, CLOSES, NEWS, NOW)
    assert evaluate(parse("return(MAA) < -30% and price(AAA) > 1000", TICKERS), ctx).outcome == "not_fired"  # false and unknown
    assert evaluate(parse("return(MAA) < -30% or price(AAA) > 1", TICKERS), ctx).outcome == "fired"  # true or unknown
    both = evaluate(parse("return(MAA) < -30% and price(AAA) > 1000", TICKERS), ctx)
    assert both.values == {"return(MAA)": None, "price(AAA)": 80.0}  # the right side was evaluated too


def test_a_ratio_that_is_the_threshold_as_written_does_not_cross_it():
    closes = pd.DataFrame({"AAA": [540.0, 594.0], "MAA": [1.0, 1.0], "IDX": [1.0, 1.0]}, index=pd.to_datetime(["2026-06-01", "2026-07-10"]))
    result = evaluate(parse("return(AAA) > 10%", TICKERS), Context(THESIS, closes, NEWS, NOW))
    assert 594 / 540 - 1 > 0.1 and result.outcome == "not_fired" and result.detail == "return(AAA) = 10.0%, not > 10%"


# ---- since: when the condition began -----------------------------------------------------------

STEP_THESIS = """
title: Steps
opened: 2026-06-01
positions:
  - {ticker: AAA, weight: 100%, target: 150, horizon: 1y}
assumptions:
  - id: falls
    statement: s
    falsified_if: f
    checks:
      - when: return(AAA) < -10%
        then: at_risk
  - id: holds
    statement: s
    falsified_if: f
    checks:
      - when: return(AAA) < -50%
REVIEWS"""

# AAA's closes on business days: 100 from the opening (Mon 2026-06-01) to Fri 06-12, 80 (-20%) from
# Mon 06-15 to Fri 06-19, 95 (-5%) from 06-22 to 06-26, 60 (-40%) from Mon 06-29 on. So on
# 2026-07-03 `return(AAA) < -10%` holds, and has held every day since Mon 2026-06-29 (it held on
# 06-15..06-19 too, but not on 06-22..06-26): at risk since 2026-06-29. `return(AAA) < -50%` never
# held: intact since the opening, 2026-06-01.
STEPS = [("2026-06-01", 100.0), ("2026-06-15", 80.0), ("2026-06-22", 95.0), ("2026-06-29", 60.0)]


def step_prices(engine, until: str, steps=STEPS) -> None:
    days = pd.bdate_range("2026-06-01", until)
    rows = [(d, "AAA", [c for start, c in steps if pd.Timestamp(start) <= d][-1], None) for d in days]
    with transaction(engine) as s:
        upsert_closes(s, pd.DataFrame(rows, columns=["date", "ticker", "close", "currency"]), "csv")


def stored(engine, assumption: str):
    with transaction(engine) as s:
        row = s.get(AssumptionStatus, ("steps", assumption))
        history = s.execute(select(StatusChange.from_status, StatusChange.to_status, StatusChange.changed_at)
                            .where(StatusChange.assumption_id == assumption).order_by(StatusChange.id)).all()
        return row.status, row.since.date(), [(f, t, c.date()) for f, t, c in history]


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=22, tzinfo=UTC)


def test_since_is_the_first_day_of_the_current_run_on_a_step_shaped_path(engine):
    thesis = parse_thesis_text(STEP_THESIS.replace("REVIEWS", ""), "steps.yaml", "steps")
    step_prices(engine, "2026-07-03")
    run_checks(engine, [thesis], SETTINGS, now=at("2026-07-03"))
    assert stored(engine, "falls") == ("at_risk", dt.date(2026, 6, 29), [(None, "at_risk", dt.date(2026, 6, 29))])
    assert stored(engine, "holds") == ("intact", dt.date(2026, 6, 1), [(None, "intact", dt.date(2026, 6, 1))])  # the timeline starts at the opening
    # back to 100 from Mon 07-06: the check stops holding that day; found on Wed 07-08
    step_prices(engine, "2026-07-08", STEPS + [("2026-07-06", 100.0)])
    run_checks(engine, [thesis], SETTINGS, now=at("2026-07-08"))
    assert stored(engine, "falls") == ("intact", dt.date(2026, 7, 6), [(None, "at_risk", dt.date(2026, 6, 29)), ("at_risk", "intact", dt.date(2026, 7, 6))])
    run_checks(engine, [thesis], SETTINGS, now=at("2026-07-09"))  # no change: since stays
    assert stored(engine, "falls")[1] == dt.date(2026, 7, 6)


def test_since_of_a_review_is_the_review_date(engine):
    reviewed = STEP_THESIS.replace("REVIEWS", "    reviews:\n      - {date: 2026-07-01, status: falsified, note: the customer left}\n")
    thesis = parse_thesis_text(reviewed, "steps.yaml", "steps")
    step_prices(engine, "2026-07-03")
    run_checks(engine, [thesis], SETTINGS, now=at("2026-07-03"))
    assert stored(engine, "holds") == ("falsified", dt.date(2026, 7, 1), [(None, "falsified", dt.date(2026, 7, 1))])


def test_since_backfill_is_bounded_by_the_budget(engine, monkeypatch):
    monkeypatch.setattr(stage, "BACKFILL_BUDGET", 3)
    thesis = parse_thesis_text(STEP_THESIS.replace("REVIEWS", ""), "steps.yaml", "steps")
    step_prices(engine, "2026-07-03")
    report = run_checks(engine, [thesis], SETTINGS, now=at("2026-07-03"))
    assert stored(engine, "falls")[1] == dt.date(2026, 6, 30)  # 07-02, 07-01, 06-30 checked, then the budget ran out
    assert any("assumption-days" in line for line in report.lines)


# ---- news coverage from the job history ----------------------------------------------------------


def test_feed_days_from_the_job_history(engine):
    """Day 1: both feeds read. Day 2: feed b failed, a read. Day 3: both failed. Day 4: the news
    stage crashed. Day 5: a run for another thesis only. Feed c was never read."""
    days = [dt.datetime(2026, 7, d, 21, tzinfo=UTC) for d in range(1, 6)]
    with transaction(engine) as s:
        s.execute(insert(Feed), [{"url": "a", "consecutive_failures": 0, "entries_seen": 0, "last_success_at": days[1]},
                                 {"url": "b", "consecutive_failures": 0, "entries_seen": 0, "last_success_at": days[0]},
                                 {"url": "c", "consecutive_failures": 0, "entries_seen": 0}])
        plan = [(days[0], "success", ["t"], []), (days[1], "partial", ["t"], ["b"]), (days[2], "partial", ["t", "u"], ["a", "b"]),
                (days[3], "failed", ["t"], []), (days[4], "success", ["u"], [])]
        for when, outcome, scope, failed in plan:
            run = JobRun(trigger="test", started_at=when, outcome="partial", scope={"theses": scope}, counts={})
            s.add(run)
            s.flush()
            s.add(JobStage(run_id=run.id, stage="news", started_at=when, outcome=outcome, counts={}))
            s.add_all([JobFailure(run_id=run.id, stage="news", kind="feed", source=u, error="HTTP 503") for u in failed])
    got = feed_days(engine, {"t": ["a", "b", "c"], "u": ["c"], "v": []}, dt.date(2026, 6, 1))
    d = [x.date() for x in days]
    assert got["t"].read == {d[0], d[1]} and got["t"].failed == {d[2], d[3]} and got["t"].first == d[0]
    assert got["u"].read == frozenset() and got["u"].failed == {d[2], d[4]}  # c never succeeded
    assert got["v"].read == frozenset() and got["v"].first is None
