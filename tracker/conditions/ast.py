"""The typed expression tree of a check's `when:` condition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tracker.thesis.units import Duration

CompareOp = Literal["<", "<=", ">", ">=", "==", "!="]


@dataclass(frozen=True)
class Number:
    value: float
    percent: bool
    column: int

    def __str__(self) -> str:
        return f"{self.value * 100:g}%" if self.percent else f"{self.value:g}"


@dataclass(frozen=True)
class Text:
    value: str
    column: int

    def __str__(self) -> str:
        return f'"{self.value}"'


@dataclass(frozen=True)
class Span:
    value: Duration
    column: int

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Symbol:
    """A ticker, `portfolio`, or a metric name, depending on the function it is passed to."""

    name: str
    column: int

    def __str__(self) -> str:
        return self.name


Argument = Number | Text | Span | Symbol


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Argument, ...]
    column: int

    def __str__(self) -> str:
        return f"{self.function}({', '.join(str(a) for a in self.args)})"


Operand = Number | Call


@dataclass(frozen=True)
class Compare:
    op: CompareOp
    left: Operand
    right: Operand
    column: int

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class BoolOp:
    op: Literal["and", "or"]
    left: Expr
    right: Expr

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


@dataclass(frozen=True)
class Not:
    operand: Expr

    def __str__(self) -> str:
        return f"not {self.operand}"


Expr = Compare | BoolOp | Not
