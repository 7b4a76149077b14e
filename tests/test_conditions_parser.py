"""The condition language parser: every construct, every error with its column, never anything else."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.conditions import validate_when
from tracker.conditions.ast import Call, Compare, Number, Span, Symbol, Text
from tracker.conditions.parser import FUNCTIONS, ConditionError, parse
from tracker.thesis.units import Duration

TICKERS = frozenset({"NET", "DDOG", "NVDA", "QQQ", "BRK-B", "ASML.AS", "7203.T", "^GSPC", "EURUSD=X"})
POSITIONS = frozenset({"NET", "DDOG", "NVDA", "BRK-B", "ASML.AS", "7203.T", "^GSPC", "EURUSD=X"})
TARGETED = frozenset({"NET", "NVDA"})


def p(text: str):
    return parse(text, TICKERS, positions=POSITIONS, targeted=TARGETED, benchmark="QQQ")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("price(NET) > 300", Compare(">", Call("price", (Symbol("NET", 7),), 1), Number(300.0, False, 14), 1)),
        ("return(NVDA) < -30%", Compare("<", Call("return", (Symbol("NVDA", 8),), 1), Number(-0.3, True, 16), 1)),
        ("return(portfolio, 90d) >= 5%", Compare(">=", Call("return", (Symbol("portfolio", 8), Span(Duration(90, "d"), 19)), 1), Number(0.05, True, 27), 1)),
        ('news("DeepSeek outage|price cut", 30d) >= 3', Compare(">=", Call("news", (Text("DeepSeek outage|price cut", 6), Span(Duration(30, "d"), 35)), 1), Number(3.0, False, 43), 1)),
        ("metric(inference_share) < 20%", Compare("<", Call("metric", (Symbol("inference_share", 8),), 1), Number(0.2, True, 27), 1)),
    ],
)
def test_trees(text, expected):
    assert p(text) == expected


@pytest.mark.parametrize(
    "text, shape",
    [
        ("price(NET) > 1 and price(DDOG) > 1 or price(NVDA) > 1", "((price(NET) > 1 and price(DDOG) > 1) or price(NVDA) > 1)"),
        ("price(NET) > 1 and (price(DDOG) > 1 or price(NVDA) > 1)", "(price(NET) > 1 and (price(DDOG) > 1 or price(NVDA) > 1))"),
        ("not price(NET) > 1", "not price(NET) > 1"),
        ("not not (drawdown(portfolio) > 25%)", "not not drawdown(portfolio) > 25%"),
        ("1 < price(NET)", "1 < price(NET)"),
        ("excess(NET) != 0 and days_left(NET) <= 30 and progress(NVDA) == 1", "((excess(NET) != 0 and days_left(NET) <= 30) and progress(NVDA) == 1)"),
        ("sentiment(DDOG, 2w) < -0.35", "sentiment(DDOG, 2w) < -0.35"),
        ("return(NET, 18m) > 0 and return(NET, 1y) > 0 and return(NET, 30) > 0", "((return(NET, 18m) > 0 and return(NET, 1y) > 0) and return(NET, 30) > 0)"),
        ("price(BRK-B) > 1 and price(ASML.AS) > 1 and price(7203.T) > 1 and price(^GSPC) > 1 and price(EURUSD=X) > 1",
         "((((price(BRK-B) > 1 and price(ASML.AS) > 1) and price(7203.T) > 1) and price(^GSPC) > 1) and price(EURUSD=X) > 1)"),
        ("price(QQQ) > 1 and drawdown(QQQ) > 1", "(price(QQQ) > 1 and drawdown(QQQ) > 1)"),
    ],
)
def test_precedence_and_forms(text, shape):
    assert str(p(text)) == shape


@pytest.mark.parametrize(
    "text, column, message",
    [
        ("", 1, "empty condition"),
        ("pricee(NET) > 1", 1, "unknown function `pricee`; did you mean `price`?"),
        ("price(AAPL) > 1", 7, "`AAPL` is not a ticker of this thesis (its tickers: 7203.T, ASML.AS, BRK-B, DDOG, EURUSD=X, NET, NVDA, QQQ, ^GSPC)"),
        ('news("x", abc) > 1', 11, "expected a duration like 30d as the window of `news`"),
        ('news("x", 30%) > 1', 11, "expected a duration like 30d as the window of `news`"),
        ('news("x", 0d) > 1', 11, "a window must be longer than 0 days"),
        ("news(NET, 30d) > 1", 6, 'expected phrases in double quotes, like "DeepSeek outage|price cut", as the first argument of `news`'),
        ('news("|", 30d) > 1', 6, 'expected phrases in double quotes, like "DeepSeek outage|price cut", as the first argument of `news`'),
        ("price(NET)", 11, "expected a comparison (< <= > >= == !=) after `price(NET)`, got the end"),
        ("price(NET) > ", 14, "expected a number or a function like price(NET), got the end"),
        ("3 > 4", 1, "a comparison needs at least one function, e.g. price(NET) > 300"),
        ("price(NET) > 1 price(NET) > 1", 16, "unexpected 'price'; join conditions with `and` / `or`"),
        ("price(NET, 30d) > 1", 12, "`price` takes 1 argument, got 2"),
        ("return() > 1", 8, "`return` takes 1 or 2 arguments, got 0"),
        ("price > 1", 7, "`price` is a function: write price(…)"),
        ("price(portfolio) > 1", 7, "`price` takes a ticker, not `portfolio`"),
        ("progress(DDOG) > 1", 10, "`DDOG` has no target or upside, so `progress` is undefined"),
        ("days_left(QQQ) > 1", 11, "`days_left` needs a position; `QQQ` is only the benchmark"),
        ('price("NET") > 1', 7, "expected a ticker in `price`"),
        ("metric(Bad-Name) > 1", 8, "expected a metric name like inference_share_of_ai_revenue in `metric`"),
        ("(price(NET) > 1", 16, "expected `)`, got the end"),
        ('news("unterminated, 30d) > 1', 6, "unterminated string: close it with a double quote"),
        ("price(NET) > 1 ; drop table", 16, "unexpected character ';'"),
        ("30d > price(NET)", 1, 'a duration can only be a function\'s window, e.g. news("outage", 30d)'),
        ('"x" > price(NET)', 1, 'a string can only be a function\'s argument, e.g. news("outage", 30d)'),
        ("price(NET) > 1 and", 19, "expected a number or a function like price(NET), got the end"),
        ("not" + " not" * 60 + " price(NET) > 1", 201, "condition nested deeper than 50 levels"),
    ],
)
def test_errors_with_columns(text, column, message):
    with pytest.raises(ConditionError) as info:
        p(text)
    assert (info.value.column, info.value.message) == (column, message)


def test_excess_without_benchmark_is_an_error():
    with pytest.raises(ConditionError, match="needs a benchmark"):
        parse("excess(NET) < 0", frozenset({"NET"}), positions=frozenset({"NET"}), targeted=frozenset(), benchmark=None)


def test_validate_when_reports_column_and_message():
    assert validate_when("pricee(NET) > 1", TICKERS) == [(1, "unknown function `pricee`; did you mean `price`?")]
    assert validate_when("price(NET) > 1", TICKERS) == []


def test_every_documented_function_is_known():
    assert set(FUNCTIONS) == {"price", "return", "drawdown", "excess", "progress", "days_left", "news", "negative_news", "sentiment", "metric"}


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=120))
def test_no_input_raises_anything_but_condition_error(text):
    try:
        p(text)
    except ConditionError as exc:
        assert 1 <= exc.column <= len(text) + 1


TOKENS = ["price(NET)", "return(NVDA, 30d)", "news(\"a|b\", 7d)", "and", "or", "not", "(", ")", "<", ">=", "==", "12%", "-3", "1.5", ",", "portfolio", "\"", "30d"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_token_soup_never_escapes(tokens):
    text = " ".join(tokens)
    with contextlib.suppress(ConditionError):
        p(text)
