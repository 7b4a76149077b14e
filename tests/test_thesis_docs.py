"""docs/thesis-format.md stays true to the code: its complete example loads, its errors are real."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema

from tests.test_thesis_lifecycle import CASES as LIFECYCLE_CASES
from tests.test_thesis_validation import CASES, _corpus_rows
from tracker.thesis.loader import yaml_values
from tracker.thesis.schema import thesis_schema
from tracker.validation import parse_thesis_text

DOC = (Path(__file__).resolve().parent.parent / "docs" / "thesis-format.md").read_text(encoding="utf-8")


def _block_after(heading: str, lang: str) -> str:
    section = DOC.split(heading, 1)[1]
    return re.search(rf"```{lang}\n(.*?)```", section, re.S).group(1)


def test_the_complete_example_is_a_valid_thesis_and_fits_the_schema():
    text = _block_after("## Complete example", "yaml")
    thesis = parse_thesis_text(text, "inference-hardware.yaml")
    assert thesis.id == "inference-hardware" and len(thesis.positions) == 2
    assert thesis.assumptions[0].observations and thesis.assumptions[0].reviews
    jsonschema.validate(yaml_values(text), thesis_schema())


def test_the_lifecycle_example_is_a_valid_thesis_and_fits_the_schema():
    text = _block_after("## Adding, selling and closing", "yaml")
    thesis = parse_thesis_text(text, "observability-consolidates.yaml")
    assert thesis.is_closed and thesis.rebalances and thesis.position("NET").opened and thesis.position("DT").exit_price
    assert str(thesis.horizon_date(thesis.position("NET"))) == "2027-04-01"
    jsonschema.validate(yaml_values(text), thesis_schema())


def test_the_examples_use_every_field():
    """The complete example uses every field but the lifecycle's, which its own example shows."""
    text = _block_after("## Complete example", "yaml") + _block_after("## Adding, selling and closing", "yaml")
    keys = set(re.findall(r"(?:^\s*|[{,]\s*|-\s+)([a-z_]+):", text, re.M))
    schema = thesis_schema()
    fields = set(schema["properties"]) | {f for d in schema["$defs"].values() for f in d.get("properties", {})}
    assert fields - keys == set()


def test_every_documented_error_is_one_the_tests_produce():
    produced = {line.split(":", 1)[1] for _, _, expected in CASES + LIFECYCLE_CASES for line in expected}
    produced |= {f"{where}: {path + ': ' if path else ''}{message}" for _, where, path, message, _ in _corpus_rows()}
    produced.add("2:5: id: thesis id 'shared' is already used by a.yaml")  # test_duplicate_thesis_ids_across_files
    documented = _block_after("## Errors", "").strip().splitlines()
    assert len(documented) >= 20
    for line in documented:
        assert re.match(r"^theses/[a-z]\.yaml:\d+:\d+: ", line), line
        assert line.split(":", 1)[1].replace("theses/", "") in produced, line
