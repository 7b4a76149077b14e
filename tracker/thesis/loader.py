"""Loading thesis files safely and reporting every problem with file, line, column and field.

YAML text is parsed into events (libyaml's C parser when present) and composed into a node tree
by our own iterative composer, which bounds nesting depth and node count while it reads: a
hostile file stops early instead of building a huge tree or overflowing the Python stack. The
tree is then turned into plain Python values by a bounded walk that allows only the plain YAML
tags (no object construction at all), counts values after alias expansion (a "billion laughs"
file is an error, not an out-of-memory), refuses recursive aliases and duplicate keys, and reads
booleans the YAML 1.2 way (`ON` and `NO` stay strings: they are tickers). Every value keeps the
position where it is written, so pydantic's and our own rule errors point at the exact place.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import yaml
from pydantic import BaseModel, ValidationError

from tracker.formatting import count
from tracker.thesis import rules
from tracker.thesis.model import (
    METRIC_PATTERN,
    SLUG_PATTERN,
    Assumption,
    Catalyst,
    Check,
    Closing,
    Observation,
    Position,
    Rebalance,
    Review,
    Source,
    Thesis,
)

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000  # values written in the file
MAX_VALUES = 50_000  # values after expanding aliases
MAX_DEPTH = 40
THESIS_SUFFIXES = (".yaml", ".yml")

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# YAML 1.1 octal (`0123`): kept as the text it is, so `ticker: 0123` does not become 123.
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
# Characters YAML does not allow in a stream (the same set PyYAML's reader refuses).
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")

LocPath = tuple[str | int, ...]
# A validation rule: findings `(path, message)`, or `(path, message, column)` with a 1-based column
# inside the value at `path`, or `(path, message, rules.AT_KEY)` for a problem with the key that names
# `path` (a ticker under a rebalance's weights). The thesis package's own rules always run; others
# are passed in (the condition language plugs in this way, so the loader does not import it). A rule
# passed in as a `PlainRule` also runs on the plain values when the fields do not validate.
Finding = tuple[LocPath, str] | tuple[LocPath, str, int | str]
Rule = Callable[[Thesis], Sequence[Finding]]


@dataclass(frozen=True)
class PlainRule:
    """A rule that can also read the plain values of a file whose fields do not all validate.

    Called with a thesis it is `on_thesis`; when the model cannot be built, the loader calls
    `on_values` with the file's plain values, so that file's field errors and this rule's
    findings are reported in one run (a `when:` condition can be checked without a valid thesis).
    """

    on_thesis: Rule
    on_values: Callable[[dict[str, Any]], Sequence[Finding]]

    def __call__(self, thesis: Thesis) -> Sequence[Finding]:
        return self.on_thesis(thesis)

if TYPE_CHECKING:
    from yaml._yaml import Mark as _CMark

# Where something is written: libyaml's parser gives marks of its own class, with the same fields.
_Mark: TypeAlias = "yaml.Mark | _CMark"
_Parser: TypeAlias = "yaml.SafeLoader | yaml.CSafeLoader"
_ResolverT = TypeVar("_ResolverT", bound=yaml.resolver.BaseResolver)


def _yaml_12_booleans(cls: type[_ResolverT]) -> type[_ResolverT]:
    """Make a loader class's booleans follow YAML 1.2: only true/false, so `ON`, `NO`, `Y` stay strings."""
    cls.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _STD + "bool"]
        for first, resolvers in cls.yaml_implicit_resolvers.items()
    }
    cls.add_implicit_resolver(_STD + "bool", _BOOL_12, list("tTfF"))
    return cls


