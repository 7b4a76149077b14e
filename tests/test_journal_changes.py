"""The change lines between two versions of a thesis file, and which edits are flagged as rewriting the past."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.journal.changes import (
    NO_FIELD_CHANGED,
    PAST,
    Change,
    describe,
    diff,
    parse_version,
    percent,
    show,
    version_changes,
)
from tracker.thesis.model import Thesis

ON = dt.date(2026, 11, 20)

BASE = """
title: Cheap inference
id: cheap
opened: 2026-06-11
benchmark: QQQ
positions:
  - {ticker: NET, weight: 60%, target: 330, horizon: 540d}
  - {ticker: DDOG, weight: 40%, upside: 25%, until: 2027-12-31}
assumptions:
  - id: cheap-inference
    statement: Inference gets cheap.
    falsified_if: It does not.
    keywords: [DeepSeek, outage]
    checks:
      - when: return(NET) < -30%
        then: at_risk
      - when: excess(NET) < -10%
"""

# Events already in the file: a position bought later (not yet on ON), a sale, a past and a future rebalance.
EVENTS = """
title: Cheap inference
id: cheap
opened: 2026-06-11
positions:
  - {ticker: NET, weight: 60%, target: 330, horizon: 540d, closed: 2026-10-15, exit_price: 250}
  - {ticker: DDOG, weight: 40%, upside: 25%, horizon: 1y}
  - {ticker: CCC, weight: 20%, horizon: 1y, opened: 2026-12-01}
rebalances:
  - {date: 2026-09-01, weights: {NET: 50%, DDOG: 50%}}
  - {date: 2027-01-04, weights: {DDOG: 60%, CCC: 40%}}
