"""A small, safe expression language for risk profiles, with types checked before use.

Analysts write conditions such as::

    item.hs_code.startsWith("0810") && item.origin in ["VN", "TH"] && item.unit_value < 2.5

The syntax is a subset of Google's CEL: literals (numbers, "strings", true,
false, [lists]), field paths from a fixed schema, ``! - * / + -``,
comparisons ``== != < <= > >=``, ``in`` (list membership), ``&&``, ``||``,
parentheses, and the string methods ``startsWith``, ``endsWith`` and
``contains``. Nothing else exists: no attribute lookup on Python objects, no
calls of arbitrary functions, no ``eval``.

An expression is parsed, then type-checked against the schema (a condition
must be boolean; ``<`` needs two numbers; ``in`` a list of the left side's
type); any error is an :class:`ExpressionError` with the 0-based character
position. A checked expression compiles to nested Python closures, which
evaluate a fact mapping in microseconds.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

STRING, NUMBER, BOOL = "string", "number", "bool"
LIST_OF = "list<{}>"

Facts = Mapping[str, Any]
Compiled = Callable[[Facts], Any]


class ExpressionError(ValueError):
    """A syntax or type error, at ``position`` (0-based) of the expression."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at position {self.position})"


# --- tokens ---------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>&&|\|\||==|!=|<=|>=|[<>!()\[\],.+\-*/])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, name, op, end
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            if text[i] in "\"'":
                raise ExpressionError("unterminated string", i)
            raise ExpressionError(f"unexpected character {text[i]!r}", i)
        kind = m.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, m.group(), i))
        i = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- syntax tree ------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    kind: str  # literal, list, field, unary, binary, method
    position: int
    value: Any = None  # literal value, field path, operator or method name
    args: tuple[Node, ...] = ()


_BINARY = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "in": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
}
METHODS = {"startsWith", "endsWith", "contains"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, text: str) -> Token:
        if self.token.text != text or self.token.kind not in ("op", "name"):
            found = self.token.text or "the end"
            raise ExpressionError(f"expected {text!r}, found {found!r}", self.token.position)
        return self.take()

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise ExpressionError("the expression is empty", 0)
        node = self.expression(0)
        if self.token.kind != "end":
            raise ExpressionError(f"unexpected {self.token.text!r}", self.token.position)
        return node

    def expression(self, min_power: int) -> Node:
        left = self.unary()
        while True:
            token = self.token
            op = token.text if token.kind in ("op", "name") else None
            power = _BINARY.get(op or "")
            if power is None or power <= min_power:
                return left
            self.take()
            right = self.expression(power)
            left = Node("binary", token.position, op, (left, right))

    def unary(self) -> Node:
        token = self.token
        if token.kind == "op" and token.text in ("!", "-"):
            self.take()
            return Node("unary", token.position, token.text, (self.unary(),))
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while self.token.text == "." and self.token.kind == "op":
            dot = self.take()
            name = self.take()
            if name.kind != "name":
                raise ExpressionError("expected a name after '.'", name.position)
            if self.token.text == "(" and self.token.kind == "op":
                if name.text not in METHODS:
                    raise ExpressionError(
                        f"unknown method {name.text!r} (known: {', '.join(sorted(METHODS))})",
                        name.position,
                    )
                self.take()
                args = [] if self.token.text == ")" else [self.expression(0)]
                while self.token.text == ",":
                    self.take()
                    args.append(self.expression(0))
                self.expect(")")
                node = Node("method", name.position, name.text, (node, *args))
            elif node.kind == "field":
                node = Node("field", node.position, f"{node.value}.{name.text}")
            else:
                raise ExpressionError("only fields have parts", dot.position)
        return node

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Node("literal", token.position, Decimal(token.text))
        if token.kind == "string":
            body = token.text[1:-1]
            return Node("literal", token.position, re.sub(r"\\(.)", r"\1", body))
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Node("literal", token.position, token.text == "true")
            if token.text == "in":
                raise ExpressionError("'in' needs a value on its left", token.position)
            return Node("field", token.position, token.text)
        if token.text == "(":
            node = self.expression(0)
            self.expect(")")
            return node
        if token.text == "[":
            items: list[Node] = []
            if self.token.text != "]":
                items.append(self.expression(0))
                while self.token.text == ",":
                    self.take()
                    items.append(self.expression(0))
            self.expect("]")
            return Node("list", token.position, None, tuple(items))
        if token.kind == "end":
            raise ExpressionError("unexpected end of the expression", token.position)
        raise ExpressionError(f"unexpected {token.text!r}", token.position)


def parse(text: str) -> Node:
    return _Parser(text).parse()


# --- types ---------------------------------------------------------------------------


