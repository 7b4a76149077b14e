"""What changed between two versions of a thesis file, one line per changed field (pure, no I/O).

A version is read by `parse_version`: the `Thesis` model when its text validates, else the plain
YAML values when it is still a YAML mapping (a version stored before a rule was added may no
longer validate, and a git commit may hold a half-edited file). Both are turned into the same
plain snapshot — percentages as fractions, dates as ISO text, durations as `540d` — so a model
and a plain version compare field by field, and a value that does not parse is compared as
written.

Lists are matched by what identifies their items: positions by ticker, assumptions by id,
rebalances and reviews by date, observations by metric and date, checks by their condition (an
edited condition is matched by its place). Each line names the field with its before and after
values: `positions[NET].target: 330 → 360`, `positions[CCC] added (opened 2026-04-01, weight 25%)`.

An edit that rewrites the past without a date — the figures of every day already counted change
although the file says nothing happened — is flagged in its line with `(changes the past: …)`
and `Change.rewrites_past`. With `on` the day of the edit, that is:

- a weight, target, upside, entry_price, horizon, until or opened of a position held since
  before `on` (its own `opened`, else the thesis's, is before `on`);
- a position held since before `on` removed (instead of given a `closed` date);
- a position added without `opened` to a thesis opened before `on` (it counts as bought at the
  opening);
- the thesis's `opened` moved, when the old or the new date is before `on`;
- a dated entry whose date has passed changed or removed: the `closed` date or `exit_price` of a
  position sold before `on`, a rebalance dated before `on`, the thesis's `closed` date when it
  was closed before `on`.

Adding a dated entry (a position with `opened`, a `closed` date, a rebalance) is never flagged,
even when its date is in the past: that is how the file records what happened.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.formatting import short_percent
from tracker.thesis.loader import ThesisFileError, parse_thesis_text, yaml_values
from tracker.thesis.model import Thesis
from tracker.thesis.units import UnitError, parse_date, parse_duration, parse_number, parse_percent

PAST = "changes the past"
NOTHING = "—"
ARROW = "→"
FIRST_VERSION = "first version"
NO_FIELD_CHANGED = "no field changed (comments or layout only)"

_TEXT_WIDTH = 60

Version = Thesis | Mapping[str, Any]


@dataclass(frozen=True)
class Change:
    """One change line; `rewrites_past` when the edit changes figures of days already counted."""

    text: str
    rewrites_past: bool = False


# ---- reading a version ---------------------------------------------------------------------


def parse_version(text: str, file: str = "<text>", default_id: str | None = None) -> Version | None:
    """The `Thesis` when `text` validates, else its plain YAML values, else None (not a YAML mapping).

    `default_id` is the id when the text gives none (the file name's stem, as the loader does).
    """
    stem = (default_id if default_id is not None else "thesis" if file == "<text>" else Path(file).stem).lower()
    try:
        return parse_thesis_text(text, file, stem)
    except ThesisFileError:
        pass
    try:
        values = yaml_values(text, file)
    except ThesisFileError:
        return None
    values.setdefault("id", stem)
    return values


def snapshot(version: Version) -> dict[str, Any]:
    """The plain, normalised values of a version: what the comparison works on."""
    if isinstance(version, Thesis):
        return version.model_dump(mode="json")
    return _plain_snapshot(version)


def _try(fn: Callable[[Any], Any], value: Any) -> Any:
    """`fn(value)`, or the value as written when it does not parse."""
    if value is None:
        return None
    try:
        return fn(value)
    except (UnitError, ValueError, TypeError, OverflowError):
        return value


def _iso(value: Any) -> str:
    return parse_date(value).isoformat()


def _duration(value: Any) -> str:
    return str(parse_duration(value))


def _text_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _source(value: Any) -> Any:
    return {"title": str(value)} if isinstance(value, (str, int, float)) and not isinstance(value, bool) else value


_POSITION_UNITS: dict[str, Callable[[Any], Any]] = {
    "weight": parse_percent, "upside": parse_percent, "target": parse_number, "entry_price": parse_number,
    "exit_price": parse_number, "horizon": _duration, "until": _iso, "opened": _iso, "closed": _iso, "aliases": _text_list,
}


def _fields(item: Any, units: Mapping[str, Callable[[Any], Any]], defaults: Mapping[str, Any] | None = None) -> Any:
    if not isinstance(item, Mapping):
        return item
    out = dict(defaults or {})
    out.update(item)
    for key, fn in units.items():
        if key in out:
            out[key] = _try(fn, out[key])
    return out


def _each(items: Any, fn: Callable[[Any], Any]) -> Any:
    return [fn(item) for item in items] if isinstance(items, list) else items


def _assumption(item: Any) -> Any:
    item = _fields(item, {"keywords": _text_list})
    if isinstance(item, dict):
        if "checks" in item:
            item["checks"] = _each(item["checks"], lambda c: _fields(c, {}, {"then": "falsified"}))
        if "observations" in item:
            item["observations"] = _each(item["observations"], lambda o: _fields(o, {"date": _iso, "value": parse_percent}))
        if "reviews" in item:
            item["reviews"] = _each(item["reviews"], lambda r: _fields(r, {"date": _iso}))
    return item


def _rebalance(item: Any) -> Any:
    item = _fields(item, {"date": _iso})
    if isinstance(item, dict) and isinstance(item.get("weights"), Mapping):
        item["weights"] = {str(k): _try(parse_percent, v) for k, v in item["weights"].items()}
    return item


def _plain_snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    out.setdefault("currency", "USD")
    for key, fn in (("opened", _iso), ("risks", _text_list), ("feeds", _text_list)):
        if key in out:
            out[key] = _try(fn, out[key])
    if "positions" in out:
        out["positions"] = _each(out["positions"], lambda p: _fields(p, _POSITION_UNITS))
    if "assumptions" in out:
        out["assumptions"] = _each(out["assumptions"], _assumption)
    if "rebalances" in out:
        out["rebalances"] = _each(out["rebalances"], _rebalance)
    if "sources" in out:
        out["sources"] = _each(out["sources"], _source)
    if "closed" in out:
        out["closed"] = _fields(out["closed"], {"date": _iso})
    return out


# ---- showing values -------------------------------------------------------------------------


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict, str)) and len(value) == 0)


def _same(x: Any, y: Any) -> bool:
    """Equal values, where a missing field, null and an empty list are the same thing."""
    if _absent(x) or _absent(y):
        return _absent(x) and _absent(y)
    if isinstance(x, Mapping) and isinstance(y, Mapping):
        return all(_same(x.get(k), y.get(k)) for k in set(x) | set(y))
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y, strict=True))
    if isinstance(x, bool) or isinstance(y, bool):
        return x is y
    return bool(x == y)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: float) -> str:
    return format(value, ".10g")


def percent(value: Any) -> str:
    """0.2 → `20%`, 0.125 → `12.5%` (two decimals at most); anything else as written."""
    if not _is_number(value):
        return show(value)
    return short_percent(float(value))


def _text(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= _TEXT_WIDTH else flat[: _TEXT_WIDTH - 1].rstrip() + "…"


def show(value: Any) -> str:
    """A value on one short line: `—` for nothing, numbers bare, long text cut with `…`."""
    if _absent(value):
        return NOTHING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, Mapping):
        return _text("{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items() if not _absent(v)) + "}")
    if isinstance(value, list):
        return _text("[" + ", ".join(show(v) for v in value) + "]")
    return _text(str(value))


def _as_date(value: Any) -> dt.date | None:
    try:
        return parse_date(value)
    except (UnitError, ValueError, TypeError):
        return None


def _outcome(closing: Any) -> str:
    if not isinstance(closing, Mapping):
        return show(closing)
    outcome = closing.get("outcome")
    shown = str(outcome).replace("_", " ") if isinstance(outcome, str) else show(outcome)
    return f"{show(closing.get('date'))} ({shown})"


# ---- comparing -------------------------------------------------------------------------------

_TOP = ("title", "id", "category", "sector", "opened", "benchmark", "currency", "summary", "positions", "assumptions",
        "risks", "feeds", "sources", "rebalances", "closed")
_POSITION = ("ticker", "name", "aliases", "weight", "target", "upside", "horizon", "until", "entry_price", "currency",
             "rationale", "opened", "closed", "exit_price")
_ASSUMPTION = ("id", "statement", "falsified_if", "keywords", "checks", "observations", "reviews")
_CHECK = ("when", "then", "note")
_HELD_FIELDS = ("weight", "target", "upside", "entry_price", "horizon", "until")


def _ordered(before: Mapping[str, Any], after: Mapping[str, Any], known: Sequence[str]) -> list[str]:
    extra = sorted((set(before) | set(after)) - set(known), key=str)
    return [k for k in known if k in before or k in after] + extra


def _keyed(items: Any, key: Callable[[Mapping[str, Any]], Any]) -> dict[str, Mapping[str, Any]] | None:
    """The items of a list by their key (a repeated key gets `#2`, `#3`), or None when they have none."""
    if _absent(items):
        return {}
    if not isinstance(items, list):
        return None
    out: dict[str, Mapping[str, Any]] = {}
    seen: Counter[str] = Counter()
    for item in items:
        if not isinstance(item, Mapping):
            return None
        value = key(item)
        if _absent(value):
            return None
        name = show(value)
        seen[name] += 1
        out[name if seen[name] == 1 else f"{name}#{seen[name]}"] = item
    return out


class _Differ:
    def __init__(self, before: Mapping[str, Any], after: Mapping[str, Any], on: dt.date | None) -> None:
        self.before, self.after, self.on = before, after, on
        self.out: list[Change] = []

    # -- helpers

    def passed(self, day: Any) -> bool:
        """Whether a day is before the edit (unknown days and an unknown edit day count as passed)."""
        if self.on is None:
            return True
        when = _as_date(day)
        return when is None or when < self.on

    def line(self, text: str, past: str | None = None) -> None:
        if past is None:
            self.out.append(Change(text))
        else:
            self.out.append(Change(f"{text} ({PAST}{': ' + past if past else ''})", rewrites_past=True))

    def scalar(self, path: str, b: Any, a: Any, past: str | None = None, fmt: Callable[[Any], str] = show) -> None:
        self.line(f"{path}: {fmt(b)} {ARROW} {fmt(a)}", past)

    def items(self, path: str, b: Any, a: Any, fmt: Callable[[Any], str] = show) -> None:
        """A list of plain values: what was added and removed (or that only the order changed)."""
        bl, al = _text_list([] if _absent(b) else b), _text_list([] if _absent(a) else a)
        if not isinstance(bl, list) or not isinstance(al, list):
            self.scalar(path, b, a)
            return
        bs, as_ = Counter(fmt(x) for x in bl), Counter(fmt(x) for x in al)
        added = [x for x in dict.fromkeys(fmt(x) for x in al) for _ in range((as_ - bs)[x])]
        removed = [x for x in dict.fromkeys(fmt(x) for x in bl) for _ in range((bs - as_)[x])]
        parts = []
        if added:
            parts.append("added " + ", ".join(f'"{x}"' for x in added))
        if removed:
            parts.append("removed " + ", ".join(f'"{x}"' for x in removed))
        self.line(f"{path}: " + ("; ".join(parts) if parts else "reordered"))

    def keyed(
        self,
        path: str,
        b: Any,
        a: Any,
        key: Callable[[Mapping[str, Any]], Any],
        changed: Callable[[str, Mapping[str, Any], Mapping[str, Any]], None],
        added: Callable[[str, Mapping[str, Any]], None],
        removed: Callable[[str, Mapping[str, Any]], None],
    ) -> None:
        bk, ak = _keyed(b, key), _keyed(a, key)
        if bk is None or ak is None:
            self.scalar(path, b, a)
            return
        for name, item in bk.items():
            if name not in ak:
                removed(f"{path}[{name}]", item)
            elif not _same(item, ak[name]):
                changed(f"{path}[{name}]", item, ak[name])
        for name, item in ak.items():
            if name not in bk:
                added(f"{path}[{name}]", item)

    def fields(self, path: str, b: Mapping[str, Any], a: Mapping[str, Any], known: Sequence[str],
               each: Callable[[str, str, Any, Any], None] | None = None) -> None:
        for name in _ordered(b, a, known):
            if _same(b.get(name), a.get(name)):
                continue
            if each is not None:
                each(f"{path}.{name}", name, b.get(name), a.get(name))
            else:
                self.scalar(f"{path}.{name}", b.get(name), a.get(name))

    # -- the thesis

    def thesis(self) -> None:
        b, a = self.before, self.after
        for name in _ordered(b, a, _TOP):
            bv, av = b.get(name), a.get(name)
            if _same(bv, av):
                continue
            if name == "opened":
                moved = self.passed(bv) or self.passed(av)
                self.scalar(name, bv, av, "every figure counts from the opening" if moved else None)
            elif name == "positions":
                self.keyed(name, bv, av, lambda p: p.get("ticker"), self.position, self.position_added, self.position_removed)
            elif name == "assumptions":
                self.keyed(name, bv, av, lambda x: x.get("id"), self.assumption, self.added_assumption, self.removed)
            elif name in ("risks", "feeds"):
                self.items(name, bv, av)
            elif name == "sources":
                self.items(name, bv, av, _source_text)
            elif name == "rebalances":
                self.keyed(name, bv, av, lambda r: r.get("date"), self.rebalance, self.rebalance_added, self.rebalance_removed)
            elif name == "closed":
                self.closing(bv, av)
            else:
                self.scalar(name, bv, av)

    # -- positions

    def since(self, position: Mapping[str, Any], thesis: Mapping[str, Any]) -> Any:
        own = position.get("opened")
        return thesis.get("opened") if _absent(own) else own

    def position(self, path: str, b: Mapping[str, Any], a: Mapping[str, Any]) -> None:
        since = self.since(b, self.before)
        held = self.passed(since)
        held_since = f"held since {show(since)}"
        sold = b.get("closed")
        sold_before = not _absent(sold) and self.passed(sold)

        def each(field_path: str, name: str, bv: Any, av: Any) -> None:
            fmt = percent if name in ("weight", "upside") else show
            past: str | None = None
            if name == "weight" and held:
                past = f"{held_since}; add a rebalances entry instead"
            elif name in _HELD_FIELDS and held:
                past = held_since
            elif name == "opened" and (held or self.passed(self.since(a, self.after))):
                past = "moves the day it was bought"
            elif name in ("closed", "exit_price") and sold_before:
                past = f"sold on {show(sold)}"
            if name == "aliases":
                self.items(field_path, bv, av)
            else:
                self.scalar(field_path, bv, av, past, fmt)

        self.fields(path, b, a, _POSITION, each)

    def position_added(self, path: str, p: Mapping[str, Any]) -> None:
        parts = []
        if not _absent(p.get("opened")):
            parts.append(f"opened {show(p.get('opened'))}")
        parts.append(f"weight {percent(p.get('weight'))}")
        if not _absent(p.get("closed")):
            parts.append(f"closed {show(p.get('closed'))}")
        text = f"{path} added ({', '.join(parts)})"
        opening = self.after.get("opened")
        if _absent(p.get("opened")) and self.passed(opening):
            self.line(text, f"counts as bought at the opening, {show(opening)}: give it an opened date")
        else:
            self.line(text)

    def position_removed(self, path: str, p: Mapping[str, Any]) -> None:
        since = self.since(p, self.before)
        if self.passed(since):
            self.line(f"{path} removed", f"held since {show(since)}; give it a closed date instead")
        else:
            self.line(f"{path} removed")

    # -- assumptions

    def assumption(self, path: str, b: Mapping[str, Any], a: Mapping[str, Any]) -> None:
        def each(field_path: str, name: str, bv: Any, av: Any) -> None:
            if name == "keywords":
                self.items(field_path, bv, av)
            elif name == "checks":
                self.checks(field_path, bv, av)
            elif name == "observations":
                self.keyed(field_path, bv, av, lambda o: f"{show(o.get('metric'))} {show(o.get('date'))}", self.changed,
                           lambda p, o: self.line(f"{p} added (value {show(o.get('value'))})"), self.removed)
            elif name == "reviews":
                self.keyed(field_path, bv, av, lambda r: r.get("date"), self.changed,
                           lambda p, r: self.line(f"{p} added ({show(r.get('status'))})"), self.removed)
            else:
                self.scalar(field_path, bv, av)

        self.fields(path, b, a, _ASSUMPTION, each)

    def added_assumption(self, path: str, x: Mapping[str, Any]) -> None:
        checks = x.get("checks")
        n = len(checks) if isinstance(checks, list) else 0
        self.line(f"{path} added" + (f" ({n} check{'s' if n != 1 else ''})" if n else ""))

    def checks(self, path: str, b: Any, a: Any) -> None:
        bl, al = ([] if _absent(b) else b), ([] if _absent(a) else a)
        if not (isinstance(bl, list) and isinstance(al, list) and all(isinstance(c, Mapping) for c in [*bl, *al])):
            self.scalar(path, b, a)
            return
        matcher = difflib.SequenceMatcher(a=[show(c.get("when")) for c in bl], b=[show(c.get("when")) for c in al], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            pairs = min(i2 - i1, j2 - j1)
            for k in range(pairs):
                if not _same(bl[i1 + k], al[j1 + k]):
                    self.fields(f"{path}[{j1 + k}]", bl[i1 + k], al[j1 + k], _CHECK)
            if tag == "equal":
                continue
            for i in range(i1 + pairs, i2):
                self.line(f"{path}[{i}] removed (when: {show(bl[i].get('when'))})")
            for j in range(j1 + pairs, j2):
                self.line(f"{path}[{j}] added (when: {show(al[j].get('when'))})")

    # -- rebalances and the closing

    def rebalance(self, path: str, b: Mapping[str, Any], a: Mapping[str, Any]) -> None:
        past = "" if self.passed(b.get("date")) else None

        def each(field_path: str, name: str, bv: Any, av: Any) -> None:
            if name == "weights" and isinstance(bv, Mapping) and isinstance(av, Mapping):
                for ticker in [*bv, *(t for t in av if t not in bv)]:
                    if not _same(bv.get(ticker), av.get(ticker)):
                        self.scalar(f"{path}.weights[{ticker}]", bv.get(ticker), av.get(ticker), past, percent)
            else:
                self.scalar(field_path, bv, av, past)

        self.fields(path, b, a, ("date", "weights", "note"), each)

    def rebalance_added(self, path: str, r: Mapping[str, Any]) -> None:
        weights = r.get("weights")
        shown = ", ".join(f"{t} {percent(w)}" for t, w in weights.items()) if isinstance(weights, Mapping) else show(weights)
        self.line(f"{path} added ({shown})")

    def rebalance_removed(self, path: str, r: Mapping[str, Any]) -> None:
        self.line(f"{path} removed", "" if self.passed(r.get("date")) else None)

    def closing(self, b: Any, a: Any) -> None:
        if _absent(b) or _absent(a) or not isinstance(b, Mapping) or not isinstance(a, Mapping):
            past = None
            if isinstance(b, Mapping) and _absent(a) and self.passed(b.get("date")):
                past = f"the thesis was closed on {show(b.get('date'))}"
            self.scalar("closed", b, a, past, _outcome)
            return

        def each(field_path: str, name: str, bv: Any, av: Any) -> None:
            past = None
            if name == "date" and (self.passed(bv) or self.passed(av)):
                past = f"the thesis was closed on {show(bv)}" if self.passed(bv) else "moves the close into the past"
            self.scalar(field_path, bv, av, past)

        self.fields("closed", b, a, ("date", "outcome", "note"), each)

    # -- generic

    def changed(self, path: str, b: Mapping[str, Any], a: Mapping[str, Any]) -> None:
        self.fields(path, b, a, ())

    def removed(self, path: str, _item: Mapping[str, Any]) -> None:
        self.line(f"{path} removed")


def _source_text(value: Any) -> str:
    if isinstance(value, Mapping):
        title, url = value.get("title"), value.get("url")
        return show(title) + (f" ({url})" if not _absent(url) else "")
    return show(value)


def diff(before: Version, after: Version, on: dt.date | None = None) -> list[Change]:
    """The changed fields from `before` to `after`, edited on `on` (None: every date counts as passed)."""
    differ = _Differ(snapshot(before), snapshot(after), on)
    differ.thesis()
    return differ.out


def describe(version: Version) -> Change:
    """The line for a first version: when it opened and what it holds."""
    s = snapshot(version)
    parts = []
    if not _absent(s.get("opened")):
        parts.append(f"opened {show(s.get('opened'))}")
    positions = s.get("positions")
    if isinstance(positions, list) and positions:
        tickers = [show(p.get("ticker")) for p in positions if isinstance(p, Mapping)]
        parts.append(f"{len(positions)} position{'s' if len(positions) != 1 else ''} ({', '.join(tickers)})")
    for name, word in (("assumptions", "assumption"), ("rebalances", "rebalance")):
        items = s.get(name)
        if isinstance(items, list) and items:
            parts.append(f"{len(items)} {word}{'s' if len(items) != 1 else ''}")
    if not _absent(s.get("closed")):
        parts.append(f"closed {_outcome(s.get('closed'))}")
    return Change(f"{FIRST_VERSION}: {', '.join(parts)}" if parts else FIRST_VERSION)


def version_changes(before: Version | None, after: Version, on: dt.date | None = None) -> list[Change]:
    """The change lines of a version: `describe` for the first, else `diff` (never empty)."""
    if before is None:
        return [describe(after)]
    return diff(before, after, on) or [Change(NO_FIELD_CHANGED)]


def flagged(changes: Iterable[Change]) -> list[Change]:
    """The changes that rewrite the past."""
    return [c for c in changes if c.rewrites_past]
