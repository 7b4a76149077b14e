"""Every class of thesis-file error, with its message and exact location; hostile files are inert."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.thesis import ThesisFileError, load_theses, load_thesis_file, parse_thesis_text
from tracker.thesis import loader

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


def problems(text: str) -> list[str]:
    with pytest.raises(ThesisFileError) as info:
        parse_thesis_text(text, "x.yaml", "x")
    return [str(i) for i in info.value.issues]


CASES = [
    ("syntax error", "title: [unclosed\nopened: 2026-06-11\n", ["x.yaml:2:7: YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence)"]),
    ("unknown key with hint", OK.replace("    target: 330\n", "    tagret: 330\n"), ["x.yaml:7:5: positions[0].tagret: unknown key 'tagret'; did you mean 'target'?"]),
    ("unknown top-level key", OK + "benchmrk: SPY\n", ["x.yaml:19:1: benchmrk: unknown key 'benchmrk'; did you mean 'benchmark'?"]),
    ("wrong type", OK.replace("weight: 60%", "weight: lots"), ["x.yaml:6:13: positions[0].weight: expected a percentage like 20% or a fraction like 0.20, got 'lots'"]),
    ("not a list", "title: T\nopened: 2026-06-11\npositions: 3\n", ["x.yaml:3:12: positions: expected a list (items on lines starting with `- `, or [a, b])"]),
    ("no positions", "title: T\nopened: 2026-06-11\npositions: []\n", ["x.yaml:3:12: positions: needs at least one item"]),
    ("duplicate ticker", OK.replace("ticker: DDOG", "ticker: NET"), ["x.yaml:9:13: positions[1].ticker: duplicate ticker NET, also positions[0]"]),
    ("duplicate assumption", OK + "  - id: a1\n    statement: s\n    falsified_if: f\n", ["x.yaml:19:9: assumptions[1].id: duplicate assumption id 'a1', also assumptions[0]"]),
    ("weights off", OK.replace("weight: 40%", "weight: 52%"), ["x.yaml:10:13: positions[1].weight: weights sum to 112%, expected 100%"]),
    ("target and upside", OK.replace("    target: 330\n", "    target: 330\n    upside: 10%\n"), ["x.yaml:8:13: positions[0].upside: give either target or upside, not both"]),
    ("negative target", OK.replace("target: 330", "target: -5"), ["x.yaml:7:13: positions[0].target: target must be a positive price, got -5"]),
    ("zero horizon", OK.replace("horizon: 540d", "horizon: 0d"), ["x.yaml:8:14: positions[0].horizon: horizon must be positive, got 0d"]),
    ("bad horizon", OK.replace("horizon: 540d", "horizon: soon"), ["x.yaml:8:14: positions[0].horizon: expected a duration like 540d, 18m or 2y, got 'soon'"]),
    ("no horizon", OK.replace("    horizon: 540d\n", ""), ["x.yaml:5:5: positions[0]: needs a horizon (like 540d) or an until date"]),
    ("impossible date", OK.replace("opened: 2026-06-11", "opened: 2026-02-30"), ["x.yaml:2:9: opened: '2026-02-30' is not a real date (day is out of range for month)"]),
    ("non-ISO date", OK.replace("opened: 2026-06-11", "opened: 06/11/2026"), ["x.yaml:2:9: opened: expected a date like 2026-06-11, got '06/11/2026'"]),
    ("datetime", OK.replace("opened: 2026-06-11", "opened: 2026-06-11T10:00:00"), ["x.yaml:2:9: opened: expected a date like 2026-06-11, got '2026-06-11T10:00:00'"]),
    ("until before opening", OK.replace("horizon: 540d", "until: 2026-01-01"), ["x.yaml:8:12: positions[0].until: until 2026-01-01 is not after opened 2026-06-11"]),
    ("empty file", "", ["x.yaml:1:1: file is empty; a thesis needs at least title, opened and positions"]),
    ("only comments", "# nothing\n", ["x.yaml:1:1: file is empty; a thesis needs at least title, opened and positions"]),
    ("list document", "- a\n- b\n", ["x.yaml:1:1: expected a mapping of thesis fields at the top level, got a list"]),
    ("scalar document", "just text\n", ["x.yaml:1:1: expected a mapping of thesis fields at the top level, got a single value"]),
    ("missing field", OK.replace("title: T\n", ""), ["x.yaml:1:1: title: required field is missing"]),
    ("duplicate key", OK.replace("benchmark: QQQ\n", "benchmark: QQQ\nbenchmark: SPY\n"), ["x.yaml:4:1: benchmark: duplicate key 'benchmark'"]),
    ("bad ticker", OK.replace("ticker: NET", "ticker: 'N E T'"), ["x.yaml:5:13: positions[0].ticker: 'N E T' is not a Yahoo ticker symbol (letters, digits, . - = and a leading ^)"]),
    ("plain-number weights", OK.replace("weight: 60%", "weight: 60").replace("weight: 40%", "weight: 40"),
     ["x.yaml:6:13: positions[0].weight: 60 reads as 6000%; write 60% or 0.6", "x.yaml:10:13: positions[1].weight: 40 reads as 4000%; write 40% or 0.4"]),
    ("unsafe source URL", OK + "sources:\n  - {title: x, url: 'javascript:alert(1)'}\n", ["x.yaml:20:21: sources[0].url: 'javascript:alert(1)' is not valid here: expected an http:// or https:// URL"]),
    ("bad severity", OK.replace("      - when: return(NET) < -30%\n", "      - when: return(NET) < -30%\n        then: maybe\n"), ["x.yaml:19:15: assumptions[0].checks[0].then: expected one of 'at_risk' or 'falsified', got 'maybe'"]),
    ("explicit bad id", OK.replace("title: T\n", "title: T\nid: Bad Id\n"), ["x.yaml:2:5: id: 'Bad Id' is not valid here: expected an id of lower-case letters, digits, - and _ (like cheap-inference)"]),
    ("check: unknown function", OK.replace("return(NET) < -30%", "retrun(NET) < -30%"), ["x.yaml:18:15: assumptions[0].checks[0].when: unknown function `retrun`; did you mean `return`?"]),
    ("check: foreign ticker", OK.replace("return(NET) < -30%", "return(AAPL) < -30%"), ["x.yaml:18:22: assumptions[0].checks[0].when: `AAPL` is not a ticker of this thesis (its tickers: DDOG, NET, QQQ)"]),
]


@pytest.mark.parametrize("name, text, expected", CASES, ids=[c[0] for c in CASES])
def test_error_classes(name, text, expected):
    assert problems(text) == expected


def test_valid_file_parses_into_typed_values():
    t = parse_thesis_text(OK, "x.yaml", "x")
    assert t.id == "x" and t.positions[0].weight == 0.6 and t.positions[1].upside == 0.25
    assert str(t.positions[1].horizon) == "18m" and t.horizon_date(t.positions[1]).isoformat() == "2027-12-11"


def test_yaml_11_booleans_stay_strings():
    t = parse_thesis_text(OK.replace("ticker: NET", "ticker: ON").replace("return(NET)", "return(ON)").replace("ticker: DDOG", "ticker: NO"), "x.yaml", "x")
    assert [p.ticker for p in t.positions] == ["ON", "NO"]


def test_check_errors_map_to_file_columns(monkeypatch):
    import tracker.conditions as conditions

    monkeypatch.setattr(conditions, "validate_when", lambda text, tickers, **kw: [(4, "made-up problem")])
    quoted = OK.replace("      - when: return(NET) < -30%", '      - when: "return(NET) < -30%"')
    assert problems(quoted) == ["x.yaml:18:19: assumptions[0].checks[0].when: made-up problem"]  # value at 15, +1 quote, +3


def test_non_utf8_bytes_are_located(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"title: caf\xe9\nopened: 2026-06-11\n")
    with pytest.raises(ThesisFileError) as info:
        load_thesis_file(path, "latin.yaml")
    assert [str(i) for i in info.value.issues] == ["latin.yaml:1:11: file is not UTF-8 text (byte 0xe9); save it as UTF-8"]


def test_oversized_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"title: x\n" + b"# padding\n" * 200_000)
    with pytest.raises(ThesisFileError) as info:
        load_thesis_file(path, "big.yaml")
    assert str(info.value.issues[0]) == "big.yaml:1:1: file is larger than 1000 kB; a thesis file should be small"


def _expected_corpus() -> list[tuple[str, str, str, str]]:
    return [tuple(line.split("\t")) for line in (CORPUS / "expected.tsv").read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("name, where, path, message", _expected_corpus())
def test_hostile_corpus(name, where, path, message):
    with pytest.raises(ThesisFileError) as info:
        load_thesis_file(CORPUS / name, name)
    issue = info.value.issues[0]
    assert (f"{issue.line}:{issue.column}", issue.path, issue.message) == (where, path, message)


def test_tags_never_execute_anything():
    marker = Path("/tmp/thesis-tracker-pwned")
    marker.unlink(missing_ok=True)
    load_theses(CORPUS)
    assert not marker.exists()


def test_alias_bomb_is_bounded_in_memory():
    tracemalloc.start()
    with pytest.raises(ThesisFileError):
        load_thesis_file(CORPUS / "billion-laughs.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50_000_000  # a fully expanded bomb would need gigabytes


def test_folder_loads_good_files_and_reports_bad_ones(tmp_path):
    (tmp_path / "good.yaml").write_text(OK)
    (tmp_path / "bad.yml").write_text(OK.replace("weight: 40%", "weight: 52%"))
    (tmp_path / "z-dupe.yaml").write_text(OK.replace("title: T\n", "title: T\nid: good\n"))
    (tmp_path / "notes.md").write_text("ignored")
    result = load_theses(tmp_path)
    assert [t.id for t in result.theses] == ["good"]
    bad = {Path(f.path).name: [i.message for i in f.issues] for f in result.invalid}
    assert bad["bad.yml"] == ["weights sum to 112%, expected 100%"]
    assert bad["z-dupe.yaml"][0].startswith("thesis id 'good' is already used by")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_only_ever_raise_thesis_errors(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "f.yaml"
    path.write_bytes(data)
    try:
        load_thesis_file(path)
    except ThesisFileError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abtilepo:-[]{}&*!|>'\"#%\n 0123456789.")), max_size=200))
def test_random_yaml_text_only_ever_raises_thesis_errors(text):
    try:
        parse_thesis_text(text, "f.yaml", "f")
    except ThesisFileError:
        pass


def test_loader_limits_are_what_the_docs_say():
    assert loader.MAX_FILE_BYTES == 1_000_000 and loader.MAX_NODES == 50_000
