"""The shape of the package, checked mechanically: imports at module level only, so the layer
contracts of import-linter (pyproject.toml, `make lint`) see every dependency."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tracker"
SOURCES = sorted(PACKAGE.rglob("*.py"))


def hidden_imports(source: str) -> list[str]:
    """`tracker` imports written inside a function body, as `line N: module`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.level == 0 and (inner.module or "").split(".")[0] == "tracker":
                found.append(f"line {inner.lineno}: {inner.module}")
            elif isinstance(inner, ast.Import):
                found += [f"line {inner.lineno}: {a.name}" for a in inner.names if a.name.split(".")[0] == "tracker"]
    return found


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from tracker.prices import store\n", []),
        ("def f():\n    from tracker.prices import store\n", ["line 2: tracker.prices"]),
        ("class C:\n    def m(self):\n        import tracker.cli\n", ["line 3: tracker.cli"]),
        ("async def f():\n    import yfinance\n", []),
    ],
)
def test_hidden_imports_finds_imports_in_function_bodies(source, expected):
    assert hidden_imports(source) == expected


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_no_tracker_import_inside_a_function(path):
    hidden = hidden_imports(path.read_text(encoding="utf-8"))
    assert not hidden, f"{path.name} imports tracker modules inside functions: {hidden}"
