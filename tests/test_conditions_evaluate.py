"""Semantics of each condition function on hand-built data, including windows and missing data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tracker.conditions.evaluate import Context, NewsData, evaluate
from tracker.conditions.parser import parse
from tracker.validation import parse_thesis_text

UTC = dt.UTC
NOW = dt.datetime(2026, 7, 10, 22, 0, tzinfo=UTC)

THESIS = parse_thesis_text(
    """
title: Semantics
opened: 2026-06-11
benchmark: IDX
positions:
  - {ticker: AAA, weight: 50%, target: 150, horizon: 100d}
  - {ticker: BBB, weight: 50%, upside: 50%, horizon: 1y, entry_price: 40}
assumptions:
  - id: a
    statement: s
    falsified_if: f
    observations:
      - {metric: share, date: 2026-06-01, value: 35%}
      - {metric: share, date: 2026-07-01, value: 18%}
      - {metric: share, date: 2026-08-01, value: 50%}
""",
    "s.yaml",
    "s",
)

DAYS = pd.to_datetime(["2026-05-01", "2026-06-10", "2026-06-11", "2026-06-12", "2026-06-15", "2026-07-09", "2026-07-10"])
CLOSES = pd.DataFrame(
    {
        "AAA": [80.0, 95.0, 100.0, 120.0, None, 110.0, 125.0],
        "BBB": [40.0, 49.0, 50.0, 45.0, 44.0, 42.0, 46.0],
        "IDX": [180.0, 199.0, 200.0, 202.0, 204.0, 206.0, 210.0],
    },
    index=DAYS,
)


def news_data() -> NewsData:
    arts = pd.DataFrame(
        [
            (1, "deepseek outage hits customers", NOW - dt.timedelta(days=2), -0.7),
            (2, "deepseek outages again", NOW - dt.timedelta(days=3), -0.6),  # "outages" is not the phrase "outage"
            (3, "price cut announced", NOW - dt.timedelta(days=20), -0.2),
            (4, "deepseek outage resolved quickly", NOW - dt.timedelta(days=5), 0.3),
            (5, "deepseek outage long ago", NOW - dt.timedelta(days=60), -0.8),
        ],
        columns=["id", "text", "published_at", "sentiment"],
    )
    arts["published_at"] = pd.to_datetime(arts["published_at"], utc=True)
    links = pd.DataFrame(
        [(1, "AAA", -0.5, NOW - dt.timedelta(days=2)), (4, "AAA", 0.3, NOW - dt.timedelta(days=5)), (5, "AAA", -0.9, NOW - dt.timedelta(days=60))],
        columns=["article_id", "ticker", "sentiment", "published_at"],
    )
    links["published_at"] = pd.to_datetime(links["published_at"], utc=True)
    return NewsData(arts, links)


def run(text: str, closes: pd.DataFrame = CLOSES, news: NewsData | None = None, now: dt.datetime = NOW):
    expr = parse(text, frozenset({"AAA", "BBB", "IDX"}))
    return evaluate(expr, Context(THESIS, closes, news or news_data(), now))


@pytest.mark.parametrize(
    "expr, value",
    [
        ("price(AAA)", 125.0),
        ("return(AAA)", 0.25),  # from the first close on/after opening (100)
        ("return(BBB)", 46 / 40 - 1),  # entry_price override
        ("return(IDX)", 0.05),
        ("return(AAA, 30d)", 125 / 95 - 1),  # from the last close on or before 2026-06-10
        ("drawdown(AAA)", 0.0),
        ("drawdown(BBB)", 1 - 46 / 50),
        ("excess(AAA)", 0.25 - 0.05),
        ("progress(AAA)", 0.5),
        ("progress(BBB)", (46 - 40) / (60 - 40)),
        ("days_left(AAA)", 71.0),  # horizon 2026-06-11 + 100d = 2026-09-19
        ('news("DeepSeek outage", 30d)', 2.0),
        ('negative_news("DeepSeek outage|price cut", 30d)', 2.0),
        ('news("DeepSeek outage", 90d)', 3.0),
        ("sentiment(AAA, 30d)", (-0.5 + 0.3) / 2),
        ("metric(share)", 0.18),  # latest observation dated on or before today
    ],
)
def test_function_values(expr, value):
    result = run(f"{expr} > -1000%")  # -10 in any unit; a bare -1000 next to a fraction is a validation error
    assert result.outcome == "fired"
    assert result.values[expr] == pytest.approx(value)


def test_values_seen_are_reported_like_the_investor_writes_them():
    result = run("return(AAA) > 20%")
    assert result.detail == "return(AAA) = 25.0%, > 20% ✔" and result.outcome == "fired"
    missed = run("return(AAA) > 30%")
    assert missed.outcome == "not_fired" and missed.detail == "return(AAA) = 25.0%, not > 30%"


def test_news_functions_list_the_articles_they_counted():
    result = run('negative_news("DeepSeek outage", 30d) >= 1')
    assert result.article_ids == [1]


@pytest.mark.parametrize(
    "text, outcome, missing",
    [
        ("price(ZZZ) > 1", "unknown", "no prices for ZZZ yet"),
        ("metric(nothing) < 1", "unknown", "no observation of nothing yet"),
        ("return(AAA, 1y) > 0", "unknown", "prices of AAA do not reach back 1y"),
        ("sentiment(BBB, 30d) < 0", "unknown", "no articles about BBB in the last 30d"),
        ("metric(nothing) < 1 and price(AAA) > 1000", "not_fired", None),  # false and unknown = false
        ("metric(nothing) < 1 or price(AAA) > 1", "fired", None),  # true or unknown = true
        ("metric(nothing) < 1 or price(AAA) > 1000", "unknown", "no observation of nothing yet"),
        ("not metric(nothing) < 1", "unknown", "no observation of nothing yet"),
    ],
)
def test_missing_data_is_unknown_with_kleene_logic(text, outcome, missing):
    thesis_tickers = frozenset({"AAA", "BBB", "IDX", "ZZZ"})
    result = evaluate(parse(text, thesis_tickers), Context(THESIS, CLOSES, news_data(), NOW))
    assert result.outcome == outcome
    if missing:
        assert any(missing in m for m in result.missing), result.missing


def test_portfolio_functions_and_the_missing_day():
    result = run("return(portfolio) > -1 and excess(portfolio) > -1 and drawdown(portfolio) > -1")
    port = 0.5 * 1.25 + 0.5 * 46 / 40 - 1
    assert result.values["return(portfolio)"] == pytest.approx(port)
    assert result.values["excess(portfolio)"] == pytest.approx(port - 0.05)
    assert result.values["drawdown(portfolio)"] >= 0


def test_evaluation_as_of_an_earlier_moment():
    ctx = Context(THESIS, CLOSES, news_data(), NOW).as_of(dt.datetime(2026, 6, 12, 23, 0, tzinfo=UTC))
    result = evaluate(parse("price(AAA) > 1 and metric(share) > 0", frozenset({"AAA"})), ctx)
    assert result.values["price(AAA)"] == 120.0 and result.values["metric(share)"] == pytest.approx(0.35)
