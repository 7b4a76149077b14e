"""Sentiment: labels per DESIGN.md, the finance reading of headlines (direction and quantity,
numbers, negation, hedges) with its explanation, and the dev set's figures against the bar."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tracker.news.sentiment import MAX_TEXT_CHARS, Explanation, article_explanation, article_score, explain, label, score, vader_only

HEADLINES = Path(__file__).parent / "fixtures" / "sentiment_headlines.csv"
DEV_SET = Path(__file__).parent / "data" / "headlines.csv"


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


@pytest.mark.parametrize(
    "text, sign",
    [
        # direction × quantity
        ("Walgreens losses narrow on pharmacy cost savings", 1),
        ("Carnival net loss widens", -1),
        ("American Airlines costs rise more than expected", -1),
        ("BP debt falls to lowest level in a decade", 1),
        ("Intel to cut 15,000 jobs", -1),
        ("Kroger cuts costs across its stores", 1),
        ("Exxon production climbs to a record", 1),
        ("Tesla deliveries drop for a second quarter", -1),
        ("Honeywell wins $1.2 billion Navy contract", 1),
        ("Samsung warns on profit", -1),
        ("Retailer posts drop in quarterly sales", -1),
        # signed numbers
        ("Cloudflare up 5% in premarket trading", 1),
        ("Datadog down 12% after results", -1),
        ("Elastic shares 4% higher", 1),
        ("Confluent stock hits 52-week low", -1),
        ("Nvidia at record high", 1),
        # negation
        ("Confluent fails to beat revenue estimates", -1),
        ("Hilton no longer expects a loss this year", 1),
        ("Apple not expected to grow iPhone sales", -1),
        ("Amazon does not expect layoffs in AWS", 1),
        ("Intel avoids a loss for the first time in four quarters", 1),
        ("Microsoft won't meet cloud capacity targets", -1),
        # mixed: the clause after "but" decides
        ("Snowflake revenue tops forecasts but margin outlook disappoints", -1),
        ("Cloudflare misses on billings but raises full-year guidance", 1),
    ],
)
def test_finance_reading_has_the_right_sign(text, sign):
    s = score(text)
    assert s * sign > 0, explain(text).summary()


@pytest.mark.parametrize(
    "plain_text, hedged",
    [("Oracle wins large cloud contract", "Oracle could win large cloud contract, report says"),
     ("Intel delays Ohio factory", "Intel may delay Ohio factory, people familiar say"),
     ("Walmart raises its buyback", "Walmart said to consider raising its buyback")],
)
def test_a_hedge_keeps_the_sign_and_weakens_the_score(plain_text, hedged):
    a, b = score(plain_text), score(hedged)
    assert a * b > 0 and abs(b) < abs(a), (a, b)


@pytest.mark.parametrize(
    "small, large",
    [("Salesforce stock slips 1%", "Salesforce stock slips 15%"), ("Cloudflare shares rise 2%", "Cloudflare shares rise 20%")],
)
def test_a_larger_move_scores_stronger(small, large):
    assert abs(score(large)) > abs(score(small)) > 0


@pytest.mark.parametrize(
    "text",
    ["Datadog to report third-quarter results on November 6", "Apple to hold product event on September 9",
     "ServiceNow names new chief financial officer", "Coca-Cola shares little changed after results"],
)
def test_routine_news_is_neutral(text):
    assert label(score(text)) == "neutral", explain(text).summary()


@pytest.mark.parametrize(
    "text, words",
    [("Datadog beats estimates and raises full-year guidance", ["beats", "raises guidance"]),
     ("Confluent fails to beat revenue estimates", ["fails to beat"]),
     ("Cloudflare shares plunge 18% after analyst downgrade", ["shares plunge 18%", "downgrade"])],
)
def test_explanation_names_the_words_that_weighed(text, words):
    got = explain(text)
    assert set(words) <= set(got.top(3)), got
    assert got.summary().startswith(f"{got.score:+.2f}: ")


def test_explanation_of_nothing():
    assert explain("") == Explanation(0.0)
    assert explain("Elastic schedules its annual meeting").summary() == "+0.00: no sentiment cues"


def test_article_explanation_puts_the_title_first():
    got = article_explanation("Snowflake cuts its outlook", "Cortex usage grew nicely.")
    assert got.score < 0 and got.cues[0].text == "cuts outlook"


def dev_rows(split: str) -> list[tuple[str, float]]:
    with DEV_SET.open(newline="") as fh:
        return [(r["headline"], float(r["grade"])) for r in csv.DictReader(fh) if r["split"] == split]


def test_dev_set_is_large_balanced_and_split():
    rows = dev_rows("tune") + dev_rows("holdout")
    assert len(rows) >= 400 and len(dev_rows("holdout")) >= 150
    bull, bear = sum(g >= 0.15 for _, g in rows), sum(g <= -0.15 for _, g in rows)
    neutral = len(rows) - bull - bear
    assert min(bull, bear, neutral) >= len(rows) // 4
    assert all(-1.0 <= g <= 1.0 for _, g in rows)


@pytest.mark.parametrize("split", ["tune", "holdout"])
def test_dev_set_figures_meet_the_bar(split):
    """Cosine with the grades ≥ 0.65, right sign on ≥ 80% of clear headlines (|grade| ≥ 0.2), and of
    the headlines graded other than 0 at most 15% scored exactly 0 (the set grades about a fifth of
    its headlines exactly 0 on purpose, so the share of all headlines scored 0 cannot be that low
    for a scorer that gets them right)."""
    rows = dev_rows(split)
    got = [score(h) for h, _ in rows]
    grades = [g for _, g in rows]
    cosine = sum(a * b for a, b in zip(got, grades, strict=True)) / (
        sum(a * a for a in got) ** 0.5 * sum(b * b for b in grades) ** 0.5
    )
    clear = [(s, g) for s, g in zip(got, grades, strict=True) if abs(g) >= 0.2]
    sign = sum(s * g > 0 for s, g in clear) / len(clear)
    graded = [s for s, g in zip(got, grades, strict=True) if g != 0.0]
    zero = sum(s == 0.0 for s in graded) / len(graded)
    assert cosine >= 0.65 and sign >= 0.80 and zero <= 0.15, (cosine, sign, zero)
    assert cosine > 0.65 + 0.2 and sign > 0.80 + 0.05  # clear of the bar, not at its edge
    naive = [vader_only(h) for h, _ in rows]
    naive_sign = sum(s * g > 0 for s, (_, g) in zip(naive, rows, strict=True) if abs(g) >= 0.2) / len(clear)
    assert sign > naive_sign + 0.3


def test_only_the_opening_of_a_long_text_is_read():
    opening = ("Company holds its annual meeting in the usual place " * 60)[:MAX_TEXT_CHARS]
    assert explain(opening + " shares plunge 40% after fraud charges") == explain(opening)
    assert explain("shares plunge 40% after fraud charges").score < 0


@pytest.mark.timeout(60)
def test_a_huge_feed_entry_is_scored_without_hanging_the_refresh():
    # 400 kB of clause words: reading all of it took minutes (clause weights grow with the square of a sentence)
    assert explain("but " * 100_000).score == 0.0
