"""Catalysts, review cadence, attention reasons and the calendar export, against hand-worked dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from icalendar import Calendar

from tracker.attention.calendar import catalysts_ics
from tracker.attention.catalysts import catalyst_views, next_catalyst, reaction
from tracker.attention.reasons import attention_reasons, past_horizon
from tracker.attention.review import review_state
from tracker.portfolio.calculator import thesis_performance
from tracker.validation import parse_thesis_text

D = dt.date
# Business days around Thanksgiving 2026 (Thursday 11-26 is a holiday: no close) and a weekend.
CLOSES = pd.Series(
    [100.0, 102.0, 101.0, 110.0, 99.0],
    index=pd.to_datetime(["2026-11-20", "2026-11-23", "2026-11-25", "2026-11-27", "2026-11-30"]),
)


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 11, 23), 101 / 100 - 1),  # a trading day: from the Friday before to the Wednesday after (no close on Tuesday)
        (D(2026, 11, 26), 110 / 101 - 1),  # a holiday: Wednesday's close to Friday's
        (D(2026, 11, 28), 99 / 110 - 1),  # a Saturday: Friday to Monday
        (D(2026, 11, 20), None),  # no close before the first one
        (D(2026, 11, 30), None),  # no close after it yet
    ],
)
def test_reaction_is_measured_across_the_event_day(day, expected):
    got = reaction(CLOSES, day)
    assert got == (pytest.approx(expected) if expected is not None else None)


BASE = """title: T
id: t
opened: 2026-06-01
benchmark: QQQ
positions:
  - {ticker: NET, weight: 60%, target: 150, horizon: 120d}
  - {ticker: DDOG, weight: 40%, horizon: 2y}
assumptions:
  - id: a1
    statement: s
    falsified_if: f
  - id: a2
    statement: s
    falsified_if: f
"""


def thesis(extra: str = "", reviews: str = ""):
    text = BASE + extra
    if reviews:
        text = text.replace("  - id: a2\n    statement: s\n    falsified_if: f\n", f"  - id: a2\n    statement: s\n    falsified_if: f\n    reviews:\n{reviews}")
    return parse_thesis_text(text, "t.yaml")


@pytest.mark.parametrize(
    "every, reviews, today, last, due, overdue",
    [
        ("", "", D(2026, 11, 25), D(2026, 6, 1), None, False),  # no cadence: never due
        ("review_every: 90d\n", "", D(2026, 8, 30), D(2026, 6, 1), D(2026, 8, 30), False),  # due today is not overdue
        ("review_every: 90d\n", "", D(2026, 8, 31), D(2026, 6, 1), D(2026, 8, 30), True),
        ("review_every: 3m\n", "      - {date: 2026-10-15, status: intact}\n", D(2026, 11, 25), D(2026, 10, 15), D(2027, 1, 15), False),
        # a review dated after today does not count yet
        ("review_every: 30d\n", "      - {date: 2026-12-20, status: intact}\n", D(2026, 11, 25), D(2026, 6, 1), D(2026, 7, 1), True),
    ],
)
def test_review_due_and_overdue(every, reviews, today, last, due, overdue):
    state = review_state(thesis(every, reviews), today)
    assert (state.last, state.due, state.overdue) == (last, due, overdue)


def test_closed_thesis_is_never_overdue():
    t = thesis("review_every: 30d\nclosed: {date: 2026-09-01, outcome: expired}\n")
    assert review_state(t, D(2026, 11, 25)).overdue is False


CATALYSTS = """catalysts:
  - {date: 2026-12-04, event: NET results, ticker: NET, assumption: a1}
  - {date: 2026-11-26, event: Holiday launch}
  - {date: 2026-11-23, event: DDOG day, ticker: DDOG}
  - {date: 2027-01-10, event: Far away}
