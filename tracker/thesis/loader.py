"""Loading thesis files safely and reporting every problem with file, line, column and field.

YAML is composed into a node tree by PyYAML's safe composer (no object construction at all),
then turned into plain Python values by our own bounded walk, so that tags cannot build objects
and alias bombs cannot exhaust memory. Every value keeps the position of its node, which lets
pydantic's and our own rule errors point at the exact place in the file.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from tracker.thesis import rules
from tracker.thesis.model import METRIC_PATTERN, SLUG_PATTERN, Assumption, Check, Observation, Position, Review, Source, Thesis

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 40
THESIS_SUFFIXES = (".yaml", ".yml")

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}

LocPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """Safe loader whose booleans follow YAML 1.2: `ON`, `NO`, `Y` stay strings (tickers!)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _STD + "bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_STD + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


@dataclass(frozen=True)
class ValidationIssue:
    """One problem in one thesis file, printable as `file:line:col: path: message`."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "path": self.path, "message": self.message}


@dataclass(frozen=True)
class InvalidFile:
    """A thesis file that could not be loaded, with every problem found in it."""

    path: str
    issues: tuple[ValidationIssue, ...]


@dataclass
class LoadResult:
    """The theses that loaded, where each came from, and the files that did not load."""

    theses: list[Thesis] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    invalid: list[InvalidFile] = field(default_factory=list)

    def get(self, thesis_id: str) -> Thesis | None:
        return next((t for t in self.theses if t.id == thesis_id), None)

    @property
    def issues(self) -> list[ValidationIssue]:
        return [i for f in self.invalid for i in f.issues]


class ThesisFileError(Exception):
    """Raised by `load_thesis_file` when a file has problems; carries all of them."""

    def __init__(self, issues: Sequence[ValidationIssue]) -> None:
        super().__init__("\n".join(str(i) for i in issues))
        self.issues = tuple(issues)


class _Stop(Exception):
    def __init__(self, mark: yaml.Mark | None, path: LocPath, message: str) -> None:
        self.mark, self.path, self.message = mark, path, message


@dataclass
class _Positions:
    values: dict[LocPath, yaml.Node] = field(default_factory=dict)
    keys: dict[LocPath, yaml.Node] = field(default_factory=dict)

    def node(self, path: LocPath, *, key: bool = False) -> yaml.Node | None:
        if key and path in self.keys:
            return self.keys[path]
        p = path
        while p not in self.values and p:
            p = p[:-1]
        return self.values.get(p)


def format_path(path: Iterable[str | int]) -> str:
    """`("positions", 2, "weight")` → `positions[2].weight`."""
    parts = list(path)
    if len(parts) > 8:
        parts = parts[:6] + ["…"]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Walker:
    """Turns a composed node graph into plain values within a node budget."""

    def __init__(self, positions: _Positions) -> None:
        self.positions = positions
        self.budget = MAX_NODES

    def value(self, node: yaml.Node, path: LocPath, depth: int = 0) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _Stop(node.start_mark, path, f"document expands to more than {MAX_NODES} values (alias bomb?)")
        if depth > MAX_DEPTH:
            raise _Stop(node.start_mark, path, f"nesting deeper than {MAX_DEPTH} levels")
        if node.tag not in _ALLOWED_TAGS:
            raise _Stop(node.start_mark, path, f"YAML tag {node.tag} is not allowed in thesis files")
        self.positions.values.setdefault(path, node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<":
                raise _Stop(key_node.start_mark, path, "YAML merge keys (<<) are not supported; write the fields out")
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (_STD + "str", _STD + "int"):
                raise _Stop(key_node.start_mark, path, "mapping keys must be plain names")
            key = str(key_node.value)
            if key in out:
                raise _Stop(key_node.start_mark, path + (key,), f"duplicate key {key!r}")
            self.positions.keys.setdefault(path + (key,), key_node)
            out[key] = self.value(value_node, path + (key,), depth + 1)
        return out

    @staticmethod
    def scalar(node: yaml.ScalarNode, path: LocPath) -> Any:
        text = node.value
        tag = node.tag
        try:
            if tag == _STD + "int":
                digits = text.replace("_", "")
                try:
                    return int(digits, 0)
                except ValueError:
                    return int(digits, 10)  # "0123": YAML 1.1 octal, read as the decimal it looks like
            if tag == _STD + "float":
                lowered = text.lower().replace("_", "")
                if lowered in (".nan", ".inf", "+.inf", "-.inf"):
                    raise _Stop(node.start_mark, path, f"{text} is not a usable number")
                return float(lowered)
            if tag == _STD + "bool":
                return text.lower() == "true"
            if tag == _STD + "null":
                return None
        except ValueError:
            return text
        return text  # str and timestamp: dates are parsed by the model, as text


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ThesisFileError(
            [ValidationIssue(file, line, column, "", f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8")]
        ) from None


def _issue(file: str, node: yaml.Node | yaml.Mark | None, path: LocPath, message: str, col_offset: int = 0) -> ValidationIssue:
    mark = node.start_mark if isinstance(node, yaml.Node) else node
    line = mark.line + 1 if mark is not None else 1
    column = (mark.column + 1 if mark is not None else 1) + col_offset
    return ValidationIssue(file, line, column, format_path(path), message)


_MODEL_AT: list[tuple[tuple[str | type, ...], type[BaseModel]]] = [
    (("positions", int), Position),
    (("assumptions", int, "checks", int), Check),
    (("assumptions", int, "observations", int), Observation),
    (("assumptions", int, "reviews", int), Review),
    (("assumptions", int), Assumption),
    (("sources", int), Source),
    ((), Thesis),
]


def _model_at(path: LocPath) -> type[BaseModel]:
    for pattern, model in _MODEL_AT:
        if len(pattern) == len(path) and all(
            (isinstance(part, int) if want is int else part == want) for part, want in zip(path, pattern)
        ):
            return model
    return Thesis


_PATTERN_WORDS = {
    SLUG_PATTERN: "an id of lower-case letters, digits, - and _ (like cheap-inference)",
    METRIC_PATTERN: "a metric name of lower-case letters, digits and _ (like inference_share)",
    r"^https?://\S+$": "an http:// or https:// URL",
    r"^[A-Z]{3}$": "a three-letter currency code like USD",
}
_TYPE_WORDS = {
    "list_type": "expected a list (items on lines starting with `- `, or [a, b])",
    "dict_type": "expected a mapping of fields (key: value lines)",
    "model_type": "expected a mapping of fields (key: value lines)",
    "model_attributes_type": "expected a mapping of fields (key: value lines)",
    "string_type": "expected text",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "int_type": "expected a whole number",
    "too_short": "needs at least one item",
}


def _pydantic_message(err: dict[str, Any], loc: LocPath) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = sorted(_model_at(loc[:-1]).model_fields)
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
        return f"unknown key {name!r}{hint}"
    if kind == "missing":
        return "required field is missing"
    msg = str(err.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if kind == "string_pattern_mismatch":
        pattern = str(err.get("ctx", {}).get("pattern", ""))
        wanted = _PATTERN_WORDS.get(pattern, f"text matching {pattern}")
        return f"{err.get('input')!r} is not valid here: expected {wanted}"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind == "literal_error":
        return f"expected one of {err.get('ctx', {}).get('expected', '')}, got {err.get('input')!r}"
    return msg


def _clean_loc(loc: tuple[Any, ...]) -> LocPath:
    # Pydantic inserts validator names (e.g. "function-before[...]") into locations of annotated types.
    return tuple(p for p in loc if isinstance(p, int) or not str(p).startswith(("function-", "nullable[")))


def _check_issues(thesis: Thesis, file: str, positions: _Positions) -> list[ValidationIssue]:
    from tracker.conditions import validate_when

    allowed = frozenset(thesis.tickers + ([thesis.benchmark] if thesis.benchmark else []))
    out: list[ValidationIssue] = []
    for ai, assumption in enumerate(thesis.assumptions):
        for ci, check in enumerate(assumption.checks):
            path: LocPath = ("assumptions", ai, "checks", ci, "when")
            node = positions.node(path)
            quoted = 1 if isinstance(node, yaml.ScalarNode) and node.style in ("'", '"') else 0
            single_line = node is not None and node.start_mark.line == node.end_mark.line
            problems = validate_when(
                check.when,
                allowed,
                positions=frozenset(thesis.tickers),
                targeted=frozenset(p.ticker for p in thesis.positions if p.target is not None or p.upside is not None),
                benchmark=thesis.benchmark,
            )
            for column, message in problems:
                offset = quoted + column - 1 if single_line else 0
                out.append(_issue(file, node, path, message, col_offset=offset))
    return out


def parse_thesis_text(text: str, file: str, default_id: str) -> Thesis:
    """Validate the text of one thesis file; raise `ThesisFileError` with every issue found."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or str(exc)
        context = f" ({exc.context})" if exc.context else ""
        raise ThesisFileError([_issue(file, mark, (), f"YAML syntax error: {problem}{context}")]) from None
    except yaml.YAMLError as exc:
        raise ThesisFileError([ValidationIssue(file, 1, 1, "", f"YAML error: {exc}")]) from None
    if root is None:
        raise ThesisFileError(
            [ValidationIssue(file, 1, 1, "", "file is empty; a thesis needs at least title, opened and positions")]
        )
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        raise ThesisFileError([_issue(file, root, (), f"expected a mapping of thesis fields at the top level, got {kind}")])

    positions = _Positions()
    try:
        data = _Walker(positions).value(root, ())
    except _Stop as stop:
        raise ThesisFileError([_issue(file, stop.mark, stop.path, stop.message)]) from None
    except RecursionError:
        raise ThesisFileError([_issue(file, root, (), "document is nested too deeply")]) from None

    if "id" not in data:
        data["id"] = default_id.lower()

    try:
        thesis = Thesis.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            loc = _clean_loc(tuple(err["loc"]))
            extra = err.get("type") == "extra_forbidden"
            node = positions.node(loc, key=extra)
            message = _pydantic_message(err, loc)
            if loc == ("id",) and ("id",) not in positions.keys:
                message = f"file name gives the id {data['id']!r}, which is not a valid id; add `id: some-name`"
            issues.append(_issue(file, node, loc, message))
        raise ThesisFileError(sorted(issues, key=lambda i: (i.line, i.column))) from None

    issues = [_issue(file, positions.node(path), path, msg) for path, msg in rules.findings(thesis)]
    issues += _check_issues(thesis, file, positions)
    if issues:
        raise ThesisFileError(sorted(issues, key=lambda i: (i.line, i.column)))
    return thesis