def type_of(node: Node, schema: Mapping[str, str]) -> str:
    """The type of ``node`` under ``schema`` (field path -> type), or :class:`ExpressionError`."""
    if node.kind == "literal":
        if isinstance(node.value, bool):
            return BOOL
        return NUMBER if isinstance(node.value, Decimal) else STRING
    if node.kind == "field":
        found = schema.get(node.value)
        if found is None:
            near = difflib.get_close_matches(node.value, list(schema), n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise ExpressionError(f"unknown field {node.value!r}{hint}", node.position)
        return found
    if node.kind == "list":
        if not node.args:
            raise ExpressionError("an empty list cannot be typed", node.position)
        types = [type_of(a, schema) for a in node.args]
        for a, t in zip(node.args, types, strict=True):
            if t != types[0] or t.startswith("list"):
                raise ExpressionError(f"list elements must all be {types[0]}, not {t}", a.position)
        return LIST_OF.format(types[0])
    if node.kind == "unary":
        inner = type_of(node.args[0], schema)
        want = BOOL if node.value == "!" else NUMBER
        if inner != want:
            raise ExpressionError(
                f"{node.value!r} needs a {want}, not a {inner}", node.args[0].position
            )
        return want
    if node.kind == "method":
        target, *args = node.args
        if type_of(target, schema) != STRING:
            raise ExpressionError(f"{node.value} applies to a string", target.position)
        if len(args) != 1:
            raise ExpressionError(f"{node.value} takes one argument", node.position)
        if type_of(args[0], schema) != STRING:
            raise ExpressionError(f"{node.value} needs a string argument", args[0].position)
        return BOOL
    return _binary_type(node, schema)


def _binary_type(node: Node, schema: Mapping[str, str]) -> str:
    """The type of a binary operation: logic, comparison, membership or arithmetic."""
    left, right = node.args
    lt, rt = type_of(left, schema), type_of(right, schema)
    op = node.value
    if op in ("&&", "||"):
        for side, t in ((left, lt), (right, rt)):
            if t != BOOL:
                raise ExpressionError(f"{op!r} needs true/false, not a {t}", side.position)
        return BOOL
    if op in ("==", "!="):
        if lt != rt:
            raise ExpressionError(f"cannot compare a {lt} with a {rt}", node.position)
        return BOOL
    if op in ("<", "<=", ">", ">="):
        if lt != NUMBER or rt != NUMBER:
            bad = left if lt != NUMBER else right
            raise ExpressionError(
                f"{op!r} compares numbers, not a {lt if lt != NUMBER else rt}", bad.position
            )
        return BOOL
    if op == "in":
        if rt != LIST_OF.format(lt):
            raise ExpressionError(
                f"'in' needs a list of {lt} on its right, not a {rt}", right.position
            )
        return BOOL
    if lt != NUMBER or rt != NUMBER:  # + - * /
        bad = left if lt != NUMBER else right
        raise ExpressionError(f"{op!r} needs numbers", bad.position)
    return NUMBER


# --- compilation -------------------------------------------------------------------------


def _compile(node: Node) -> Compiled:
    kind = node.kind
    if kind == "literal":
        value = node.value
        return lambda facts: value
    if kind == "field":
        path = node.value
        return lambda facts: facts.get(path)
    if kind == "list":
        parts = [_compile(a) for a in node.args]
        if all(a.kind == "literal" for a in node.args):
            frozen = frozenset(a.value for a in node.args)
            return lambda facts: frozen
        return lambda facts: frozenset(p(facts) for p in parts)
    if kind == "unary":
        inner = _compile(node.args[0])
        if node.value == "!":
            return lambda facts: not inner(facts)
        return lambda facts: _neg(inner(facts))
    if kind == "method":
        target, arg = (_compile(a) for a in node.args)
        name = node.value

        def call(facts: Facts) -> bool:
            s, a = target(facts), arg(facts)
            if s is None or a is None:
                return False
            if name == "startsWith":
                return s.startswith(a)
            if name == "endsWith":
                return s.endswith(a)
            return a in s

        return call
    left, right = (_compile(a) for a in node.args)
    op = node.value
    if op == "&&":
        return lambda facts: bool(left(facts)) and bool(right(facts))
    if op == "||":
        return lambda facts: bool(left(facts)) or bool(right(facts))
    if op == "in":
        return lambda facts: left(facts) in right(facts)
    fn = _OPS[op]

    def binary(facts: Facts) -> Any:
        a, b = left(facts), right(facts)
        # A missing value (no preference, no quantity) makes a comparison false, not an error.
        if a is None or b is None:
            return None if op in "+-*/" else op == "!=" and a is not b
        return fn(a, b)

    return binary


def _neg(value: Any) -> Any:
    return None if value is None else -value


def _div(a: Decimal, b: Decimal) -> Decimal | None:
    return None if b == 0 else a / b


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": _div,
}


@dataclass(frozen=True)
class Condition:
    """A checked, compiled boolean expression."""

    text: str
    evaluate: Compiled

    def __call__(self, facts: Facts) -> bool:
        return bool(self.evaluate(facts))


def compile_condition(text: str, schema: Mapping[str, str]) -> Condition:
    """Parse, type-check and compile ``text`` as a condition (it must be true/false)."""
    if len(text) > 4000:
        raise ExpressionError("the expression is longer than 4000 characters", 4000)
    tree = parse(text)
    kind = type_of(tree, schema)
    if kind != BOOL:
        raise ExpressionError(f"a condition must be true or false, not a {kind}", tree.position)
    return Condition(text, _compile(tree))