@_yaml_12_booleans
class _ThesisSafeLoader(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader with YAML 1.2 booleans."""


# libyaml parses 20 to 40 times faster than the pure-Python parser; both give the same events and marks.
_PARSERS: list[type[_Parser]] = [_ThesisSafeLoader]
if getattr(yaml, "__with_libyaml__", False):

    @_yaml_12_booleans
    class _ThesisCSafeLoader(yaml.CSafeLoader):
        """libyaml's safe loader with YAML 1.2 booleans."""

    _PARSERS.insert(0, _ThesisCSafeLoader)


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
    """A problem that ends reading the file, at a mark and a field path."""

    def __init__(self, mark: _Mark | None, path: LocPath, message: str) -> None:
        super().__init__(message)
        self.mark, self.path, self.message = mark, path, message


@dataclass(frozen=True)
class _Alias:
    """A use of an alias (`*name`): the node it refers to, and where the alias itself is written."""

    node: yaml.Node
    mark: _Mark | None


_Item: TypeAlias = yaml.Node | _Alias
_NO_KEY = object()


def _compose(text: str, parser: type[_Parser] | None = None) -> yaml.Node | None:
    """The single document of `text` as a node tree, built without recursion and within limits."""
    # Any: the pure-Python parser's event methods are untyped in the stubs, libyaml's may return None.
    loader: Any = (parser or _PARSERS[0])(text)
    try:
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # document start
        root = _compose_document(loader)
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            extra = loader.get_event()
            raise _Stop(extra.start_mark, (), "the file holds more than one YAML document (a line with ---); keep one thesis per file")
        return root
    finally:
        loader.dispose()


def _node_mark(mark: _Mark | None) -> yaml.Mark | None:
    """An event's mark, to store in a node.

    libyaml's marks are a class of their own with the same fields (PyYAML's C composer stores them
    in nodes too); the stubs type node marks as the pure-Python class only.
    """
    return cast("yaml.Mark | None", mark)


def _compose_document(loader: Any) -> yaml.Node:
    anchors: dict[str, yaml.Node] = {}
    stack: list[yaml.Node] = []
    paths: list[LocPath] = []  # field path of each open list or mapping, for messages
    pending: list[Any] = []  # per open mapping: its key waiting for a value, or _NO_KEY
    count = 0

    def child_path() -> LocPath:
        """The field path of the next item of the innermost open list or mapping."""
        if not stack:
            return ()
        parent = stack[-1]
        if isinstance(parent, yaml.SequenceNode):
            return paths[-1] + (len(parent.value),)
        key = pending[-1]
        if key is _NO_KEY:
            return paths[-1]
        key_node = key.node if isinstance(key, _Alias) else key
        return paths[-1] + ((key_node.value,) if isinstance(key_node, yaml.ScalarNode) else ())

    def attach(item: _Item) -> None:
        parent = stack[-1]
        if isinstance(parent, yaml.SequenceNode):
            parent.value.append(item)
        elif pending[-1] is _NO_KEY:
            pending[-1] = item
        else:
            parent.value.append((pending[-1], item))
            pending[-1] = _NO_KEY

    while True:
        event = loader.get_event()
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            done = stack.pop()
            paths.pop()
            pending.pop()
            done.end_mark = event.end_mark
            if not stack:
                return done
            continue
        count += 1
        if count > MAX_NODES:
            raise _Stop(
                event.start_mark, child_path(), f"the file holds more than {MAX_NODES:,} values; a thesis file never needs that many"
            )
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise _Stop(
                    event.start_mark, child_path(), f"alias *{event.anchor} refers to no anchor &{event.anchor} written before it"
                )
            item: _Item = _Alias(anchors[event.anchor], event.start_mark)
        elif isinstance(event, yaml.ScalarEvent):
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            item = yaml.ScalarNode(tag, event.value, _node_mark(event.start_mark), _node_mark(event.end_mark), style=event.style)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise _Stop(event.start_mark, child_path(), f"lists and mappings are nested more than {MAX_DEPTH} levels deep")
            kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = loader.resolve(kind, None, event.implicit)
            item = kind(tag, [], _node_mark(event.start_mark), None, flow_style=event.flow_style)
        else:  # pragma: no cover - the parser emits nothing else inside a document
            raise _Stop(event.start_mark, child_path(), f"unexpected YAML event {type(event).__name__}")
        anchor = getattr(event, "anchor", None)
        if anchor is not None and isinstance(item, yaml.Node):  # an alias names its anchor, it defines none
            if anchor in anchors:
                raise _Stop(event.start_mark, child_path(), f"anchor &{anchor} is defined twice; give each anchor its own name")
            anchors[anchor] = item
        if isinstance(item, (yaml.SequenceNode, yaml.MappingNode)):
            here = child_path()
            if stack:
                attach(item)
            stack.append(item)
            paths.append(here)
            pending.append(_NO_KEY)
            continue
        if not stack:
            return item if isinstance(item, yaml.Node) else item.node
        attach(item)


@dataclass
class _Positions:
    """Where each value and each key is written, by field path."""

    nodes: dict[LocPath, yaml.Node | None] = field(default_factory=dict)  # None: written as an alias
    marks: dict[LocPath, _Mark | None] = field(default_factory=dict)
    keys: dict[LocPath, _Mark | None] = field(default_factory=dict)

    def mark(self, path: LocPath, *, key: bool = False) -> _Mark | None:
        """The mark of `path`, of its key when `key`, else of the nearest enclosing value written."""
        if key and path in self.keys:
            return self.keys[path]
        p = path
        while p not in self.marks and p:
            p = p[:-1]
        return self.marks.get(p)


def format_path(path: Iterable[str | int]) -> str:
    """`("positions", 2, "weight")` → `positions[2].weight`."""
    parts = list(path)
    if len(parts) > 8:
        parts = parts[:7] + ["…"]
    out = ""
    for part in parts:
        if part == "…":
            out += part
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Walker:
    """Turns a composed node graph into plain values within a value budget."""

    def __init__(self, positions: _Positions) -> None:
        self.positions = positions
        self.budget = MAX_VALUES
        self.open: set[int] = set()  # ids of the lists and mappings being walked: an alias to one is a loop

    def value(self, item: _Item, path: LocPath, depth: int = 0) -> Any:
        node, mark = (item.node, item.mark) if isinstance(item, _Alias) else (item, item.start_mark)
        self.budget -= 1
        if self.budget < 0:
            top = path[:1]
            raise _Stop(
                self.positions.keys.get(top, mark),
                top,
                f"aliases expand the file to more than {MAX_VALUES:,} values; a thesis file never needs that many (an alias bomb?)",
            )
        if id(node) in self.open:
            raise _Stop(mark, path, "this alias refers to a list or mapping that contains it (a recursive alias)")
        if depth > MAX_DEPTH:
            raise _Stop(mark, path, f"lists and mappings are nested more than {MAX_DEPTH} levels deep")
        if node.tag not in _ALLOWED_TAGS:
            raise _Stop(mark, path, f"YAML tag {_short_tag(node.tag)} is not allowed in thesis files; remove it")
        self.positions.nodes.setdefault(path, None if isinstance(item, _Alias) else node)
        self.positions.marks.setdefault(path, mark)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, mark, path)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.value(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path, depth)
            raise _Stop(mark, path, f"unexpected YAML node {type(node).__name__}")  # pragma: no cover - none is built
        finally:
            self.open.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: LocPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_item, value_item in node.value:
            key_node, key_mark = (key_item.node, key_item.mark) if isinstance(key_item, _Alias) else (key_item, key_item.start_mark)
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<" and not key_node.style:
                raise _Stop(key_mark, path, "YAML merge keys (<<) are not supported; write the fields out")
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (_STD + "str", _STD + "int"):
                shown = f"; {key_node.value!r} is not one" if isinstance(key_node, yaml.ScalarNode) else ", not lists or mappings"
                raise _Stop(key_mark, path, f"field names must be plain words{shown}")
            key = str(key_node.value)
            if key in out:
                raise _Stop(key_mark, path + (key,), f"duplicate key {key!r}; each field may appear once")
            self.positions.keys.setdefault(path + (key,), key_mark)
            out[key] = self.value(value_item, path + (key,), depth + 1)
        return out

    @staticmethod
    def scalar(node: yaml.ScalarNode, mark: _Mark | None, path: LocPath) -> Any:
        text, tag = node.value, node.tag
        if tag == _STD + "int":
            if _LEADING_ZERO.match(text):
                return text
            try:
                return int(text.replace("_", ""), 0)
            except ValueError:  # sexagesimal 1:30, or more digits than Python converts
                return text
        if tag == _STD + "float":
            if text.lower().lstrip("+-") in (".nan", ".inf"):
                raise _Stop(mark, path, f"{text} is not a usable number")
            try:
                number = float(text.replace("_", ""))
            except ValueError:
                return text
            if not math.isfinite(number):
                raise _Stop(mark, path, f"{text} is not a usable number")
            return number
        if tag == _STD + "bool":
            if text.lower() not in ("true", "false"):
                raise _Stop(mark, path, f"{text!r} is not true or false")
            return text.lower() == "true"
        if tag == _STD + "null":
            return None
        return text  # str and timestamp: dates are parsed by the model, from text


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        raise ThesisFileError(
            [ValidationIssue(file, line, column, "", f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8")]
        ) from None


def _issue(file: str, where: yaml.Node | _Mark | None, path: LocPath, message: str) -> ValidationIssue:
    mark = where.start_mark if isinstance(where, yaml.Node) else where
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    return ValidationIssue(file, line, column, format_path(path), message)


def _at_index(file: str, text: str, index: int, path: LocPath, message: str) -> ValidationIssue:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return ValidationIssue(file, line, column, format_path(path), message)


# ---- YAML syntax errors, in words an investor can act on ------------------------------------

_OPENER = {"]": "[", "}": "{"}
_BLOCKS = {"while parsing a block collection": "the list", "while parsing a block mapping": "the fields"}


def _syntax_issue(file: str, text: str, exc: yaml.MarkedYAMLError) -> ValidationIssue:
    """Word PyYAML's and libyaml's messages alike, with a hint, at the place the parser stopped."""
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    at = ""
    if exc.context_mark is not None and mark is not None and exc.context_mark.line != mark.line:
        at = f" at line {exc.context_mark.line + 1}"
    char = text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""
    if "exceeded maximum nesting depth" in problem:
        return _issue(file, mark, (), f"lists and mappings are nested more than {MAX_DEPTH} levels deep")
    if "tab character" in problem or ("cannot start any token" in problem and char == "\t"):
        message = "a tab character; indent with spaces, not tabs"
    elif "cannot start any token" in problem:
        if char == "\t":
            message = "a tab character; indent with spaces, not tabs"
        else:
            message = f"{char!r} cannot start a value; put text that starts with it in quotes"
    elif problem.startswith("mapping values are not allowed"):
        message = "unexpected ': '; put text that contains a colon followed by a space in quotes, or check the indentation"
    elif closing := next((c for c in _OPENER if f"expected ',' or '{c}'" in problem), None):
        opened = exc.context_mark
        where = f" at line {opened.line + 1}, column {opened.column + 1}" if opened is not None else ""
        message = f"the {_OPENER[closing]}{where} is not closed with {closing}; put a comma between items, and text with ': ' in quotes"
    elif "while scanning a quoted scalar" in context:
        message = "this quoted text is never closed with a matching quote"
        mark = exc.context_mark or mark
    elif context in _BLOCKS and (problem.startswith("did not find expected") or problem.startswith("expected <block end>")):
        start = exc.context_mark
        where = f" that starts at line {start.line + 1}" if start is not None else " above it"
        message = f"this line does not line up with {_BLOCKS[context]}{where}; check its indentation"
    else:
        problem = re.sub(r"^did not find expected", "expected", problem)
        message = f"{problem} ({context}{at})" if context else problem
    return _issue(file, mark, (), f"YAML syntax error: {message}")


# ---- pydantic errors, in words an investor can act on ----------------------------------------

_MODEL_AT: list[tuple[tuple[str | type, ...], type[BaseModel]]] = [
    (("positions", int), Position),
    (("assumptions", int, "checks", int), Check),
    (("assumptions", int, "observations", int), Observation),
    (("assumptions", int, "reviews", int), Review),
    (("assumptions", int), Assumption),
    (("sources", int), Source),
    (("rebalances", int), Rebalance),
    (("closed",), Closing),
    (("catalysts", int), Catalyst),
    ((), Thesis),
]
_HOMES: list[tuple[type[BaseModel], str]] = [
    (Thesis, "the top level of the file"),
    (Position, "a position (an item under positions:)"),
    (Assumption, "an assumption (an item under assumptions:)"),
    (Check, "a check (an item under checks:)"),
    (Observation, "an observation (an item under observations:)"),
    (Review, "a review (an item under reviews:)"),
    (Source, "a source (an item under sources:)"),
    (Rebalance, "a rebalance (an item under rebalances:)"),
    (Closing, "the thesis's closing (under closed:)"),
    (Catalyst, "a catalyst (an item under catalysts:)"),
]


def _model_at(path: LocPath) -> type[BaseModel]:
    for pattern, model in _MODEL_AT:
        if len(pattern) == len(path) and all(
            (isinstance(part, int) if want is int else part == want) for part, want in zip(path, pattern, strict=False)
        ):
            return model
    return Thesis


_PATTERN_WORDS = {
    SLUG_PATTERN: "an id of lower-case letters, digits, - and _ (like cheap-inference)",
    METRIC_PATTERN: "a metric name of lower-case letters, digits and _ (like inference_share)",
    r"^https?://\S+$": "an http:// or https:// link",
    r"^[A-Z]{3}$": "a three-letter currency code like USD",
}
_EXPECTED = {
    "list_type": "expected a list (items on lines starting with `- `, or [a, b])",
    "dict_type": "expected a mapping of fields (`key: value` lines)",
    "model_type": "expected a mapping of fields (`key: value` lines)",
    "model_attributes_type": "expected a mapping of fields (`key: value` lines)",
    "string_type": "expected text",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "date_type": "expected a date like 2026-06-11",
}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _unknown_key(name: str, loc: LocPath) -> str:
    here = _model_at(loc[:-1])
    allowed = sorted(here.model_fields)
    close = difflib.get_close_matches(name, allowed, n=1) or difflib.get_close_matches(name.lower(), allowed, n=1)
    if close:
        return f"unknown key {name!r}; did you mean {close[0]!r}?"
    home = next((where for model, where in _HOMES if model is not here and name in model.model_fields), None)
    if home:
        return f"unknown key {name!r} here; {name} belongs in {home}: check its indentation"
    return f"unknown key {name!r}; allowed here: {', '.join(allowed)}"


def _pydantic_message(err: dict[str, Any], loc: LocPath) -> str:
    kind = str(err.get("type", ""))
    given = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_key(str(loc[-1]), loc)
    if kind == "missing":
        return f"required field {loc[-1]!r} is missing" if loc and isinstance(loc[-1], str) else "a required field is missing"
    if kind in ("model_type", "dict_type") and len(loc) == 2 and loc[0] == "sources":
        return f"expected a title as text, or a mapping like {{title: ..., url: https://...}}, got {_shown(given)}"
    if kind == "model_type" and loc == ("closed",) and given is not None:
        return f"expected date, outcome and note under closed:, like {{date: 2027-03-01, outcome: played_out, note: ...}}, got {_shown(given)}"
    if kind == "dict_type" and len(loc) == 3 and loc[0] == "rebalances" and loc[2] == "weights" and given is not None:
        return f"expected a weight per ticker, like {{NET: 15%, DDOG: 25%}}, got {_shown(given)}"
    if kind in _EXPECTED:
        if given is None:
            return f"has no value; {_EXPECTED[kind]}"
        if kind == "string_type" and isinstance(given, bool):
            return f"expected text, got {_shown(given)}; put it in quotes to mean the word"
        return f"{_EXPECTED[kind]}, got {_shown(given)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return "needs at least one item"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"{given!r} is not valid here: expected {_PATTERN_WORDS.get(pattern, f'text matching {pattern}')}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')}, got {_shown(given)}"
    msg = str(err.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg


def _holds(value: Any, part: Any) -> bool:
    """Whether `part` is a key of the mapping or an index into the list `value`."""
    if isinstance(value, dict):
        return isinstance(part, str) and part in value
    return isinstance(value, list) and isinstance(part, int) and not isinstance(part, bool) and 0 <= part < len(value)


def _clean_loc(loc: Sequence[Any], data: Any, kind: str) -> LocPath:
    """Keep the parts of a pydantic location that name something in the file.

    Pydantic may add segments of its own (validator or union member names) that are no field of
    the file; following the data drops exactly those, and keeps keys the user wrote even when
    they look like pydantic's (a key named `function-x`).
    """
    out: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        if _holds(current, part):
            out.append(part)
            current = current[part]
        elif i == len(loc) - 1 and kind == "missing" and isinstance(part, str) and isinstance(current, dict):
            out.append(part)
    return tuple(out)


# ---- where inside a scalar: columns of condition errors --------------------------------------


def _index_in_scalar(text: str, node: yaml.ScalarNode, index: int) -> int | None:
    """The position in `text` of character `index` of the node's value, or None when unsure.

    The value differs from its source by quotes, escapes, block indicators, folded line breaks and
    indentation; walking both in step (each character of the value found at or after the last
    match, whitespace matching whitespace) maps a column of the value back to the file.
    """
    value = node.value
    if not 0 <= index <= len(value):
        return None
    pos, limit = node.start_mark.index, node.end_mark.index
    if node.style in ("'", '"'):
        pos += 1
    elif node.style in ("|", ">"):
        newline = text.find("\n", pos, limit)
        if newline < 0:
            return None
        pos = newline + 1
    found = pos
    for k, ch in enumerate(value[: index + 1]):
        if ch in " \t\n":
            if pos < limit and text[pos] in " \t\r\n":
                found = pos
                pos += 1
                if text[found] in "\r\n":
                    while pos < limit and text[pos] in " \r\n":
                        pos += 1
            elif pos < limit and text[pos] == "\\":
                found, pos = pos, pos + 2
            else:
                return None
        else:
            hit = text.find(ch, pos, limit)
            if hit < 0:
                return None
            found, pos = hit, hit + 1
        if k == index:
            return found
    return pos  # index == len(value): just after the last character


def _rule_issues(thesis: Thesis, file: str, text: str, positions: _Positions, rule_list: Sequence[Rule]) -> list[ValidationIssue]:
    """The findings of the rules passed in, located in the file; a column points inside the value."""
    return _located([f for rule in rule_list for f in rule(thesis)], file, text, positions)


def _located(findings: Iterable[Finding], file: str, text: str, positions: _Positions) -> list[ValidationIssue]:
    out: list[ValidationIssue] = []
    for finding in findings:
        path, message = finding[0], finding[1]
        column = finding[2] if len(finding) > 2 else None
        if column == rules.AT_KEY:
            out.append(_issue(file, positions.mark(path, key=True), path, message))
            continue
        node = positions.nodes.get(path)
        index = None
        if column is not None and isinstance(node, yaml.ScalarNode):
            lead = len(node.value) - len(node.value.lstrip())
            index = _index_in_scalar(text, node, lead + max(int(column), 1) - 1)
        if index is None:
            out.append(_issue(file, positions.mark(path), path, message))
        else:
            out.append(_at_index(file, text, index, path, message))
    return out


# ---- reading -----------------------------------------------------------------------------------


def _within(text: str, issues: Sequence[ValidationIssue]) -> list[ValidationIssue]:
    """Issues moved inside the text: parsers place end-of-file errors one line past a last line without newline."""
    lines = text.split("\n")
    out = []
    for issue in issues:
        line = min(max(issue.line, 1), len(lines))
        column = min(max(issue.column if line == issue.line else len(lines[line - 1]) + 1, 1), len(lines[line - 1]) + 1)
        out.append(dataclasses.replace(issue, line=line, column=column))
    return out


def _plain(text: str, file: str) -> tuple[dict[str, Any], _Positions]:
    try:
        return _plain_unchecked(text, file)
    except ThesisFileError as exc:
        raise ThesisFileError(_within(text, exc.issues)) from None


def _plain_unchecked(text: str, file: str) -> tuple[dict[str, Any], _Positions]:
    bad = _NON_PRINTABLE.search(text)
    if bad:
        raise ThesisFileError(
            [_at_index(file, text, bad.start(), (), f"character U+{ord(bad.group()):04X} is not allowed in a YAML file; remove it")]
        )
    try:
        root = _compose(text)
    except _Stop as stop:
        raise ThesisFileError([_issue(file, stop.mark, stop.path, stop.message)]) from None
    except yaml.MarkedYAMLError as exc:
        raise ThesisFileError([_syntax_issue(file, text, exc)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors; non-printable text is refused above
        raise ThesisFileError([ValidationIssue(file, 1, 1, "", f"YAML error: {exc}")]) from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _STD + "null" and root.value == ""):
        raise ThesisFileError(
            [ValidationIssue(file, 1, 1, "", "file is empty; a thesis needs at least title, opened and positions")]
        )
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        raise ThesisFileError([_issue(file, root, (), f"expected a mapping of thesis fields at the top level, got {kind}")])
    positions = _Positions()
    try:
        data: dict[str, Any] = _Walker(positions).value(root, ())  # the root is a mapping
    except _Stop as stop:
        raise ThesisFileError([_issue(file, stop.mark, stop.path, stop.message)]) from None
    return data, positions


def yaml_values(text: str, file: str = "<text>") -> dict[str, Any]:
    """The plain values of a thesis file as an editor's schema check sees them (dates stay text).

    Raises `ThesisFileError` for everything the loader refuses before the model sees the data.
    """
    return _plain(text, file)[0]


def _parse(text: str, file: str, default_id: str, extra_rules: Sequence[Rule] = ()) -> tuple[Thesis, _Positions]:
    data, positions = _plain(text, file)
    if "id" not in data:
        data["id"] = default_id.lower()
    try:
        thesis = Thesis.model_validate(data)
    except ValidationError as exc:
        issues = []
        for err in exc.errors():
            kind = str(err.get("type", ""))
            loc = _clean_loc(err["loc"], data, kind)
            message = _pydantic_message(dict(err), loc)
            if loc == ("id",) and ("id",) not in positions.keys:
                message = f"the file name gives the id {data['id']!r}, which is not a valid id; add a line like `id: some-name`"
            # `[key]`: pydantic's mark for a problem with a mapping's key (a ticker under weights), not its value.
            at_key = kind == "extra_forbidden" or "[key]" in err["loc"]
            issues.append(_issue(file, positions.mark(loc, key=at_key), loc, message))
        # the rules that can read plain values report in the same run, except where a field is already wrong
        wrong = {i.path for i in issues}
        findings = [f for rule in extra_rules if isinstance(rule, PlainRule) for f in rule.on_values(data)]
        issues += [i for i in _located(findings, file, text, positions) if i.path not in wrong]
        raise ThesisFileError(_sorted(issues)) from None
    issues = _rule_issues(thesis, file, text, positions, [rules.findings, *extra_rules])
    if issues:
        raise ThesisFileError(_sorted(issues))
    return thesis, positions


def _sorted(issues: list[ValidationIssue]) -> list[ValidationIssue]:
    unique = list(dict.fromkeys(issues))
    return sorted(unique, key=lambda i: (i.line, i.column))


def parse_thesis_text(text: str, file: str = "<text>", default_id: str | None = None, extra_rules: Sequence[Rule] = ()) -> Thesis:
    """Validate the text of one thesis file; raise `ThesisFileError` with every issue found.

    `file` is the name used in messages; `default_id` the id when the file gives none (by
    default the stem of `file`); `extra_rules` run after the built-in ones (see `Rule`).
    """
    if default_id is None:
        default_id = "thesis" if file == "<text>" else Path(file).stem
    return _parse(text, file, default_id, extra_rules)[0]


def _read(path: Path, file: str) -> str:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ThesisFileError([ValidationIssue(file, 1, 1, "", f"cannot read file: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ThesisFileError(
            [ValidationIssue(file, 1, 1, "", f"file is larger than {MAX_FILE_BYTES // 1000} kB; a thesis file should be small")]
        )
    return _decode(raw, file)


def load_thesis_file(path: Path, display: str | None = None, extra_rules: Sequence[Rule] = ()) -> Thesis:
    """Read and validate one file; raise `ThesisFileError` on any problem (never anything else)."""
    file = display or str(path)
    return _parse(_read(path, file), file, path.stem, extra_rules)[0]


def thesis_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to their `*.yaml`/`*.yml` files (sorted), skipping hidden files; keep files as given.

    Hidden files are editor locks, swap files and macOS `._name.yaml` resource forks, not theses.
    """
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(f for f in p.iterdir() if f.suffix in THESIS_SUFFIXES and not f.name.startswith(".") and f.is_file())
            )
        else:
            out.append(p)
    return out


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_theses(paths: Path | Iterable[Path], extra_rules: Sequence[Rule] = ()) -> LoadResult:
    """Load every thesis in the given files/folders: good ones load, bad ones are reported.

    When two files claim the same thesis id, the first in name order loads and the other is
    reported at its `id:` line (or at the top, when the id comes from the file name).
    """
    result = LoadResult()
    items = [paths] if isinstance(paths, Path) else list(paths)
    for file in thesis_files(items):
        shown = _display(file)
        try:
            thesis, positions = _parse(_read(file, shown), shown, file.stem, extra_rules)
        except ThesisFileError as exc:
            log.warning("invalid thesis file %s (%s)", shown, count(len(exc.issues), "problem"))
            result.invalid.append(InvalidFile(shown, exc.issues))
            continue
        if thesis.id in result.paths:
            other = _display(result.paths[thesis.id])
            issue = _issue(shown, positions.mark(("id",)), ("id",), f"thesis id {thesis.id!r} is already used by {other}")
            log.warning("thesis file %s repeats the id %r of %s", shown, thesis.id, other)
            result.invalid.append(InvalidFile(shown, (issue,)))
            continue
        result.theses.append(thesis)
        result.paths[thesis.id] = file
    return result