def load_thesis_file(path: Path, display: str | None = None) -> Thesis:
    """Read and validate one file; raise `ThesisFileError` on any problem (never anything else)."""
    file = display or str(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ThesisFileError([ValidationIssue(file, 1, 1, "", f"cannot read file: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ThesisFileError(
            [ValidationIssue(file, 1, 1, "", f"file is larger than {MAX_FILE_BYTES // 1000} kB; a thesis file should be small")]
        )
    return parse_thesis_text(_decode(raw, file), file, path.stem)


def thesis_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to their `*.yaml`/`*.yml` files (sorted); keep files as given."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.suffix in THESIS_SUFFIXES and f.is_file()))
        else:
            out.append(p)
    return out


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_theses(paths: Path | Iterable[Path]) -> LoadResult:
    """Load every thesis in the given files/folders: good ones load, bad ones are reported."""
    result = LoadResult()
    items = [paths] if isinstance(paths, Path) else list(paths)
    for file in thesis_files(items):
        shown = _display(file)
        try:
            thesis = load_thesis_file(file, shown)
        except ThesisFileError as exc:
            log.warning("invalid thesis file %s (%d problems)", shown, len(exc.issues))
            result.invalid.append(InvalidFile(shown, exc.issues))
            continue
        if thesis.id in result.paths:
            other = _display(result.paths[thesis.id])
            result.invalid.append(
                InvalidFile(shown, (ValidationIssue(shown, 1, 1, "id", f"thesis id {thesis.id!r} is already used by {other}"),))
            )
            continue
        result.theses.append(thesis)
        result.paths[thesis.id] = file
    return result