"""

CLOSED = BASE + "closed: {date: 2026-10-01, outcome: abandoned, note: gave up}\n"


def position(data: dict[str, Any], ticker: str) -> dict[str, Any]:
    return next(p for p in data["positions"] if p["ticker"] == ticker)


def assumption(data: dict[str, Any]) -> dict[str, Any]:
    return data["assumptions"][0]


def edited(base: str, mutate: Callable[[dict[str, Any]], object] | None) -> Any:
    data = yaml.safe_load(base)
    if mutate is not None:
        mutate(data)
    return parse_version(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _set(item: dict[str, Any], /, **values: Any) -> None:
    item.update(values)


def _add_position(data: dict[str, Any], **fields: Any) -> None:
    data["positions"].append(fields)


def _drop_position(data: dict[str, Any], ticker: str) -> None:
    data["positions"] = [p for p in data["positions"] if p["ticker"] != ticker]


CASES: list[tuple[str, str, Callable[[dict[str, Any]], object] | None, dt.date | None, list[str]]] = [
    ("title", BASE, lambda d: _set(d, title="Cheaper inference"), ON, ["title: Cheap inference → Cheaper inference"]),
    ("benchmark", BASE, lambda d: _set(d, benchmark="^GSPC"), ON, ["benchmark: QQQ → ^GSPC"]),
    ("target of a held position", BASE, lambda d: _set(position(d, "NET"), target=360), ON,
     [f"positions[NET].target: 330 → 360 ({PAST}: held since 2026-06-11)"]),
    ("target before the opening is planning, not history", BASE, lambda d: _set(position(d, "NET"), target=360),
     dt.date(2026, 6, 1), ["positions[NET].target: 330 → 360"]),
    ("target edited on the opening day itself", BASE, lambda d: _set(position(d, "NET"), target=360),
     dt.date(2026, 6, 11), ["positions[NET].target: 330 → 360"]),
    ("no edit day: every date counts as passed", BASE, lambda d: _set(position(d, "NET"), target=360), None,
     [f"positions[NET].target: 330 → 360 ({PAST}: held since 2026-06-11)"]),
    ("weights of held positions", BASE, lambda d: (_set(position(d, "NET"), weight="50%"), _set(position(d, "DDOG"), weight="50%")), ON,
     [f"positions[NET].weight: 60% → 50% ({PAST}: held since 2026-06-11; add a rebalances entry instead)",
      f"positions[DDOG].weight: 40% → 50% ({PAST}: held since 2026-06-11; add a rebalances entry instead)"]),
    ("upside", BASE, lambda d: _set(position(d, "DDOG"), upside="30%"), ON,
     [f"positions[DDOG].upside: 25% → 30% ({PAST}: held since 2026-06-11)"]),
    ("target replaced by upside", BASE, lambda d: (position(d, "NET").pop("target"), _set(position(d, "NET"), upside="40%")), ON,
     [f"positions[NET].target: 330 → — ({PAST}: held since 2026-06-11)",
      f"positions[NET].upside: — → 40% ({PAST}: held since 2026-06-11)"]),
    ("entry price given later", BASE, lambda d: _set(position(d, "NET"), entry_price=221.4), ON,
     [f"positions[NET].entry_price: — → 221.4 ({PAST}: held since 2026-06-11)"]),
    ("horizon", BASE, lambda d: _set(position(d, "NET"), horizon="2y"), ON,
     [f"positions[NET].horizon: 540d → 2y ({PAST}: held since 2026-06-11)"]),
    ("until", BASE, lambda d: _set(position(d, "DDOG"), until=dt.date(2028, 6, 30)), ON,
     [f"positions[DDOG].until: 2027-12-31 → 2028-06-30 ({PAST}: held since 2026-06-11)"]),
    ("name and rationale are not figures", BASE, lambda d: _set(position(d, "NET"), name="Cloudflare", rationale="Gateway"), ON,
     ["positions[NET].name: — → Cloudflare", "positions[NET].rationale: — → Gateway"]),
    ("aliases", BASE, lambda d: _set(position(d, "NET"), aliases=["AI Gateway", "Workers AI"]), ON,
     ['positions[NET].aliases: added "AI Gateway", "Workers AI"']),
    ("position bought later, with its date", BASE,
     lambda d: _add_position(d, ticker="CCC", weight="25%", opened=dt.date(2026, 4, 1), horizon="1y"), ON,
     ["positions[CCC] added (opened 2026-04-01, weight 25%)"]),
    ("position added without opened", BASE, lambda d: _add_position(d, ticker="CCC", weight="25%", horizon="1y"), ON,
     [f"positions[CCC] added (weight 25%) ({PAST}: counts as bought at the opening, 2026-06-11: give it an opened date)"]),
    ("position added without opened before the thesis opens", BASE, lambda d: _add_position(d, ticker="CCC", weight="25%", horizon="1y"),
     dt.date(2026, 6, 1), ["positions[CCC] added (weight 25%)"]),
    ("held position removed", BASE, lambda d: _drop_position(d, "DDOG"), ON,
     [f"positions[DDOG] removed ({PAST}: held since 2026-06-11; give it a closed date instead)"]),
    ("ticker renamed is a removal and an addition", BASE, lambda d: _set(position(d, "NET"), ticker="NETX"), ON,
     [f"positions[NET] removed ({PAST}: held since 2026-06-11; give it a closed date instead)",
      f"positions[NETX] added (weight 60%) ({PAST}: counts as bought at the opening, 2026-06-11: give it an opened date)"]),
    ("position sold", BASE, lambda d: _set(position(d, "NET"), closed=dt.date(2026, 10, 15), exit_price=250), ON,
     ["positions[NET].closed: — → 2026-10-15", "positions[NET].exit_price: — → 250"]),
    ("sale moved after the fact", EVENTS, lambda d: _set(position(d, "NET"), closed=dt.date(2026, 10, 20)), ON,
     [f"positions[NET].closed: 2026-10-15 → 2026-10-20 ({PAST}: sold on 2026-10-15)"]),
    ("exit price of a past sale", EVENTS, lambda d: _set(position(d, "NET"), exit_price=260), ON,
     [f"positions[NET].exit_price: 250 → 260 ({PAST}: sold on 2026-10-15)"]),
    ("weight of a position not bought yet", EVENTS, lambda d: _set(position(d, "CCC"), weight="25%"), ON,
     ["positions[CCC].weight: 20% → 25%"]),
    ("purchase not made yet moved", EVENTS, lambda d: _set(position(d, "CCC"), opened=dt.date(2026, 12, 15)), ON,
     ["positions[CCC].opened: 2026-12-01 → 2026-12-15"]),
    ("purchase moved into the past", EVENTS, lambda d: _set(position(d, "CCC"), opened=dt.date(2026, 11, 2)), ON,
     [f"positions[CCC].opened: 2026-12-01 → 2026-11-02 ({PAST}: moves the day it was bought)"]),
    ("held position given a later opened", BASE, lambda d: _set(position(d, "NET"), opened=dt.date(2026, 7, 1)), ON,
     [f"positions[NET].opened: — → 2026-07-01 ({PAST}: moves the day it was bought)"]),
    ("position not bought yet removed", EVENTS, lambda d: _drop_position(d, "CCC"), ON, ["positions[CCC] removed"]),
    ("thesis opening moved", BASE, lambda d: _set(d, opened=dt.date(2026, 5, 1)), ON,
     [f"opened: 2026-06-11 → 2026-05-01 ({PAST}: every figure counts from the opening)"]),
    ("opening moved before it happens", BASE, lambda d: _set(d, opened=dt.date(2026, 7, 1)), dt.date(2026, 5, 1),
     ["opened: 2026-06-11 → 2026-07-01"]),
    ("check condition edited", BASE, lambda d: _set(assumption(d)["checks"][0], when="return(NET) < -25%"), ON,
     ["assumptions[cheap-inference].checks[0].when: return(NET) < -30% → return(NET) < -25%"]),
    ("check severity and note", BASE, lambda d: _set(assumption(d)["checks"][1], then="at_risk", note="trails"), ON,
     ["assumptions[cheap-inference].checks[1].then: falsified → at_risk", "assumptions[cheap-inference].checks[1].note: — → trails"]),
    ("check added", BASE, lambda d: assumption(d)["checks"].append({"when": "drawdown(portfolio) > 25%"}), ON,
     ["assumptions[cheap-inference].checks[2] added (when: drawdown(portfolio) > 25%)"]),
    ("first check removed: the second is matched by its condition", BASE, lambda d: assumption(d)["checks"].pop(0), ON,
     ["assumptions[cheap-inference].checks[0] removed (when: return(NET) < -30%)"]),
    ("keywords", BASE, lambda d: _set(assumption(d), keywords=["DeepSeek", "SLA"]), ON,
     ['assumptions[cheap-inference].keywords: added "SLA"; removed "outage"']),
    ("keywords reordered", BASE, lambda d: _set(assumption(d), keywords=["outage", "DeepSeek"]), ON,
     ["assumptions[cheap-inference].keywords: reordered"]),
    ("statement", BASE, lambda d: _set(assumption(d), statement="Inference gets very cheap."), ON,
     ["assumptions[cheap-inference].statement: Inference gets cheap. → Inference gets very cheap."]),
    ("observation", BASE, lambda d: _set(assumption(d), observations=[{"metric": "share", "date": dt.date(2026, 10, 30), "value": "35%"}]),
     ON, ["assumptions[cheap-inference].observations[share 2026-10-30] added (value 0.35)"]),
    ("review", BASE, lambda d: _set(assumption(d), reviews=[{"date": dt.date(2026, 11, 1), "status": "at_risk"}]), ON,
     ["assumptions[cheap-inference].reviews[2026-11-01] added (at_risk)"]),
    ("assumption added", BASE,
     lambda d: d["assumptions"].append({"id": "pricing", "statement": "s", "falsified_if": "f", "checks": [{"when": "return(NET) < 0"}]}),
     ON, ["assumptions[pricing] added (1 check)"]),
    ("assumption removed", BASE, lambda d: d.pop("assumptions"), ON, ["assumptions[cheap-inference] removed"]),
    ("rebalance", BASE, lambda d: _set(d, rebalances=[{"date": dt.date(2026, 9, 1), "weights": {"NET": "50%", "DDOG": "50%"}}]), ON,
     ["rebalances[2026-09-01] added (NET 50%, DDOG 50%)"]),
    ("past rebalance edited", EVENTS, lambda d: _set(d["rebalances"][0]["weights"], NET="55%", DDOG="45%"), ON,
     [f"rebalances[2026-09-01].weights[NET]: 50% → 55% ({PAST})", f"rebalances[2026-09-01].weights[DDOG]: 50% → 45% ({PAST})"]),
    ("future rebalance edited", EVENTS, lambda d: _set(d["rebalances"][1], note="more DDOG"), ON,
     ["rebalances[2027-01-04].note: — → more DDOG"]),
    ("past rebalance removed", EVENTS, lambda d: d["rebalances"].pop(0), ON, [f"rebalances[2026-09-01] removed ({PAST})"]),
    ("future rebalance removed", EVENTS, lambda d: d["rebalances"].pop(1), ON, ["rebalances[2027-01-04] removed"]),
    ("thesis closed", BASE, lambda d: _set(d, closed={"date": dt.date(2027, 3, 1), "outcome": "played_out"}), ON,
     ["closed: — → 2027-03-01 (played out)"]),
    ("outcome of a closed thesis", CLOSED, lambda d: _set(d["closed"], outcome="falsified"), ON,
     ["closed.outcome: abandoned → falsified"]),
    ("close moved", CLOSED, lambda d: _set(d["closed"], date=dt.date(2026, 10, 8)), ON,
     [f"closed.date: 2026-10-01 → 2026-10-08 ({PAST}: the thesis was closed on 2026-10-01)"]),
    ("thesis reopened", CLOSED, lambda d: d.pop("closed"), ON,
     [f"closed: 2026-10-01 (abandoned) → — ({PAST}: the thesis was closed on 2026-10-01)"]),
    ("risks, feeds and sources", BASE,
     lambda d: _set(d, risks="Price war", feeds=["https://example.com/a.xml"], sources=["Filing", {"title": "Blog", "url": "https://b.example"}]),
     ON, ['risks: added "Price war"', 'feeds: added "https://example.com/a.xml"', 'sources: added "Filing", "Blog (https://b.example)"']),
    ("long text is cut", BASE, lambda d: _set(d, summary="A " * 80), ON, [f"summary: — → {'A ' * 29}A…"]),
    ("positions reordered: nothing changed", BASE, lambda d: d["positions"].reverse(), ON, []),
    ("same values in other notations: nothing changed", BASE,
     lambda d: (_set(position(d, "NET"), weight=0.6, target="330"), _set(d, currency="USD")), ON, []),
    ("several fields, in file order", BASE,
     lambda d: (_set(d, title="T2"), _set(position(d, "NET"), target=360),
                _add_position(d, ticker="CCC", weight="25%", opened=dt.date(2026, 9, 1), horizon="1y")), ON,
     ["title: Cheap inference → T2", f"positions[NET].target: 330 → 360 ({PAST}: held since 2026-06-11)",
      "positions[CCC] added (opened 2026-09-01, weight 25%)"]),
]


@pytest.mark.parametrize("name, base, mutate, on, expected", CASES, ids=[c[0] for c in CASES])
def test_change_lines(name, base, mutate, on, expected):
    before, after = edited(base, None), edited(base, mutate)
    assert isinstance(before, Thesis)
    changes = diff(before, after, on)
    assert [c.text for c in changes] == expected
    for c in changes:  # the flag and the words in the line always agree
        assert c.rewrites_past == (f"({PAST}" in c.text), c.text


def test_a_version_that_no_longer_validates_is_compared_as_plain_values():
    before = parse_version(BASE)
    after = parse_version(BASE.replace("weight: 40%", "weight: 52%"))  # weights now sum to 112%
    assert isinstance(before, Thesis) and isinstance(after, dict)
    assert [c.text for c in diff(before, after, ON)] == [
        f"positions[DDOG].weight: 40% → 52% ({PAST}: held since 2026-06-11; add a rebalances entry instead)"
    ]
    # and the other way round: defaults of the model (currency, then) are not reported as changes
    assert [c.text for c in diff(after, before, ON)][0].startswith("positions[DDOG].weight: 52% → 40%")


def test_plain_values_keep_what_does_not_parse_as_written():
    before = parse_version(BASE)
    after = parse_version(BASE.replace("target: 330", "target: $330").replace("opened: 2026-06-11", "opened: June 11"))
    assert isinstance(after, dict)
    assert [c.text for c in diff(before, after, ON)] == [
        f"opened: 2026-06-11 → June 11 ({PAST}: every figure counts from the opening)",
        f"positions[NET].target: 330 → $330 ({PAST}: held since 2026-06-11)",
    ]


def test_shapes_that_make_no_sense_are_shown_whole():
    before = parse_version(BASE)
    after = parse_version(BASE.replace("positions:\n", "positions: oops\nold_positions:\n"))
    lines = [c.text for c in diff(before, after, ON)]
    assert lines[0].startswith("positions: [{ticker: NET, weight: 0.6") and lines[0].endswith("→ oops")
    assert lines[1].startswith("old_positions: — → [")


def test_parse_version():
    assert isinstance(parse_version(BASE), Thesis)
    no_id = BASE.replace("id: cheap\n", "")
    assert parse_version(no_id, "theses/My-File.yaml").id == "my-file"  # type: ignore[union-attr]
    assert parse_version(no_id, "x.yaml", default_id="other").id == "other"  # type: ignore[union-attr]
    invalid = parse_version(no_id.replace("60%", "70%"), "theses/my-file.yaml")
    assert isinstance(invalid, dict) and invalid["id"] == "my-file"
    assert parse_version("title: [unclosed\n") is None
    assert parse_version("- a list\n") is None


def test_first_version_and_unchanged_versions():
    base = parse_version(BASE)
    assert describe(base) == Change("first version: opened 2026-06-11, 2 positions (NET, DDOG), 1 assumption")
    closed = parse_version(EVENTS + "closed: {date: 2027-03-01, outcome: played_out}\n")
    assert describe(closed).text == "first version: opened 2026-06-11, 3 positions (NET, DDOG, CCC), 2 rebalances, closed 2027-03-01 (played out)"
    assert describe({"title": "x"}).text == "first version"
    assert version_changes(None, base) == [describe(base)]
    commented = parse_version("# a comment\n" + BASE.replace("benchmark: QQQ", "benchmark:   QQQ   # the Nasdaq 100"))
    assert version_changes(base, commented, ON) == [Change(NO_FIELD_CHANGED)]


@pytest.mark.parametrize("value, shown", [(0.2, "20%"), (0.125, "12.5%"), (1 / 3, "33.33%"), (-0.05, "-5%"), (0.0, "0%"), ("20 %", "20 %")])
def test_percentages(value, shown):
    assert percent(value) == shown


@pytest.mark.parametrize("value, shown", [(None, "—"), ([], "—"), (330.0, "330"), (221.4, "221.4"), (True, "true"),
                                          ("a\n  b", "a b"), ({"a": 1}, "{a: 1}"), ([1, "x"], "[1, x]")])
def test_values_on_one_line(value, shown):
    assert show(value) == shown


_plain = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5)
    | st.sampled_from(["2026-06-11", "20%", "540d", "NET"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["ticker", "id", "date", "weight", "when", "opened",
                                                                                  "closed", "weights", "checks", "x"]), inner, max_size=3),
    max_leaves=12,
)
_fields = st.dictionaries(st.sampled_from(["title", "opened", "positions", "assumptions", "rebalances", "closed", "risks", "sources", "y"]),
                          _plain, max_size=5)


@settings(max_examples=300, deadline=None)
@given(_fields, _fields)
def test_any_plain_values_compare_without_error(before, after):
    changes = diff(before, after, ON)
    assert all(isinstance(c, Change) and c.text for c in changes)
    assert diff(before, before, ON) == []
