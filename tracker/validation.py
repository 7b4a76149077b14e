"""Thesis files loaded with every validation rule the product has.

The thesis loader knows the file format and its own cross-field rules; the condition language
lives above it and plugs in as a rule (as beancount's `validate(entries, extra_validations)`
takes plug-ins), so `tracker.thesis` never imports `tracker.conditions`. Everything that loads
theses for use — the CLI, the refresh, the pages, `tracker status` — loads them through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tracker.conditions.checks import condition_rule, condition_rule_on_values
from tracker.thesis import loader
from tracker.thesis.loader import LoadResult, PlainRule, Rule
from tracker.thesis.model import Thesis

# The condition rule also reads the plain values of a file with field errors: all of a file's
# problems come in one run.
RULES: tuple[Rule, ...] = (PlainRule(condition_rule, condition_rule_on_values),)


def load_theses(paths: Path | Iterable[Path]) -> LoadResult:
    """Every thesis in the given files or folders: valid ones load, invalid ones are reported."""
    return loader.load_theses(paths, RULES)


def load_thesis_file(path: Path, display: str | None = None) -> Thesis:
    """One file, validated; raises `ThesisFileError` with every problem."""
    return loader.load_thesis_file(path, display, RULES)


def parse_thesis_text(text: str, file: str = "<text>", default_id: str | None = None) -> Thesis:
    """The text of one thesis file, validated; raises `ThesisFileError` with every problem."""
    return loader.parse_thesis_text(text, file, default_id, RULES)
