"""Sentiment: labels per DESIGN.md and the finance layer measured against plain VADER."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tracker.news.sentiment import article_score, label, score, vader_only

HEADLINES = Path(__file__).parent / "fixtures" / "sentiment_headlines.csv"


def coarse(value: float) -> str:
    lab = label(value)
    return "bullish" if "bullish" in lab else "bearish" if "bearish" in lab else "neutral"


@pytest.mark.parametrize(
    "value, expected",
    [(-1.0, "bearish"), (-0.35, "bearish"), (-0.34, "somewhat_bearish"), (-0.15, "somewhat_bearish"), (-0.149, "neutral"),
     (0.0, "neutral"), (0.149, "neutral"), (0.15, "somewhat_bullish"), (0.349, "somewhat_bullish"), (0.35, "bullish"), (1.0, "bullish")],
)
def test_label_thresholds(value, expected):
    assert label(value) == expected


@pytest.mark.parametrize(
    "text, sign",
    [("Datadog beats estimates", 1), ("guidance raised for the year", 1), ("Snowflake cuts its guidance", -1),
     ("Hyperscalers announce price cuts", -1), ("DeepSeek outage hits customers", -1), ("Upgrade to buy", 1), ("", 0)],
)
def test_finance_wording(text, sign):
    s = score(text)
    assert (s > 0.15 if sign > 0 else s < -0.15 if sign < 0 else s == 0.0), s


def test_scores_stay_in_range():
    for text in ("beats beats beats estimates soars surges record", "plunge plunge outage bankruptcy breach"):
        assert -1.0 <= score(text) <= 1.0


def test_headline_weighs_more_than_body():
    assert article_score("Snowflake cuts outlook", "Cortex usage grew nicely.") < 0


def test_accuracy_against_plain_vader():
    rows = list(csv.DictReader(HEADLINES.open()))
    assert len(rows) >= 45
    ours = sum(coarse(score(r["headline"])) == r["label"] for r in rows) / len(rows)
    naive = sum(coarse(vader_only(r["headline"])) == r["label"] for r in rows) / len(rows)
    print(f"finance-layered accuracy {ours:.0%} vs plain VADER {naive:.0%} on {len(rows)} headlines")
    assert ours >= 0.8
    assert ours > naive + 0.15
