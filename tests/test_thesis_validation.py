"""Every class of thesis-file error, with its exact message and location; hostile files are inert.

The condition language is stubbed out here (its validator always answers "no problems"), so
these tests hold whatever its messages become; one test checks that its answers are placed at
the right line and column of the file.
"""

from __future__ import annotations

import os
import subprocess
import tracemalloc
from pathlib import Path

import pytest

from tracker.thesis import ThesisFileError, load_theses, load_thesis_file, loader, parse_thesis_text

CORPUS = Path(__file__).parent / "corpus" / "theses"

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
"""
# Line numbers above, for reading the expectations below:
#  1 title  2 opened  3 benchmark  4 positions  5 - ticker NET  6 weight  7 target  8 horizon
#  9 - ticker DDOG  10 weight  11 upside  12 horizon  13 assumptions  14 - id  15 statement
# 16 falsified_if  17 checks  18 - when


@pytest.fixture(params=[p.__name__ for p in loader._PARSERS])
def parser(request, monkeypatch):
    """Run with libyaml's parser and with PyYAML's pure-Python one: the messages must not differ."""
    chosen = next(p for p in loader._PARSERS if p.__name__ == request.param)
    monkeypatch.setattr(loader, "_PARSERS", [chosen])
    return chosen


def problems(text: str) -> list[str]:
    with pytest.raises(ThesisFileError) as info:
        parse_thesis_text(text, "x.yaml", "x")
    return [str(i) for i in info.value.issues]


def with_position(extra: str) -> str:
    """OK with lines added to the first position, after its horizon (line 8)."""
    return OK.replace("    horizon: 540d\n", "    horizon: 540d\n" + extra, 1)


def with_assumption(extra: str) -> str:
    """OK with lines added to the assumption, after falsified_if (line 16)."""
    return OK.replace("    falsified_if: f\n", "    falsified_if: f\n" + extra, 1)


CASES = [
    # --- YAML syntax: at the place the parser stopped, in words that say what to do
    ("unclosed list", "title: [unclosed\nopened: 2026-06-11\n",
     ["x.yaml:2:7: YAML syntax error: the [ at line 1, column 8 is not closed with ]; put a comma between items, and text with ': ' in quotes"]),
    ("colon in plain text", OK.replace("statement: s", "statement: margins: down"),
     ["x.yaml:15:23: YAML syntax error: unexpected ': '; put text that contains a colon followed by a space in quotes, or check the indentation"]),
    ("tab indentation", OK.replace("    weight: 60%", "\tweight: 60%"),
     ["x.yaml:6:1: YAML syntax error: a tab character; indent with spaces, not tabs"]),
    ("bad indentation", OK.replace("    weight: 40%", "   weight: 40%"),
     ["x.yaml:10:4: YAML syntax error: this line does not line up with the list that starts at line 5; check its indentation"]),
    ("unclosed quote", OK.replace("statement: s", 'statement: "s'),
     ["x.yaml:15:16: YAML syntax error: this quoted text is never closed with a matching quote"]),
    ("reserved character", OK.replace("statement: s", "statement: @s"),
     ["x.yaml:15:16: YAML syntax error: '@' cannot start a value; put text that starts with it in quotes"]),
    ("two documents", OK + "---\ntitle: again\n",
     ["x.yaml:19:1: the file holds more than one YAML document (a line with ---); keep one thesis per file"]),
    # --- unknown keys: at the key, with a hint
    ("unknown key, close match", OK.replace("    target: 330\n", "    tagret: 330\n"),
     ["x.yaml:7:5: positions[0].tagret: unknown key 'tagret'; did you mean 'target'?"]),
    ("unknown key, other case", OK.replace("    target: 330\n", "    Target: 330\n"),
     ["x.yaml:7:5: positions[0].Target: unknown key 'Target'; did you mean 'target'?"]),
    ("unknown top-level key", OK + "benchmrk: SPY\n",
     ["x.yaml:19:1: benchmrk: unknown key 'benchmrk'; did you mean 'benchmark'?"]),
    ("key at the wrong level", OK.replace("benchmark: QQQ\n", "benchmark: QQQ\nweight: 5%\n"),
     ["x.yaml:4:1: weight: unknown key 'weight' here; weight belongs in a position (an item under positions:): check its indentation"]),
    ("unknown key, no match", with_assumption("    colour: red\n"),
     ["x.yaml:17:5: assumptions[0].colour: unknown key 'colour'; allowed here: checks, falsified_if, id, keywords, observations, reviews, statement"]),
    ("unknown key in a source", OK + "sources:\n  - {title: x, link: 'https://a.example'}\n",
     ["x.yaml:20:16: sources[0].link: unknown key 'link'; allowed here: title, url"]),
    ("key that looks like pydantic's", with_position("    function-before: 1\n"),
     ["x.yaml:9:5: positions[0].function-before: unknown key 'function-before'; allowed here: aliases, closed, currency, entry_price, exit_price, horizon, name, opened, rationale, target, ticker, until, upside, weight"]),
    # --- missing fields: at the mapping that lacks them
    ("missing top-level field", OK.replace("title: T\n", ""),
     ["x.yaml:1:1: title: required field 'title' is missing"]),
    ("missing position field", OK.replace("    weight: 40%\n", ""),
     ["x.yaml:9:5: positions[1].weight: required field 'weight' is missing"]),
    ("missing fields of a flow item", with_assumption("    observations:\n      - {metric: share}\n"),
     ["x.yaml:18:9: assumptions[0].observations[0].date: required field 'date' is missing",
      "x.yaml:18:9: assumptions[0].observations[0].value: required field 'value' is missing"]),
    ("no horizon", OK.replace("    horizon: 540d\n", ""),
     ["x.yaml:5:5: positions[0]: needs a horizon (like 540d) or an until date"]),
    # --- wrong types: at the value
    ("text for a percentage", OK.replace("weight: 60%", "weight: lots"),
     ["x.yaml:6:13: positions[0].weight: expected a percentage like 20% or a fraction like 0.20, got 'lots'"]),
    ("text for an optional percentage", OK.replace("upside: 25%", "upside: lots"),
     ["x.yaml:11:13: positions[1].upside: expected a percentage like 20% or a fraction like 0.20, got 'lots'"]),
    ("list for a percentage", OK.replace("upside: 25%", "upside: [25%]"),
     ["x.yaml:11:13: positions[1].upside: expected a percentage like 20% or a fraction like 0.20, got a list"]),
    ("currency sign on a price", OK.replace("target: 330", "target: $330"),
     ["x.yaml:7:13: positions[0].target: expected a number, got '$330'; write it bare, without currency signs, units or thousands separators"]),
    ("boolean for a price", OK.replace("target: 330", "target: true"),
     ["x.yaml:7:13: positions[0].target: expected a number, got true"]),
    ("nan for a price", OK.replace("target: 330", "target: .nan"),
     ["x.yaml:7:13: positions[0].target: .nan is not a usable number"]),
    ("nan text for a price", OK.replace("target: 330", "target: NaN"),
     ["x.yaml:7:13: positions[0].target: expected a number, got 'NaN'"]),
    ("overflowing float", OK.replace("target: 330", "target: 1.0e+400"),
     ["x.yaml:7:13: positions[0].target: 1.0e+400 is not a usable number"]),
    ("overflowing integer", OK.replace("weight: 60%", "weight: 1" + "0" * 400),
     ["x.yaml:6:13: positions[0].weight: 100000000000… is too large to be a usable number"]),
    ("not a list", "title: T\nopened: 2026-06-11\npositions: 3\n",
     ["x.yaml:3:12: positions: expected a list (items on lines starting with `- `, or [a, b]), got 3"]),
    ("empty value for a list", "title: T\nopened: 2026-06-11\npositions:\n",
     ["x.yaml:3:11: positions: has no value; expected a list (items on lines starting with `- `, or [a, b])"]),
    ("no positions", "title: T\nopened: 2026-06-11\npositions: []\n",
     ["x.yaml:3:12: positions: needs at least one item"]),
    ("text for a position", "title: T\nopened: 2026-06-11\npositions:\n  - NET\n",
     ["x.yaml:4:5: positions[0]: expected a mapping of fields (`key: value` lines), got 'NET'"]),
    ("list for a source", OK + "sources:\n  - [a, b]\n",
     ["x.yaml:20:5: sources[0]: expected a title as text, or a mapping like {title: ..., url: https://...}, got a list"]),
    ("boolean for text", OK.replace("statement: s", "statement: true"),
     ["x.yaml:15:16: assumptions[0].statement: expected text, got true; put it in quotes to mean the word"]),
    ("empty text", OK.replace("title: T", "title: ''"),
     ["x.yaml:1:8: title: must not be empty"]),
    ("empty condition", OK.replace("when: return(NET) < -30%", "when: ' '"),
     ["x.yaml:18:15: assumptions[0].checks[0].when: must not be empty"]),
    ("empty value for text", OK.replace("title: T", "title:"),
     ["x.yaml:1:7: title: has no value; expected text"]),
    ("bad ticker", OK.replace("ticker: NET", "ticker: 'N E T'"),
     ["x.yaml:5:13: positions[0].ticker: 'N E T' is not a Yahoo ticker symbol (capital letters, digits, . - = and a leading ^)"]),
    ("lower-case ticker", OK.replace("ticker: NET", "ticker: net"),
     ["x.yaml:5:13: positions[0].ticker: 'net': write ticker symbols in capitals, NET"]),
    ("bad currency", OK.replace("benchmark: QQQ", "currency: usd"),
     ["x.yaml:3:11: currency: 'usd' is not valid here: expected a three-letter currency code like USD"]),
    ("bad severity", OK.replace("      - when: return(NET) < -30%\n", "      - when: return(NET) < -30%\n        then: maybe\n"),
     ["x.yaml:19:15: assumptions[0].checks[0].then: expected one of 'at_risk' or 'falsified', got 'maybe'"]),
    ("bad id", OK.replace("title: T\n", "title: T\nid: Bad Id\n"),
     ["x.yaml:2:5: id: 'Bad Id' is not valid here: expected an id of lower-case letters, digits, - and _ (like cheap-inference)"]),
    ("unsafe source link", OK + "sources:\n  - {title: x, url: 'javascript:alert(1)'}\n",
     ["x.yaml:20:21: sources[0].url: 'javascript:alert(1)' is not valid here: expected an http:// or https:// link"]),
    ("explicit boolean tag", OK.replace("title: T", "title: !!bool yes"),
     ["x.yaml:1:8: title: 'yes' is not true or false"]),
    # --- cross-field rules
    ("duplicate ticker", OK.replace("ticker: DDOG", "ticker: NET"),
     ["x.yaml:9:13: positions[1].ticker: duplicate ticker NET, also positions[0]"]),
    ("duplicate assumption id", OK + "  - id: a1\n    statement: s\n    falsified_if: f\n",
     ["x.yaml:19:9: assumptions[1].id: duplicate assumption id 'a1', also assumptions[0]"]),
    ("weights over 100%", OK.replace("weight: 40%", "weight: 52%"),
     ["x.yaml:10:13: positions[1].weight: weights sum to 112%, expected 100%"]),
    ("weights under 100%", OK.replace("weight: 40%", "weight: 39.4%"),
     ["x.yaml:10:13: positions[1].weight: weights sum to 99.4%, expected 100%"]),
    ("weights just outside the tolerance", OK.replace("weight: 40%", "weight: 40.51%"),
     ["x.yaml:10:13: positions[1].weight: weights sum to 100.51%, expected 100%"]),
    ("weights as fractions", OK.replace("weight: 60%", "weight: 0.7").replace("weight: 40%", "weight: 0.4"),
     ["x.yaml:10:13: positions[1].weight: weights sum to 110%, expected 100%"]),
    ("weights as plain percentages", OK.replace("weight: 60%", "weight: 60").replace("weight: 40%", "weight: 40"),
     ["x.yaml:6:13: positions[0].weight: weight reads as 6000%, more than the whole portfolio; if you mean 60 percent, write 60% or 0.6",
      "x.yaml:10:13: positions[1].weight: weight reads as 4000%, more than the whole portfolio; if you mean 40 percent, write 40% or 0.4"]),
    ("zero weight", OK.replace("weight: 60%", "weight: 0%"),
     ["x.yaml:6:13: positions[0].weight: weight must be positive, got 0%"]),
    ("target with upside", with_position("    upside: 10%\n"),
     ["x.yaml:9:13: positions[0].upside: give either target or upside, not both"]),
    ("negative target", OK.replace("target: 330", "target: -5"),
     ["x.yaml:7:13: positions[0].target: target must be a positive price, got -5"]),
    ("zero target", OK.replace("target: 330", "target: 0"),
     ["x.yaml:7:13: positions[0].target: target must be a positive price, got 0"]),
    ("upside of -100%", OK.replace("upside: 25%", "upside: -100%"),
     ["x.yaml:11:13: positions[1].upside: upside must be above -100%, got -100%"]),
    ("non-positive entry price", with_position("    entry_price: 0\n"),
     ["x.yaml:9:18: positions[0].entry_price: entry_price must be a positive price, got 0"]),
    ("zero horizon", OK.replace("horizon: 540d", "horizon: 0d"),
     ["x.yaml:8:14: positions[0].horizon: horizon must be positive, got 0d"]),
    ("negative horizon", OK.replace("horizon: 540d", "horizon: -30"),
     ["x.yaml:8:14: positions[0].horizon: horizon must be positive, got -30d"]),
    ("horizon past year 9999", OK.replace("horizon: 540d", "horizon: 8000y"),
     ["x.yaml:8:14: positions[0].horizon: 8000y is longer than 100 years"]),
    ("bad horizon", OK.replace("horizon: 540d", "horizon: soon"),
     ["x.yaml:8:14: positions[0].horizon: expected a duration like 540d, 6w, 18m or 2y, got 'soon'"]),
    ("horizon and until", with_position("    until: 2027-06-11\n"),
     ["x.yaml:9:12: positions[0].until: give either horizon or until, not both"]),
    ("until before opening", OK.replace("horizon: 540d", "until: 2026-01-01"),
     ["x.yaml:8:12: positions[0].until: until 2026-01-01 is not after opened 2026-06-11"]),
    ("observation twice on a day", with_assumption(
        "    observations:\n      - {metric: share, date: 2026-10-29, value: 35%}\n      - {metric: share, date: 2026-10-29, value: 36%}\n"),
     ["x.yaml:19:31: assumptions[0].observations[1].date: share already has a value on 2026-10-29, at assumptions[0].observations[0]"]),
    ("two reviews on a day", with_assumption(
        "    reviews:\n      - {date: 2026-11-01, status: intact}\n      - {date: 2026-11-01, status: at_risk}\n"),
     ["x.yaml:19:16: assumptions[0].reviews[1].date: another review of this assumption has the same date, reviews[0]; the latest review counts, so keep one per day"]),
    ("unsupported feed scheme", OK + "feeds: ['ftp://example.com/feed.xml']\n",
     ["x.yaml:19:9: feeds[0]: ftp:// feeds are not supported; use http://, https://, file:// or a path"]),
    # --- dates
    ("impossible date", OK.replace("opened: 2026-06-11", "opened: 2026-02-30"),
     ["x.yaml:2:9: opened: 2026-02-30 is not a real date (day is out of range for month)"]),
    ("not ISO", OK.replace("opened: 2026-06-11", "opened: 06/11/2026"),
     ["x.yaml:2:9: opened: expected a date like 2026-06-11 (year-month-day), got '06/11/2026'"]),
    ("number for a date", OK.replace("opened: 2026-06-11", "opened: 20260611"),
     ["x.yaml:2:9: opened: expected a date like 2026-06-11 (year-month-day), got 20260611"]),
    ("datetime", OK.replace("opened: 2026-06-11", "opened: 2026-06-11T10:00:00"),
     ["x.yaml:2:9: opened: expected a date like 2026-06-11 (year-month-day), got a date and time '2026-06-11T10:00:00'; drop the time"]),
    ("datetime with a space", OK.replace("horizon: 540d", "until: 2027-06-11 10:00"),
     ["x.yaml:8:12: positions[0].until: expected a date like 2026-06-11 (year-month-day), got a date and time '2027-06-11 10:00'; drop the time"]),
    # --- the shape of the document
    ("empty file", "", ["x.yaml:1:1: file is empty; a thesis needs at least title, opened and positions"]),
    ("only comments", "# nothing\n", ["x.yaml:1:1: file is empty; a thesis needs at least title, opened and positions"]),
    ("list document", "- a\n- b\n", ["x.yaml:1:1: expected a mapping of thesis fields at the top level, got a list"]),
    ("scalar document", "just text\n", ["x.yaml:1:1: expected a mapping of thesis fields at the top level, got a single value"]),
    ("duplicate key", OK.replace("benchmark: QQQ\n", "benchmark: QQQ\nbenchmark: SPY\n"),
     ["x.yaml:4:1: benchmark: duplicate key 'benchmark'; each field may appear once"]),
    ("duplicate key in a flow mapping", OK + "sources:\n  - {title: a, title: b}\n",
     ["x.yaml:20:16: sources[0].title: duplicate key 'title'; each field may appear once"]),
    ("control character", OK.replace("statement: s", "statement: s\x07"),
     ["x.yaml:15:17: character U+0007 is not allowed in a YAML file; remove it"]),
    ("merge key", OK.replace("    target: 330\n", "    <<: {target: 330}\n"),
     ["x.yaml:7:5: positions[0]: YAML merge keys (<<) are not supported; write the fields out"]),
    ("object-building tag", OK.replace("title: T", "title: !!python/object/apply:os.system [echo]"),
     ["x.yaml:1:8: title: YAML tag !!python/object/apply:os.system is not allowed in thesis files; remove it"]),
    ("alias to nothing", OK.replace("benchmark: QQQ", "benchmark: *b"),
     ["x.yaml:3:12: benchmark: alias *b refers to no anchor &b written before it"]),
    ("recursive alias", OK + "risks: &r [a, *r]\n",
     ["x.yaml:19:15: risks[1]: this alias refers to a list or mapping that contains it (a recursive alias)"]),
    ("too deep", OK + "summary: " + "[" * 41 + "]" * 41 + "\n",
     ["x.yaml:19:49: summary[0][0][0][0][0][0]…: lists and mappings are nested more than 40 levels deep"]),
]


@pytest.mark.parametrize("name, text, expected", CASES, ids=[c[0] for c in CASES])
def test_error_classes(name, text, expected, parser):
    assert problems(text) == expected


@pytest.mark.parametrize(
    "loc, kind, path",
    [
        # segments pydantic adds for validators and union members are no field of the file
        (("sources", 0, "function-before[_source(), model[Source]]", "title"), "string_too_short", ("sources", 0, "title")),
        (("positions", 0, "upside", "nullable[function-before[_percent(), float]]"), "value_error", ("positions", 0, "upside")),
        (("positions", 0, "name", "str"), "string_type", ("positions", 0, "name")),
        (("risks", 0, "int"), "int_type", ("risks", 0)),
        # keys the user wrote stay, even when they look like pydantic's
        (("positions", 0, "function-before"), "extra_forbidden", ("positions", 0, "function-before")),
        (("sources", 1, "str"), "extra_forbidden", ("sources", 1, "str")),
        # a missing field is not in the data, but is named
        (("positions", 0, "weight"), "missing", ("positions", 0, "weight")),
        (("positions", 7, "weight"), "missing", ("positions",)),
    ],
)
def test_pydantic_locations_are_cleaned_by_following_the_data(loc, kind, path):
    data = {
        "sources": [{"title": ""}, {"title": "t", "str": 1}],
        "positions": [{"ticker": "NET", "upside": "x", "name": 5, "function-before": 1}],
        "risks": [3],
    }
    assert loader._clean_loc(loc, data, kind) == path


def test_the_base_document_is_valid(parser):
    t = parse_thesis_text(OK, "x.yaml", "x")
    assert t.id == "x" and t.positions[0].weight == 0.6 and t.positions[1].upside == 0.25
    assert str(t.positions[1].horizon) == "18m" and t.horizon_date(t.positions[1]).isoformat() == "2027-12-11"


@pytest.mark.parametrize(
    "change, field, value",
    [
        (("weight: 40%", "weight: 40.5%"), "weight", 0.405),  # 100.5%: inside ±0.5% despite binary floats
        (("weight: 40%", "weight: 39.5%"), "weight", 0.395),
        (("target: 330", "target: '330'"), "target", 330.0),
        (("title: T", "title: 1984"), "title", "1984"),  # a number where text is expected is text
        (("ticker: NET", "ticker: 0700"), "ticker", "0700"),  # YAML 1.1 octal stays the text it is
        (("horizon: 540d", "horizon: 540"), "horizon", "540d"),
    ],
)
def test_accepted_notations(change, field, value):
    t = parse_thesis_text(OK.replace(*change).replace("return(NET)", "return(DDOG)"), "x.yaml", "x")
    got = getattr(t, field) if field == "title" else getattr(t.positions[0] if field != "weight" else t.positions[1], field)
    assert (str(got) if field == "horizon" else got) == value


@pytest.mark.parametrize("word", ["ON", "NO", "Y", "YES", "OFF"])
def test_yaml_11_booleans_stay_strings(word):
    t = parse_thesis_text(OK.replace("ticker: NET", f"ticker: {word}").replace("statement: s", f"statement: {word.lower()}"))
    assert t.positions[0].ticker == word and t.assumptions[0].statement == word.lower()


def test_every_issue_of_a_file_is_reported_in_file_order():
    text = OK.replace("ticker: DDOG", "ticker: NET").replace("target: 330", "target: -1")
    assert [i.split(": ")[0] for i in problems(text)] == ["x.yaml:7:13", "x.yaml:9:13"]


def test_an_alias_is_located_where_it_is_used():
    text = OK.replace("opened: 2026-06-11", "opened: &d 2026-06-11").replace("horizon: 18m", "horizon: 18m\n    until: *d")
    assert problems(text) == [
        "x.yaml:13:12: positions[1].until: give either horizon or until, not both",
        "x.yaml:13:12: positions[1].until: until 2026-06-11 is not after opened 2026-06-11",
    ]


def test_issue_string_form_and_fields():
    with pytest.raises(ThesisFileError) as info:
        parse_thesis_text(OK.replace("weight: 40%", "weight: 52%"), "theses/x.yaml", "x")
    (issue,) = info.value.issues
    assert (issue.file, issue.line, issue.column, issue.path) == ("theses/x.yaml", 10, 13, "positions[1].weight")
    assert str(issue) == "theses/x.yaml:10:13: positions[1].weight: weights sum to 112%, expected 100%"
    assert issue.as_dict()["message"] == "weights sum to 112%, expected 100%"
    assert str(info.value) == str(issue)


def test_id_defaults_to_the_file_name_and_must_be_valid():
    assert parse_thesis_text(OK, "theses/My-Thesis.yaml").id == "my-thesis"
    with pytest.raises(ThesisFileError) as info:
        parse_thesis_text(OK, "theses/my thesis.yaml")
    assert [str(i) for i in info.value.issues] == [
        "theses/my thesis.yaml:1:1: id: the file name gives the id 'my thesis', which is not a valid id; add a line like `id: some-name`"
    ]


# --- the condition language's answers, placed in the file ---------------------------------------

CHECK_PLACES = [
    ("plain", "      - when: return(NET) < -30%\n", 4, "18:18"),
    ("double-quoted", '      - when: "return(NET) < -30%"\n', 4, "18:19"),
    ("leading spaces inside quotes", "      - when: '  return(NET) < -30%'\n", 4, "18:21"),
    ("escapes before the column", '      - when: "news(\\"x\\", 30d) > 1"\n', 7, "18:23"),
    ("single quotes doubled", "      - when: 'news(''x'') > 1'\n", 11, "18:28"),
    ("folded over two lines", "      - when: >-\n          return(NET) < -30%\n          and return(DDOG) < -30%\n", 24, "20:15"),
    ("plain over two lines", "      - when: return(NET) < -30%\n          and return(DDOG) < -30%\n", 24, "19:15"),
    ("column just past the end", "      - when: return(NET) <\n", 14, "18:28"),
]


@pytest.mark.parametrize("name, line, column, where", CHECK_PLACES, ids=[c[0] for c in CHECK_PLACES])
def test_condition_problems_are_placed_at_their_file_column(name, line, column, where):
    """A rule passed in reports a column inside a `when:` value; the loader maps it into the file."""
    seen = []

    def rule(thesis):
        seen.extend(c.when for a in thesis.assumptions for c in a.checks)
        return [(("assumptions", 0, "checks", 0, "when"), "made-up problem", column)]

    text = OK.replace("      - when: return(NET) < -30%\n", line)
    with pytest.raises(ThesisFileError) as info:
        parse_thesis_text(text, "x.yaml", "x", extra_rules=[rule])
    assert [str(i) for i in info.value.issues] == [f"x.yaml:{where}: assumptions[0].checks[0].when: made-up problem"]
    (expression,) = seen
    assert expression == expression.strip()


def test_condition_problem_through_an_alias_points_at_the_alias():
    def rule(thesis):
        return [(("assumptions", 0, "checks", i, "when"), "made-up problem", 3) for i in range(len(thesis.assumptions[0].checks))]

    text = OK.replace("      - when: return(NET) < -30%\n", "      - when: &w return(NET) < 0\n      - when: *w\n")
    with pytest.raises(ThesisFileError) as info:
        parse_thesis_text(text, "x.yaml", "x", extra_rules=[rule])
    assert [str(i) for i in info.value.issues] == [
        "x.yaml:18:20: assumptions[0].checks[0].when: made-up problem",
        "x.yaml:19:15: assumptions[0].checks[1].when: made-up problem",
    ]


# --- files: bytes, size, folders --------------------------------------------------------------


def test_non_utf8_bytes_are_located_in_characters(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: Café ".encode() + b"\xe9\nopened: 2026-06-11\n")
    with pytest.raises(ThesisFileError) as info:
        load_thesis_file(path, "latin.yaml")
    assert [str(i) for i in info.value.issues] == ["latin.yaml:1:13: file is not UTF-8 text (byte 0xe9); save it as UTF-8"]


def test_a_utf8_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + OK.encode())
    assert load_thesis_file(path).title == "T"


def test_oversized_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"title: x\n" + b"# padding\n" * 200_000)
    with pytest.raises(ThesisFileError) as info:
        load_thesis_file(path, "big.yaml")
    assert [str(i) for i in info.value.issues] == ["big.yaml:1:1: file is larger than 1000 kB; a thesis file should be small"]


def test_a_file_just_under_the_limit_is_read(tmp_path):
    path = tmp_path / "padded.yaml"
    path.write_bytes(OK.encode() + b"#" * (loader.MAX_FILE_BYTES - len(OK.encode())))
    assert load_thesis_file(path).title == "T"


@pytest.mark.parametrize("make", ["missing", "folder"])
def test_unreadable_paths_are_thesis_errors(tmp_path, make):
    path = tmp_path / "x.yaml"
    if make == "folder":
        path.mkdir()
    with pytest.raises(ThesisFileError) as info:
        load_thesis_file(path, "x.yaml")
    assert str(info.value).startswith("x.yaml:1:1: cannot read file: ")


def test_folder_loads_good_files_and_reports_bad_ones(tmp_path):
    (tmp_path / "good.yaml").write_text(OK)
    (tmp_path / "also-good.yml").write_text(OK.replace("title: T", "title: U"))
    (tmp_path / "bad.yml").write_text(OK.replace("weight: 40%", "weight: 52%"))
    (tmp_path / "broken.yaml").write_text("title: [\n")
    (tmp_path / "notes.md").write_text("ignored")
    (tmp_path / "._good.yaml").write_bytes(b"\x00\x05\x16\x07 macOS resource fork")
    (tmp_path / "sub.yaml").mkdir()
    result = load_theses(tmp_path)
    assert sorted(t.id for t in result.theses) == ["also-good", "good"]
    assert set(result.paths) == {"also-good", "good"} and result.paths["good"] == tmp_path / "good.yaml"
    bad = {Path(f.path).name: [i.message for i in f.issues] for f in result.invalid}
    assert set(bad) == {"bad.yml", "broken.yaml"}
    assert bad["bad.yml"] == ["weights sum to 112%, expected 100%"]
    assert [Path(i.file).name for i in result.issues] == ["bad.yml", "broken.yaml"]


def test_duplicate_thesis_ids_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text(OK.replace("title: T\n", "title: T\nid: shared\n"))
    (tmp_path / "b.yaml").write_text(OK.replace("title: T\n", "title: T\nid: shared\n"))
    (tmp_path / "shared.yaml").write_text(OK)  # id from the file name
    result = load_theses([tmp_path])
    assert [t.id for t in result.theses] == ["shared"] and result.paths["shared"] == tmp_path / "a.yaml"
    issues = [(Path(i.file).name, i.line, i.column, i.path, i.message.replace(str(tmp_path) + os.sep, "")) for i in result.issues]
    assert issues == [
        ("b.yaml", 2, 5, "id", "thesis id 'shared' is already used by a.yaml"),
        ("shared.yaml", 1, 1, "id", "thesis id 'shared' is already used by a.yaml"),
    ]


def test_files_are_given_in_any_mix_of_files_and_folders(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "a.yaml").write_text(OK)
    (tmp_path / "b.yaml").write_text(OK.replace("title: T", "title: B"))
    result = load_theses([tmp_path / "one", tmp_path / "b.yaml"])
    assert [t.id for t in result.theses] == ["a", "b"] and not result.invalid


# --- hostile files ------------------------------------------------------------------------------


def _corpus_rows() -> list[list[str]]:
    lines = (CORPUS / "expected.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def test_every_corpus_file_has_a_documented_expectation():
    documented = [row[0] for row in _corpus_rows()]
    assert sorted(documented) == sorted(p.name for p in CORPUS.glob("*.yaml"))
    assert all(len(row) == 5 and row[4].strip() for row in _corpus_rows()), "each row: file, line:col, path, message, why"


@pytest.mark.parametrize("name, where, path, message, why", _corpus_rows(), ids=[r[0] for r in _corpus_rows()])
def test_hostile_corpus(name, where, path, message, why):
    with pytest.raises(ThesisFileError) as info:
        load_thesis_file(CORPUS / name, name)
    issue = info.value.issues[0]
    assert (f"{issue.line}:{issue.column}", issue.path, issue.message) == (where, path, message)


def test_object_building_tags_never_run_anything(tmp_path, monkeypatch):
    """Each tag below would run `touch MARKER` (or import, or call) under an unsafe loader."""
    calls = []
    monkeypatch.setattr(os, "system", lambda *a, **k: calls.append(("os.system", a)))
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: calls.append(("Popen", a)))
    marker = tmp_path / "marker"
    hostile = [p for p in CORPUS.glob("*.yaml") if "python" in p.name or "tag" in p.name]
    assert len(hostile) >= 7
    for source in hostile:
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes().replace(b"MARKER", str(marker).encode()))
        with pytest.raises(ThesisFileError) as info:
            load_thesis_file(copy)
        assert "is not allowed in thesis files" in info.value.issues[0].message
    assert not marker.exists() and calls == []


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("name", ["billion-laughs.yaml", "alias-fanout.yaml"])
def test_alias_bombs_are_bounded_in_memory(name):
    def load():
        with pytest.raises(ThesisFileError, match="aliases expand the file to more than 50,000 values"):
            load_thesis_file(CORPUS / name)

    # Fully expanded, the billion laughs would hold 387 million strings: gigabytes.
    assert _peak_bytes(load) < 40_000_000


def test_a_huge_flat_list_stops_while_parsing(tmp_path):
    path = tmp_path / "wide.yaml"
    path.write_text("title: wide\nrisks: [" + "a," * 300_000 + "a]\n")  # 600 kB, 300,001 values

    def load():
        with pytest.raises(ThesisFileError, match="more than 50,000 values"):
            load_thesis_file(path)

    assert _peak_bytes(load) < 60_000_000


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_deep_nesting_is_an_error_not_a_recursion_error(opener, parser):
    with pytest.raises(ThesisFileError, match="nested more than 40 levels deep"):
        parse_thesis_text("title: x\nsummary: " + opener * 20_000 + "\n")


def test_loader_limits_are_what_the_docs_say():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "thesis-format.md").read_text()
    assert loader.MAX_FILE_BYTES == 1_000_000 and "1 MB" in docs
    assert loader.MAX_VALUES == loader.MAX_NODES == 50_000 and "50,000 values" in docs
    assert loader.MAX_DEPTH == 40 and "40 levels" in docs
