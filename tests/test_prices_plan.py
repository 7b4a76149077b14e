"""Which tickers the prices stage fetches, and from when: sold positions and closed theses stop
being fetched once their closing closes are stored; a ticker an open thesis holds goes on."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.prices.stage import OVERLAP_DAYS, plan_fetches
from tracker.thesis.model import later_need
from tracker.validation import parse_thesis_text

D = dt.date
TODAY = D(2026, 11, 25)
OPEN = parse_thesis_text(
    "title: O\nid: o\nopened: 2026-06-01\npositions:\n  - {ticker: NET, weight: 100%, horizon: 2y}\n", "o.yaml")
SOLD = parse_thesis_text(
    "title: S\nid: s\nopened: 2026-06-01\nbenchmark: QQQ\npositions:\n  - {ticker: NET, weight: 50%, horizon: 2y}\n"
    "  - {ticker: DDOG, weight: 50%, horizon: 2y, closed: 2026-09-30}\n", "s.yaml")
CLOSED = parse_thesis_text(
    "title: C\nid: c\nopened: 2026-02-02\nbenchmark: QQQ\npositions:\n  - {ticker: MSFT, weight: 100%, horizon: 1y}\n"
    "closed: {date: 2026-08-31, outcome: expired}\n", "c.yaml")


@pytest.mark.parametrize(
    "a, b, expected",
    [(None, D(2026, 1, 1), None), (D(2026, 1, 1), None, None), (D(2026, 1, 1), D(2026, 3, 1), D(2026, 3, 1)), (None, None, None)],
)
def test_still_held_outranks_any_day(a, b, expected):
    assert later_need(a, b) == expected


def fetched(theses, last):
    return {t: start for start, tickers in plan_fetches(theses, last, TODAY).items() for t in tickers}


def test_sold_and_closed_tickers_stop_once_their_closing_closes_are_stored():
    last = {"NET": D(2026, 11, 24), "DDOG": D(2026, 9, 30), "MSFT": D(2026, 8, 31), "QQQ": D(2026, 11, 24)}
    plan = fetched([SOLD, CLOSED], last)
    assert "DDOG" not in plan and "MSFT" not in plan  # sold / closed, closes up to the sale stored
    assert plan["NET"] == plan["QQQ"] == D(2026, 11, 24) - dt.timedelta(days=OVERLAP_DAYS)


def test_a_closed_ticker_is_fetched_until_its_close_is_stored():
    plan = fetched([CLOSED], {"MSFT": D(2026, 8, 20), "QQQ": D(2026, 8, 31)})
    assert plan == {"MSFT": D(2026, 8, 20) - dt.timedelta(days=OVERLAP_DAYS)}


def test_a_ticker_an_open_thesis_holds_is_fetched_for_it():
    plan = fetched([SOLD, OPEN], {"NET": D(2026, 11, 24), "DDOG": D(2026, 9, 30), "QQQ": D(2026, 11, 24)})
    assert set(plan) == {"NET", "QQQ"}
    both = fetched([CLOSED, parse_thesis_text(
        "title: M\nid: m\nopened: 2026-06-01\npositions:\n  - {ticker: MSFT, weight: 100%, horizon: 2y}\n", "m.yaml")],
        {"MSFT": D(2026, 11, 24), "QQQ": D(2026, 8, 31)})
    assert set(both) == {"MSFT"}


def test_a_new_ticker_starts_from_the_history_its_earliest_thesis_reads():
    plan = fetched([OPEN, CLOSED], {})
    assert plan["MSFT"] == D(2026, 2, 2) - dt.timedelta(days=400)
    assert plan["NET"] == D(2026, 6, 1) - dt.timedelta(days=400)
