"""The JSON Schema of thesis files, generated from the models, for editors (yaml-language-server).

With `# yaml-language-server: $schema=../docs/thesis.schema.json` as a file's first line, the
YAML extension of VS Code (and any editor using yaml-language-server) completes field names,
shows each field's description and underlines mistakes before anything runs. The loader stays
the authority: the schema cannot express every rule (weights summing to 100%, unique tickers,
the condition language), so it is a first line of help, not a second validator.

Regenerate with `python -m tracker.thesis.schema` (writes docs/thesis.schema.json); a test keeps
the committed file in step with the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tracker.thesis.model import Thesis

SCHEMA_ID = "https://thesis-tracker.example/thesis.schema.json"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "thesis.schema.json"
_TEXT_LISTS = ("keywords", "aliases", "risks", "feeds")


def _text_or_list(description: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "default": [],
    }
    if description:
        out["description"] = description + " (one text, or a list)"
    return out


def thesis_schema() -> dict[str, Any]:
    """The schema as a dict (draft 2020-12), with every field described."""
    schema = Thesis.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "Thesis Tracker thesis file"
    schema["description"] = (
        "An investment thesis: positions with weights, targets and horizons, and the assumptions it "
        "rests on with what would prove them wrong. Reference: docs/thesis-format.md"
    )
    # `id` defaults to the file name.
    schema["required"] = [r for r in schema.get("required", []) if r != "id"]
    # `sources` items may be plain text (the loader turns it into {title: text}).
    sources = schema["properties"]["sources"]
    sources["items"] = {"anyOf": [{"type": "string", "minLength": 1}, {"$ref": "#/$defs/Source"}]}
    # A rebalance's weights are keyed by ticker only, and name at least one position.
    weights = schema["$defs"]["Rebalance"]["properties"]["weights"]
    weights["additionalProperties"] = False
    weights["minProperties"] = 1
    # Lists of text also accept a single text (`keywords: DeepSeek`).
    holders = [schema["properties"], *[d.get("properties", {}) for d in schema.get("$defs", {}).values()]]
    for holder in holders:
        for name in _TEXT_LISTS:
            if name in holder:
                holder[name] = _text_or_list(holder[name].get("description"))
    return schema


def schema_text() -> str:
    """The schema file's exact content."""
    return json.dumps(thesis_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Write the schema to docs/thesis.schema.json, or to the path given, or to stdout with `-`."""
    args = sys.argv[1:] if argv is None else argv
    target = args[0] if args else str(SCHEMA_PATH)
    if target == "-":
        sys.stdout.write(schema_text())
    else:
        Path(target).write_text(schema_text(), encoding="utf-8")


if __name__ == "__main__":
    main()