"""


def test_catalysts_upcoming_soonest_first_then_past_latest_first():
    frame = pd.DataFrame({"DDOG": CLOSES})
    views = catalyst_views(thesis(CATALYSTS), frame, D(2026, 11, 26))
    assert [(v.date, v.upcoming) for v in views] == [
        (D(2026, 11, 26), True), (D(2026, 12, 4), True), (D(2027, 1, 10), True), (D(2026, 11, 23), False),
    ]
    assert views[-1].reaction == pytest.approx(101 / 100 - 1)
    assert next_catalyst(thesis(CATALYSTS), D(2026, 11, 27)).event == "NET results"


TODAY = D(2026, 11, 25)
FRESH = {"NET": D(2026, 11, 24), "DDOG": D(2026, 11, 24), "QQQ": D(2026, 11, 24)}


@pytest.mark.parametrize(
    "statuses, extra, past, last, expected",
    [
        ({}, "", [], FRESH, []),
        ({"a1": "falsified"}, "", [], FRESH, ["assumption \"s\" (a1) is falsified: decide whether the thesis still stands, or close it"]),
        ({"a2": "at_risk", "a1": "intact"}, "", [], FRESH, ["assumption \"s\" (a2) is at risk: read its evidence and record a review"]),
        ({}, "review_every: 90d\n", [], FRESH, ["review overdue since 2026-08-30: review each assumption and record it under reviews:"]),
        ({}, "", ["NET"], FRESH, ["NET passed its horizon without reaching its target: sell it (closed:) or give it a new dated target"]),
        ({}, CATALYSTS, [], FRESH, ["catalyst tomorrow (2026-11-26): Holiday launch"]),  # 12-04 is 9 days away: not yet
        ({}, "catalysts:\n  - {date: 2026-11-25, event: Today}\n  - {date: 2026-12-02, event: Week}\n", [], FRESH,
         ["catalyst today (2026-11-25): Today", "catalyst in 7 days (2026-12-02): Week"]),
        ({}, "", [], {**FRESH, "DDOG": D(2026, 11, 19)}, ["prices of DDOG are stale: run `tracker refresh` and check Data health"]),
        ({}, "", [], {"NET": D(2026, 11, 24)}, ["prices of DDOG, QQQ are stale: run `tracker refresh` and check Data health"]),
        ({"a1": "falsified"}, "review_every: 30d\nclosed: {date: 2026-09-01, outcome: falsified}\n", ["NET"], {}, []),  # closed: nothing to do
    ],
)
def test_attention_reasons(statuses, extra, past, last, expected):
    t = thesis(extra)
    upcoming = [v for v in catalyst_views(t, None, TODAY) if v.upcoming]
    assert attention_reasons(t, statuses, review_state(t, TODAY), upcoming, past, last, TODAY) == expected


def test_past_horizon_lists_held_positions_that_missed_their_target():
    t = thesis()
    days = pd.bdate_range("2026-06-01", "2026-11-24")
    frame = pd.DataFrame({"NET": [100.0] * len(days), "DDOG": [100.0] * len(days)}, index=days)
    perf = thesis_performance(t, frame, TODAY)  # NET's 120 days ended 2026-09-29 at progress 0
    assert past_horizon(perf.positions) == ["NET"]


def test_calendar_holds_upcoming_catalysts_with_stable_ids():
    t = thesis(CATALYSTS)
    stamp = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    first = Calendar.from_ical(catalysts_ics([t], D(2026, 11, 26), stamp))
    events = sorted(first.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [(e.decoded("dtstart"), str(e["summary"])) for e in events] == [
        (D(2026, 11, 26), "Holiday launch (T)"), (D(2026, 12, 4), "NET results (T)"), (D(2027, 1, 10), "Far away (T)"),
    ]
    assert "Ticker: NET" in str(events[1]["description"]) and "Assumption: a1" in str(events[1]["description"])
    again = Calendar.from_ical(catalysts_ics([t], D(2026, 11, 26), stamp))
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [str(e["uid"]) for e in first.walk("VEVENT")]
    closed = thesis(CATALYSTS + "closed: {date: 2026-11-20, outcome: abandoned}\n")
    assert Calendar.from_ical(catalysts_ics([closed], D(2026, 11, 26), stamp)).walk("VEVENT") == []


@pytest.mark.parametrize(
    "extra, message",
    [
        ("catalysts:\n  - {date: 2026-12-04, event: x, ticker: MSFT}\n",
         "t.yaml:16:42: catalysts[0].ticker: MSFT is not a position or the benchmark of this thesis; use one of NET, DDOG and QQQ"),
        ("catalysts:\n  - {date: 2026-12-04, event: x, assumption: a9}\n",
         "t.yaml:16:46: catalysts[0].assumption: no assumption has the id 'a9'; its assumptions are a1 and a2"),
        ("review_every: 0d\n", "t.yaml:15:15: review_every: review_every must be positive, like 90d or 3m, got 0d"),
    ],
)
def test_catalyst_and_cadence_errors_are_located(extra, message):
    from tracker.thesis import ThesisFileError

    with pytest.raises(ThesisFileError) as info:
        thesis(extra)
    assert [str(i) for i in info.value.issues] == [message]


def test_scorecard_and_closed_record():
    from tracker.attention.track_record import closed_thesis, reached_target, scorecard

    days = pd.bdate_range("2026-06-01", "2026-11-24")
    rising = [100.0 + i for i in range(len(days))]  # 100 → ~224
    frame = pd.DataFrame({"NET": rising, "DDOG": [100.0] * len(days), "QQQ": [100.0] * len(days)}, index=days)
    t = thesis()  # NET target 150 within 120 days (to 2026-09-29): reached on the 51st business day
    perf = thesis_performance(t, frame, TODAY)
    net, ddog = perf.positions
    assert reached_target(net, perf.closes, TODAY) is True
    assert reached_target(ddog, perf.closes, TODAY) is None  # no target
    card = scorecard([(t, perf, {"a1": "falsified", "a2": "intact"})], TODAY)
    assert (card.positions_with_target, card.reached, card.assumptions, card.broke) == (1, 1, 2, 1)
    assert card.hit_rate == 1.0 and card.break_rate == 0.5
    assert closed_thesis(t, perf, {}) is None
    ended = thesis("closed: {date: 2026-09-30, outcome: played_out}\n")
    record = closed_thesis(ended, thesis_performance(ended, frame, TODAY), {"a1": "falsified"})
    assert (record.outcome, record.holding_days, record.falsified) == ("played_out", 121, ["a1"])
    assert record.ret == pytest.approx(0.6 * (frame.loc["2026-09-30", "NET"] / 100 - 1))
