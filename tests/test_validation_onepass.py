"""Validation in one pass: a file's field errors and condition errors come in the same run, and a
fraction compared with a bare number beyond ±1 is an error that suggests the `%` form."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.conditions.parser import ConditionError, parse
from tracker.thesis import ThesisFileError
from tracker.validation import parse_thesis_text

OK = """title: T
opened: 2026-06-11
benchmark: QQQ
positions:
  - ticker: NET
    weight: 60%
    target: 330
    horizon: 540d
  - ticker: DDOG
    weight: 40%
    upside: 25%
    horizon: 18m
assumptions:
  - id: a1
    statement: s
    falsified_if: f
    checks:
      - when: return(NET) < -30%
      - when: progress(DDOG) < 50%
"""
# lines: 7 target, 18 first when, 19 second when


def problems(text: str) -> list[str]:
    with pytest.raises(ThesisFileError) as info:
        parse_thesis_text(text, "x.yaml", "x")
    return [str(i) for i in info.value.issues]


def test_field_and_condition_errors_come_in_one_run():
    text = OK.replace("target: 330", "target: $330").replace("return(NET) < -30%", "return(NET) < -30").replace("progress(DDOG)", "progres(DDOG)")
    assert problems(text) == [
        "x.yaml:7:13: positions[0].target: expected a number, got '$330'; write it bare, without currency signs, units or thousands separators",
        "x.yaml:18:29: assumptions[0].checks[0].when: compares a fraction with -30; did you mean -30%? (`return(NET)` is a fraction: 0.3 is 30%)",
        "x.yaml:19:15: assumptions[0].checks[1].when: unknown function `progres`; did you mean `progress`?",
    ]


def test_conditions_use_the_scope_the_file_gives_despite_field_errors():
    found = problems(OK.replace("weight: 40%", "weight: lots").replace("return(NET)", "return(AAPL)"))
    assert [p.split(": ")[1] for p in found] == ["positions[1].weight", "assumptions[0].checks[0].when"]
    assert found[1].startswith("x.yaml:18:22: assumptions[0].checks[0].when: `AAPL` is not a ticker of this thesis (its tickers: DDOG, NET, QQQ)")


@pytest.mark.parametrize(
    "change, reported",
    [
        # a position without a ticker: the tickers are not known, so none is refused, but the rest is checked
        (("  - ticker: DDOG\n", "  - name: Datadog\n"), ["positions[1].ticker", "assumptions[0].checks[0].when: compares a fraction with -30"]),
        # a benchmark that is not a ticker: no extra "excess needs a benchmark"
        (("benchmark: QQQ", "benchmark: [QQQ]"), ["benchmark", "assumptions[0].checks[0].when: compares a fraction with -30"]),
    ],
)
def test_unknown_scope_checks_what_it_can(change, reported):
    text = OK.replace(*change).replace("return(NET) < -30%", "return(ZZZ) < -30").replace("progress(DDOG) < 50%", "excess(portfolio) < -10%")
    found = problems(text)
    assert len(found) == len(reported), found
    for line, where in zip(found, reported, strict=True):
        assert line.split(": ", 1)[1].startswith(where), found


def test_a_when_with_a_field_error_is_not_reported_twice():
    found = problems(OK.replace("when: return(NET) < -30%", "when: ''").replace("target: 330", "target: $330"))
    assert [p.split(": ")[1] for p in found] == ["positions[0].target", "assumptions[0].checks[0].when"]


UNITS = [
    ("return(V) < -30", "compares a fraction with -30; did you mean -30%?", 13),
    ("drawdown(V) > 25", "compares a fraction with 25; did you mean 25%?", 15),
    ("excess(portfolio) < -10", "compares a fraction with -10; did you mean -10%?", 21),
    ("progress(V) >= 2", "compares a fraction with 2; did you mean 2%?", 16),
    ("-30 > return(V, 90d)", "compares a fraction with -30; did you mean -30%?", 1),
    ("return(V) < -30%", None, None),
    ("return(V) < -0.3", None, None),
    ("progress(V) >= 1", None, None),
    ("drawdown(V) > -1", None, None),
    ("price(V) > 300", None, None),
    ("days_left(V) < 90", None, None),
    ("metric(share) < 20", None, None),
    ('news("outage", 30d) >= 3', None, None),
    ("sentiment(V, 30d) < -0.35", None, None),
]


@pytest.mark.parametrize("text, message, column", UNITS, ids=[u[0] for u in UNITS])
def test_unit_sense(text, message, column):
    if message is None:
        parse(text, frozenset({"V"}), benchmark="B")
        return
    with pytest.raises(ConditionError) as info:
        parse(text, frozenset({"V"}), benchmark="B")
    assert info.value.message.startswith(message) and info.value.column == column


@pytest.mark.parametrize(
    "texts, summary",
    [
        ([OK], "1 valid, 0 invalid"),
        ([OK.replace("target: 330", "target: -1")], "0 valid, 1 invalid (1 problem)"),
        ([OK.replace("target: 330", "target: -1").replace("< -30%", "< -30")], "0 valid, 1 invalid (2 problems)"),
    ],
)
def test_validate_counts_in_the_right_form(tmp_path: Path, texts, summary):
    for i, text in enumerate(texts):
        (tmp_path / f"t{i}.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert result.stderr.strip().splitlines()[-1] == summary
