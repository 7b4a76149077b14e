"""A small hand-written tokenizer and recursive-descent parser for the condition language.

Grammar (lowest precedence first):

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | comparison
    comparison := operand OP operand            OP: < <= > >= == !=
    operand    := NUMBER | PERCENT | call
    call       := NAME "(" [arg ("," arg)*] ")"
    arg        := NUMBER | PERCENT | DURATION | STRING | NAME

Parsing never evaluates user text; function names and argument types are checked against the
signature table, and tickers against the thesis, so mistakes surface at validation time.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from tracker.conditions.ast import Argument, BoolOp, Call, Compare, Expr, Not, Number, Operand, Span, Symbol, Text
from tracker.errors import TrackerError
from tracker.thesis.units import MAX_DURATION_DAYS, MAX_DURATION_YEARS, Duration

MAX_LENGTH = 2000
MAX_DEPTH = 50

ArgKind = Literal["ticker", "subject", "window", "phrases", "metric"]


@dataclass(frozen=True)
class Signature:
    args: tuple[ArgKind, ...]
    optional: int = 0  # how many trailing args may be left out
    kind: Literal["fraction", "price", "days", "count", "score", "value"] = "fraction"
    needs_target: bool = False
    needs_position: bool = False


FUNCTIONS: dict[str, Signature] = {
    "price": Signature(("ticker",), kind="price"),
    "return": Signature(("subject", "window"), optional=1),
    "drawdown": Signature(("subject",)),
    "excess": Signature(("subject",)),
    "progress": Signature(("ticker",), needs_target=True, needs_position=True),
    "days_left": Signature(("ticker",), kind="days", needs_position=True),
    "news": Signature(("phrases", "window"), kind="count"),
    "negative_news": Signature(("phrases", "window"), kind="count"),
    "sentiment": Signature(("ticker", "window"), kind="score"),
    "metric": Signature(("metric",), kind="value"),
}


class ConditionError(TrackerError):
    """A condition that does not parse or type-check; `column` is 1-based within the text."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>"[^"\n]*")
  | (?P<digitname>\d+[.\-][A-Za-z][A-Za-z0-9.\-]*)
  | (?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?P<suffix>%|[dwmy](?![A-Za-z0-9_]))?)
  | (?P<op><=|>=|==|!=|<|>)
  | (?P<punct>[(),])
  | (?P<name>\^?[A-Za-z_][A-Za-z0-9_.\-]*(?:=[A-Za-z]+)?)
    """,
    re.X,
)


@dataclass(frozen=True)
class Token:
    kind: str  # string number percent duration op punct name end
    text: str
    column: int
    value: object = None


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            if ch == '"':
                raise ConditionError("unterminated string: close it with a double quote", pos + 1)
            raise ConditionError(f"unexpected character {ch!r}", pos + 1)
        kind = m.lastgroup if m.lastgroup != "suffix" else "number"
        col = pos + 1
        raw = m.group(0)
        if m.group("ws"):
            pass
        elif m.group("string") is not None:
            tokens.append(Token("string", raw, col, raw[1:-1]))
        elif m.group("number") is not None:
            suffix = m.group("suffix")
            digits = raw[: -len(suffix)] if suffix else raw
            if suffix == "%":
                tokens.append(Token("percent", raw, col, float(digits) / 100.0))
            elif suffix:
                if not re.fullmatch(r"\d+", digits):
                    raise ConditionError(f"expected a duration like 30d, got {raw!r}", col)
                if len(digits) > 9 or Duration(int(digits), suffix).approx_days() > MAX_DURATION_DAYS:  # type: ignore[arg-type]
                    raise ConditionError(f"the window {raw[:24]} is longer than {MAX_DURATION_YEARS} years", col)
                tokens.append(Token("duration", raw, col, Duration(int(digits), suffix)))  # type: ignore[arg-type]
            else:
                tokens.append(Token("number", raw, col, float(digits)))
        elif m.group("digitname") is not None:
            tokens.append(Token("name", raw, col))
        elif m.group("op"):
            tokens.append(Token("op", raw, col))
        elif m.group("punct"):
            tokens.append(Token("punct", raw, col))
        else:
            tokens.append(Token("name", raw, col))
        assert kind is not None
        pos = m.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str, tickers: frozenset[str] | None, positions: frozenset[str] | None, targeted: frozenset[str] | None, benchmark: str | None) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.tickers = tickers
        self.positions = positions
        self.targeted = targeted
        self.benchmark = benchmark
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def expect(self, text: str, what: str) -> Token:
        if self.tok.text != text or self.tok.kind not in ("punct", "op"):
            got = "the end" if self.tok.kind == "end" else repr(self.tok.text)
            raise ConditionError(f"expected {what}, got {got}", self.tok.column)
        return self.take()

    def parse(self) -> Expr:
        if self.tok.kind == "end":
            raise ConditionError("empty condition", 1)
        expr = self.or_expr()
        if self.tok.kind != "end":
            raise ConditionError(f"unexpected {self.tok.text!r}; join conditions with `and` / `or`", self.tok.column)
        return expr

    def _nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(f"condition nested deeper than {MAX_DEPTH} levels", self.tok.column)

    def or_expr(self) -> Expr:
        left = self.and_expr()
        while self.tok.kind == "name" and self.tok.text == "or":
            self.take()
            left = BoolOp("or", left, self.and_expr())
        return left

    def and_expr(self) -> Expr:
        left = self.not_expr()
        while self.tok.kind == "name" and self.tok.text == "and":
            self.take()
            left = BoolOp("and", left, self.not_expr())
        return left

    def not_expr(self) -> Expr:
        self._nest()
        try:
            if self.tok.kind == "name" and self.tok.text == "not":
                self.take()
                return Not(self.not_expr())
            if self.tok.kind == "punct" and self.tok.text == "(":
                self.take()
                inner = self.or_expr()
                self.expect(")", "`)`")
                return inner
            return self.comparison()
        finally:
            self.depth -= 1

    def comparison(self) -> Compare:
        left = self.operand()
        if self.tok.kind != "op":
            got = "the end" if self.tok.kind == "end" else repr(self.tok.text)
            raise ConditionError(f"expected a comparison (< <= > >= == !=) after `{left}`, got {got}", self.tok.column)
        op = self.take()
        right = self.operand()
        if isinstance(left, Number) and isinstance(right, Number):
            raise ConditionError("a comparison needs at least one function, e.g. price(NET) > 300", left.column)
        _unit_sense(left, right)
        _unit_sense(right, left)
        return Compare(op.text, left, right, left.column)  # type: ignore[arg-type]

    def operand(self) -> Operand:
        t = self.tok
        if t.kind in ("number", "percent"):
            self.take()
            return Number(float(t.value), t.kind == "percent", t.column)  # type: ignore[arg-type]
        if t.kind == "name" and t.text not in ("and", "or", "not"):
            return self.call()
        if t.kind == "duration":
            raise ConditionError("a duration can only be a function's window, e.g. news(\"outage\", 30d)", t.column)
        if t.kind == "string":
            raise ConditionError("a string can only be a function's argument, e.g. news(\"outage\", 30d)", t.column)
        got = "the end" if t.kind == "end" else repr(t.text)
        raise ConditionError(f"expected a number or a function like price(NET), got {got}", t.column)

    def call(self) -> Call:
        name = self.take()
        sig = FUNCTIONS.get(name.text)
        if sig is None:
            close = difflib.get_close_matches(name.text, FUNCTIONS, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else f"; known: {', '.join(FUNCTIONS)}"
            raise ConditionError(f"unknown function `{name.text}`{hint}", name.column)
        if not (self.tok.kind == "punct" and self.tok.text == "("):
            raise ConditionError(f"`{name.text}` is a function: write {name.text}(…)", self.tok.column)
        self.take()
        args: list[Argument] = []
        while not (self.tok.kind == "punct" and self.tok.text == ")"):
            if args:
                self.expect(",", "`,` or `)`")
            args.append(self.argument())
        close_paren = self.take()
        need = len(sig.args) - sig.optional
        if not need <= len(args) <= len(sig.args):
            count = f"{need}" if sig.optional == 0 else f"{need} or {len(sig.args)}"
            raise ConditionError(f"`{name.text}` takes {count} argument{'s' if len(sig.args) > 1 else ''}, got {len(args)}", close_paren.column if len(args) < need else args[len(sig.args)].column)
        for kind, arg in zip(sig.args, args, strict=False):
            self.check_arg(name.text, sig, kind, arg)
        return Call(name.text, tuple(args), name.column)

    def argument(self) -> Argument:
        t = self.take()
        if t.kind == "string":
            return Text(str(t.value), t.column)
        if t.kind == "duration":
            return Span(t.value, t.column)  # type: ignore[arg-type]
        if t.kind in ("number", "percent"):
            return Number(float(t.value), t.kind == "percent", t.column)  # type: ignore[arg-type]
        if t.kind == "name":
            return Symbol(t.text, t.column)
        got = "the end" if t.kind == "end" else repr(t.text)
        raise ConditionError(f"expected an argument, got {got}", t.column)

    def check_arg(self, fn: str, sig: Signature, kind: ArgKind, arg: Argument) -> None:
        if kind == "window":
            if isinstance(arg, Number) and not arg.percent and arg.value.is_integer() and arg.value > 0:
                if arg.value > MAX_DURATION_DAYS:
                    raise ConditionError(f"a window of {arg.value:.0f} days is longer than {MAX_DURATION_YEARS} years", arg.column)
                return
            if not isinstance(arg, Span):
                raise ConditionError(f"expected a duration like 30d as the window of `{fn}`", arg.column)
            if arg.value.amount <= 0:
                raise ConditionError("a window must be longer than 0 days", arg.column)
            return
        if kind == "phrases":
            if not isinstance(arg, Text) or not [p for p in arg.value.split("|") if p.strip()]:
                raise ConditionError(f'expected phrases in double quotes, like "DeepSeek outage|price cut", as the first argument of `{fn}`', arg.column)
            return
        if kind == "metric":
            if not isinstance(arg, (Symbol, Text)) or not re.fullmatch(r"[a-z_][a-z0-9_]*", arg.value if isinstance(arg, Text) else arg.name):
                raise ConditionError(f"expected a metric name like inference_share_of_ai_revenue in `{fn}`", arg.column)
            return
        if not isinstance(arg, Symbol):
            raise ConditionError(f"expected a ticker{' or `portfolio`' if kind == 'subject' else ''} in `{fn}`", arg.column)
        if kind == "subject" and arg.name == "portfolio":
            if fn == "excess" and self.benchmark is None and self.positions is not None:
                raise ConditionError("`excess` needs a benchmark: add `benchmark:` to the thesis", arg.column)
            return
        if arg.name == "portfolio":
            raise ConditionError(f"`{fn}` takes a ticker, not `portfolio`", arg.column)
        if self.tickers is not None and arg.name not in self.tickers:
            allowed = ", ".join(sorted(self.tickers)) or "none"
            raise ConditionError(f"`{arg.name}` is not a ticker of this thesis (its tickers: {allowed})", arg.column)
        if sig.needs_position and self.positions is not None and arg.name not in self.positions:
            raise ConditionError(f"`{fn}` needs a position; `{arg.name}` is only the benchmark", arg.column)
        if sig.needs_target and self.targeted is not None and arg.name not in self.targeted:
            raise ConditionError(f"`{arg.name}` has no target or upside, so `progress` is undefined", arg.column)
        if fn == "excess" and self.benchmark is None and self.positions is not None:
            raise ConditionError("`excess` needs a benchmark: add `benchmark:` to the thesis", arg.column)


def _unit_sense(call: Operand, other: Operand) -> None:
    """A fraction (return, drawdown, excess, progress) compared with a plain number beyond ±1 can
    only mean a percentage written without its `%`: `return(NET) < -30` never fires."""
    if not isinstance(call, Call) or not isinstance(other, Number) or other.percent:
        return
    if FUNCTIONS[call.function].kind == "fraction" and abs(other.value) > 1:
        raise ConditionError(f"compares a fraction with {other}; did you mean {other}%? (`{call}` is a fraction: 0.3 is 30%)", other.column)


def parse(
    text: str,
    tickers: frozenset[str] | None,
    *,
    positions: frozenset[str] | None = None,
    targeted: frozenset[str] | None = None,
    benchmark: str | None = None,
) -> Expr:
    """Parse and type-check one condition; raise `ConditionError` with a column on any problem.

    `tickers` are the names a ticker argument may take (None: any, when they cannot be known);
    `positions`, `targeted` and `benchmark` refine the checks when given (None: not checked).
    """
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition longer than {MAX_LENGTH} characters", 1)
    return _Parser(text, tickers, positions, targeted, benchmark).parse()
