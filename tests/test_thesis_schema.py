"""The editor schema stays in step with the models, describes every field, and agrees with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.test_thesis_lifecycle import LIFE
from tracker.thesis import ThesisFileError, parse_thesis_text
from tracker.thesis.loader import yaml_values
from tracker.thesis.schema import SCHEMA_PATH, main, schema_text, thesis_schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "theses" / "ai-inference-cost-squeeze.yaml"
VALIDATOR = jsonschema.Draft202012Validator(thesis_schema(), format_checker=jsonschema.FormatChecker())


def test_committed_schema_is_current():
    assert SCHEMA_PATH == ROOT / "docs" / "thesis.schema.json"
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "regenerate: python -m tracker.thesis.schema"


def test_the_generator_writes_the_file(tmp_path):
    out = tmp_path / "schema.json"
    main([str(out)])
    assert json.loads(out.read_text(encoding="utf-8")) == thesis_schema()


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(thesis_schema())


def _properties(schema: dict) -> list[tuple[str, dict]]:
    out = [(name, prop) for name, prop in schema["properties"].items()]
    for model, definition in schema["$defs"].items():
        out += [(f"{model}.{name}", prop) for name, prop in definition.get("properties", {}).items()]
    return out


def test_every_field_has_a_description():
    missing = [name for name, prop in _properties(thesis_schema()) if not prop.get("description")]
    assert missing == []
    assert all(definition.get("description") for definition in thesis_schema()["$defs"].values())


def test_worked_example_points_at_the_schema_and_validates():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../docs/thesis.schema.json"
    assert (EXAMPLE.parent / "../docs/thesis.schema.json").resolve() == SCHEMA_PATH
    assert list(VALIDATOR.iter_errors(yaml_values(text))) == []


BASE = """title: T
opened: 2026-06-11
positions:
  - ticker: NET
    weight: 100%
    target: 330
    horizon: 540d
"""

AGREE_VALID = [
    ("base", BASE),
    ("fraction weight and upside", BASE.replace("weight: 100%", "weight: 1").replace("target: 330", "upside: 25%")),
    ("until instead of horizon", BASE.replace("horizon: 540d", "until: 2027-12-31")),
    ("horizon as days", BASE.replace("horizon: 540d", "horizon: 540")),
    ("one keyword as text", BASE + "assumptions:\n  - {id: a, statement: s, falsified_if: f, keywords: DeepSeek}\n"),
    ("sources as text and mapping", BASE + "sources:\n  - plain title\n  - {title: t, url: 'https://example.com/x'}\n"),
    ("full assumption", BASE + "assumptions:\n  - id: a\n    statement: s\n    falsified_if: f\n    checks:\n      - {when: price(NET) < 1, then: at_risk, note: n}\n"
        "    observations:\n      - {metric: share, date: 2026-10-29, value: 35%}\n    reviews:\n      - {date: 2026-11-01, status: intact}\n"),
    ("lifecycle: bought later, sold, rebalanced, closed", LIFE),
    ("closed left empty", BASE + "closed:\n"),
]

AGREE_INVALID = [
    ("unknown key", BASE + "benchmrk: QQQ\n"),
    ("unknown position key", BASE.replace("target: 330", "tagret: 330")),
    ("target and upside", BASE.replace("target: 330", "target: 330\n    upside: 10%")),
    ("neither horizon nor until", BASE.replace("    horizon: 540d\n", "")),
    ("horizon and until", BASE.replace("horizon: 540d", "horizon: 540d\n    until: 2027-12-31")),
    ("lower-case ticker", BASE.replace("ticker: NET", "ticker: net")),
    ("weight as words", BASE.replace("weight: 100%", "weight: all of it")),
    ("zero target", BASE.replace("target: 330", "target: 0")),
    ("zero horizon", BASE.replace("horizon: 540d", "horizon: 0")),
    ("date not ISO", BASE.replace("opened: 2026-06-11", "opened: 11/06/2026")),
    ("missing title", BASE.replace("title: T\n", "")),
    ("no positions", "title: T\nopened: 2026-06-11\npositions: []\n"),
    ("bad severity", BASE + "assumptions:\n  - {id: a, statement: s, falsified_if: f, checks: [{when: x, then: maybe}]}\n"),
    ("bad metric name", BASE + "assumptions:\n  - {id: a, statement: s, falsified_if: f, observations: [{metric: Bad Name, date: 2026-01-01, value: 1}]}\n"),
    ("bad review status", BASE + "assumptions:\n  - {id: a, statement: s, falsified_if: f, reviews: [{date: 2026-01-01, status: fine}]}\n"),
    ("javascript link", BASE + "sources:\n  - {title: t, url: 'javascript:alert(1)'}\n"),
    ("source as a list", BASE + "sources:\n  - [a]\n"),
    ("bad currency", BASE + "currency: usd\n"),
    ("unknown outcome", LIFE.replace("outcome: played_out", "outcome: won")),
    ("closed as a date", BASE + "closed: 2027-03-01\n"),
    ("closed without outcome", BASE + "closed: {date: 2027-03-01}\n"),
    ("unknown key under closed", LIFE.replace("  note: the routing", "  post_mortem: the routing")),
    ("position closed not a date", BASE + "    closed: soon\n"),
    ("zero exit price", LIFE.replace("exit_price: 151.2", "exit_price: 0")),
    ("rebalance weights as a list", LIFE.replace("{NET: 50%, MDB: 30%, SNOW: 20%}", "[NET, MDB, SNOW]")),
    ("rebalance with no weights", LIFE.replace("{NET: 50%, MDB: 30%, SNOW: 20%}", "{}")),
    ("rebalance with a lower-case ticker", LIFE.replace("{NET: 50%", "{net: 50%")),
    ("rebalance weight as words", LIFE.replace("SNOW: 20%", "SNOW: a fifth")),
    ("rebalance without a date", LIFE.replace("  - date: 2026-12-01\n    weights:", "  - weights:")),
    ("unknown key in a rebalance", LIFE.replace("    note: trim", "    notes: trim")),
]


@pytest.mark.parametrize("name, text", AGREE_VALID, ids=[c[0] for c in AGREE_VALID])
def test_schema_and_loader_accept_the_same_files(name, text):
    parse_thesis_text(text, "x.yaml", "x")
    assert [e.message for e in VALIDATOR.iter_errors(yaml_values(text))] == []


@pytest.mark.parametrize("name, text", AGREE_INVALID, ids=[c[0] for c in AGREE_INVALID])
def test_schema_and_loader_refuse_the_same_files(name, text):
    with pytest.raises(ThesisFileError):
        parse_thesis_text(text, "x.yaml", "x")
    assert list(VALIDATOR.iter_errors(yaml_values(text))), "the editor would not underline this"
