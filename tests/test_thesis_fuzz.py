"""Whatever the bytes, loading a thesis file ends in a Thesis or a ThesisFileError, located in the file."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.thesis import Thesis, ThesisFileError, load_thesis_file, parse_thesis_text

BASE = """title: T
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
    keywords: [x]
    checks:
      - when: return(NET) < -30%
    observations:
      - {metric: m, date: 2026-10-29, value: 35%}
    reviews:
      - {date: 2026-11-01, status: intact}
sources:
  - {title: a, url: 'https://example.com'}
"""
VALUE_LINES = [i for i, line in enumerate(BASE.splitlines()) if ": " in line]

# Words of pydantic's and PyYAML's own messages: an investor should never have to read them.
JARGON = ("Input should", "instance of", "Value error", "dictionary", "pydantic", "<unicode string>", "Traceback", "type=")

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def outcome(text: str) -> Thesis | ThesisFileError:
    """Parse, and check that every issue lies inside the text (1-based lines and columns)."""
    try:
        return parse_thesis_text(text, "f.yaml", "f")
    except ThesisFileError as exc:
        lines = text.split("\n")
        assert exc.issues
        for issue in exc.issues:
            assert issue.file == "f.yaml" and issue.message
            assert not any(word in issue.message for word in JARGON), issue
            assert 1 <= issue.line <= len(lines), (issue, len(lines))
            assert 1 <= issue.column <= len(lines[issue.line - 1]) + 1, (issue, lines[issue.line - 1])
        return exc


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(tmp_path, data):
    path = tmp_path / "f.yaml"
    path.write_bytes(data)
    try:
        load_thesis_file(path)
    except ThesisFileError as exc:
        assert exc.issues


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("abtilepo:-[]{}&*!|>'\"#%@`,?~\t\n 0123456789.<=\\")), max_size=200))
def test_random_yaml_text(text):
    outcome(text)


YAML_SCALARS = st.one_of(
    st.sampled_from(
        [
            "~", "null", "true", "ON", "no", "yes", ".nan", ".inf", "-.inf", "0x1F", "0o17", "0123", "1_000", "1:30",
            "1e400", "1.0e+400", "9" * 30, "-0", "2026-02-30", "2026-06-11T10:00:00Z", "''", '""', "[]", "{}",
            "&a x", "*a", "!!str 5", "!!int x", "!!float 1", "!!bool maybe", "!!null x", "!!binary aGk=", "!!set {a}",
            "!!python/object/apply:os.system [x]", "!custom x", "|\n  block", ">-\n  folded", "'quoted'", '"esc\\u00e9"',
            "[a, [b, {c: d}]]", "{a: 1, b: [2]}", "{<<: {a: 1}}", "20%", "-100%", "1e3", "$5", "540d", "18m", "-3d",
        ]
    ),
    st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@FUZZ
@given(st.sampled_from(VALUE_LINES), YAML_SCALARS)
def test_any_value_in_any_field(index, value):
    """A well-formed thesis with one value replaced by something odd: a clean answer, never a traceback."""
    lines = BASE.splitlines()
    key, _, _ = lines[index].partition(": ")
    lines[index] = f"{key}: {value}"
    result = outcome("\n".join(lines) + "\n")
    if isinstance(result, Thesis):
        assert result.positions and abs(sum(p.weight for p in result.positions) - 1) <= 0.005 + 1e-9


@FUZZ
@given(st.sampled_from(range(len(BASE))), st.sampled_from(["", "\n", " ", "\t", ":", "- ", "  ", "#", "[", "{", "&x ", "*x", "'", '"']))
def test_any_edit_anywhere(offset, insert):
    outcome(BASE[:offset] + insert + BASE[offset:])


def test_the_fuzz_base_is_valid():
    assert isinstance(outcome(BASE), Thesis)
