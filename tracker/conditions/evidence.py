"""What a check saw, as a tree that keeps the condition's structure, and its one rendering.

The evaluator builds the tree (`Operand`, `Comparison`, `Logic`); it is stored as JSON with the
check's result, and `render` turns it into the line the terminal, `tracker status --json` and the
dashboard all show. Every comparison says whether it held:

    drawdown(portfolio) = 31.0%, > 25% ✔          held
    drawdown(portfolio) = 6.0%, not > 25%          did not hold
    metric(share) < 20%: unknown, no observation of share yet

`and`, `or` and `not` keep their structure: each part is in parentheses, so nesting reads as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

HELD = "✔"


@dataclass(frozen=True)
class Operand:
    """One side of a comparison: a literal (`-30%`) or a function with the value it had, or why it had none."""

    text: str
    shown: str | None = None  # the value as the investor writes it (None: a literal, or unknown)
    why: str | None = None  # why the value is unknown
    note: str | None = None  # a caveat about the value (news read on only part of the window)
    literal: bool = False


@dataclass(frozen=True)
class Comparison:
    op: str
    left: Operand
    right: Operand
    truth: bool | None


@dataclass(frozen=True)
class Logic:
    op: Literal["and", "or", "not"]
    items: tuple[Node, ...]
    truth: bool | None


Node = Comparison | Logic


def _operand(o: Operand) -> str:
    if o.literal or o.shown is None:
        return o.text
    note = f" ({o.note})" if o.note else ""
    return f"{o.text} = {o.shown}{note}"


def _whys(node: Node) -> list[str]:
    if isinstance(node, Comparison):
        return [f"{o.why}" for o in (node.left, node.right) if o.why]
    return [w for item in node.items for w in _whys(item)]


def _comparison(c: Comparison) -> str:
    left = _operand(c.left)
    known_left = not c.left.literal and c.left.shown is not None
    sep = ", " if known_left else " "
    right = _operand(c.right)
    if c.truth is None:
        whys = "; ".join(dict.fromkeys(_whys(c)))
        return f"{left}{sep}{c.op} {right}: unknown" + (f", {whys}" if whys else "")
    if c.truth:
        return f"{left}{sep}{c.op} {right} {HELD}"
    return f"{left}{sep}not {c.op} {right}"


def render(node: Node) -> str:
    """The evidence of one check on one line, in the notation of its `when:`."""
    if isinstance(node, Comparison):
        return _comparison(node)
    if node.op == "not":
        return f"not ({render(node.items[0])})"
    return f" {node.op} ".join(f"({render(item)})" for item in node.items)


# ---- JSON: stored with the check's result and sent with alerts -----------------------------------


def to_json(node: Node) -> dict[str, Any]:
    if isinstance(node, Comparison):
        return {"compare": node.op, "truth": node.truth, "left": _operand_json(node.left), "right": _operand_json(node.right)}
    return {"logic": node.op, "truth": node.truth, "items": [to_json(i) for i in node.items]}


def _operand_json(o: Operand) -> dict[str, Any]:
    out: dict[str, Any] = {"text": o.text}
    if o.literal:
        out["literal"] = True
    else:
        out["shown"] = o.shown
        if o.why:
            out["why"] = o.why
        if o.note:
            out["note"] = o.note
    return out


def from_json(data: dict[str, Any]) -> Node:
    if "compare" in data:
        return Comparison(str(data["compare"]), _operand_from(data["left"]), _operand_from(data["right"]), data.get("truth"))
    return Logic(data["logic"], tuple(from_json(i) for i in data["items"]), data.get("truth"))


def _operand_from(data: dict[str, Any]) -> Operand:
    return Operand(str(data["text"]), data.get("shown"), data.get("why"), data.get("note"), bool(data.get("literal", False)))
