"""The JSON Schema of thesis files, generated from the models, for editors (yaml-language-server).

Regenerate with `python -m tracker.thesis.schema > docs/thesis.schema.json`; a test keeps the
committed file in step with the models.
"""

from __future__ import annotations

import json
from typing import Any

from tracker.thesis.model import Thesis

SCHEMA_ID = "https://thesis-tracker.example/thesis.schema.json"


def thesis_schema() -> dict[str, Any]:
    schema = Thesis.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = "Thesis Tracker thesis file"
    schema["description"] = "An investment thesis: positions with targets and horizons, and the assumptions it rests on. Reference: docs/thesis-format.md"
    # `id` defaults to the file name; `sources` items may be plain text.
    schema["required"] = [r for r in schema.get("required", []) if r != "id"]
    schema["properties"]["sources"]["items"] = {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/Source"}]}
    for name in ("keywords", "aliases", "risks", "feeds"):
        for holder in [schema["properties"], *[d.get("properties", {}) for d in schema.get("$defs", {}).values()]]:
            if name in holder:
                holder[name] = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}], "default": []}
    return schema


def main() -> None:
    print(json.dumps(thesis_schema(), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
