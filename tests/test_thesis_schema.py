"""The editor schema stays in step with the models and accepts the worked example."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from tracker.thesis.schema import thesis_schema

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_is_current():
    committed = json.loads((ROOT / "docs" / "thesis.schema.json").read_text())
    assert committed == json.loads(json.dumps(thesis_schema())), "run: python -m tracker.thesis.schema > docs/thesis.schema.json"


def test_worked_example_validates_and_points_at_the_schema():
    text = (ROOT / "theses" / "ai-inference-cost-squeeze.yaml").read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../docs/thesis.schema.json"
    data = yaml.safe_load(text)
    data["opened"] = str(data["opened"])  # YAML dates become strings in the editor's JSON view
    jsonschema.validate(data, thesis_schema())


def test_schema_rejects_unknown_keys():
    data = {"title": "x", "opened": "2026-06-11", "positions": [{"ticker": "NET", "weight": "100%", "horizon": "1y", "tagret": 3}]}
    errors = list(jsonschema.Draft202012Validator(thesis_schema()).iter_errors(data))
    assert any("tagret" in e.message for e in errors)
