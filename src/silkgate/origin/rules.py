"""The rule language of the origin criteria: a rule's text parsed into a tree of criteria.

An agreement's product-specific rules are written as the agreements print
them, for instance::

    RVC 40 or CTH
    RVC 40 and CTSH
    CTH except 1511
    CC except 0901-0902, 2101.11
    SP "chemical reaction" or (RVC 40 and CTSH)
    WO

Criteria: ``WO`` (wholly obtained), ``PE`` (produced only from originating
materials), ``RVC n`` (a regional value content of at least n %, ``%``
optional), ``CC``, ``CTH`` and ``CTSH`` (every non-originating material
changes chapter, heading or subheading), each with an optional ``except``
list of HS chapters, headings or subheadings (or ranges of them, dots
allowed) that a non-originating material may not come from, and
``SP "process"`` (a named specific process). ``and`` binds closer than
``or``; parentheses group. Keywords are case-insensitive.

:func:`parse` returns the tree or raises :class:`RuleError` with the 0-based
character position; ``str()`` of a tree is its canonical text. The
documentation of the whole file format is ``docs/origin.md``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

__all__ = [
    "AllOf",
    "AnyOf",
    "Criterion",
    "ProducedEntirely",
    "RuleError",
    "SpecificProcess",
    "TariffChange",
    "ValueContent",
    "WhollyObtained",
    "parse",
    "process_name",
]


class RuleError(ValueError):
    """A rule that cannot be read, at ``position`` (0-based) of its text."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1})"


@functools.lru_cache(maxsize=4096)  # the same few process names come again and again
def process_name(text: str) -> str:
    """A process as compared: lower case, words separated by one space ("Chemical-reaction")."""
    return " ".join(re.split(r"[\s_\-]+", text.strip().lower()))


# --- the criteria ----------------------------------------------------------------------------

LEVELS = {"CC": 2, "CTH": 4, "CTSH": 6}
LEVEL_NAMES = {2: "chapter", 4: "heading", 6: "subheading"}


@dataclass(frozen=True, slots=True)
class WhollyObtained:
    code = "WO"

    def __str__(self) -> str:
        return "WO"


@dataclass(frozen=True, slots=True)
class ProducedEntirely:
    code = "PE"

    def __str__(self) -> str:
        return "PE"


@dataclass(frozen=True, slots=True)
class ValueContent:
    """A regional value content of at least ``threshold`` % of the FOB value."""

    threshold: Decimal
    code = "RVC"

    def __str__(self) -> str:
        return f"RVC {self.threshold}%"


@dataclass(frozen=True, slots=True)
class CodeRange:
    """HS codes from ``first`` to ``last`` (same length: 2, 4 or 6 digits), both included."""

    first: str
    last: str

    def covers(self, hs: str) -> bool | None:
        """Whether ``hs`` is in the range; None when ``hs`` is too short to tell."""
        n = len(self.first)
        if len(hs) >= n:
            return self.first <= hs[:n] <= self.last
        # A material known only to a coarser level is in the range if its whole
        # span is; it is outside if its span misses the range; otherwise unknown.
        low, high = hs.ljust(n, "0"), hs.ljust(n, "9")
        if high < self.first or low > self.last:
            return False
        if self.first <= low and high <= self.last:
            return True
        return None

    def __str__(self) -> str:
        return self.first if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True, slots=True)
class TariffChange:
    """Every non-originating material changes chapter (2), heading (4) or subheading (6),
    and none comes from an excepted code."""

    level: int
    exceptions: tuple[CodeRange, ...] = ()
    text: str = field(init=False, repr=False, compare=False)  # str(), built once

    def __post_init__(self) -> None:
        text = self.code
        if self.exceptions:
            text += f" except {', '.join(str(e) for e in self.exceptions)}"
        object.__setattr__(self, "text", text)

    @property
    def code(self) -> str:
        return {2: "CC", 4: "CTH", 6: "CTSH"}[self.level]

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class SpecificProcess:
    """A named process (``chemical reaction``) carried out in the exporting party."""

    process: str  # as compared: see process_name()
    code = "SP"

    def __str__(self) -> str:
        return f'SP "{self.process}"'


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Alternatives: the first that is met confers origin."""

    parts: tuple[Criterion, ...]
    # rest[i]: the alternatives after part i, as text (built once: the calculator names them)
    rest: tuple[str, ...] = field(init=False, repr=False, compare=False)
    code = "OR"

    def __post_init__(self) -> None:
        texts = [str(p) for p in self.parts]
        rest = tuple(" or ".join(texts[i + 1 :]) for i in range(len(texts)))
        object.__setattr__(self, "rest", rest)

    def __str__(self) -> str:
        return " or ".join(str(p) for p in self.parts)


@dataclass(frozen=True, slots=True)
class AllOf:
    """A combination: every part must be met."""

    parts: tuple[Criterion, ...]
    code = "AND"

    def __str__(self) -> str:
        return " and ".join(f"({p})" if isinstance(p, AnyOf) else str(p) for p in self.parts)


Criterion = (
    WhollyObtained
    | ProducedEntirely
    | ValueContent
    | TariffChange
    | SpecificProcess
    | AnyOf
    | AllOf
)


def leaves(criterion: Criterion) -> list[Criterion]:
    """The single criteria of a tree, in reading order."""
    if isinstance(criterion, AnyOf | AllOf):
        return [leaf for part in criterion.parts for leaf in leaves(part)]
    return [criterion]


# --- reading a rule ----------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"[^"]*")
  | (?P<number>[0-9][0-9.]*)
  | (?P<word>[A-Za-z_]+)
  | (?P<symbol>[%(),\-])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # string, number, word, symbol, end
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            if text[i] == '"':
                raise RuleError("a process name is not closed with a quote", i)
            raise RuleError(f"unexpected character {text[i]!r}", i)
        if m.lastgroup != "space":
            found.append(_Token(m.lastgroup or "", m.group(), i))
        i = m.end()
    found.append(_Token("end", "", len(text)))
    return found


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.i]

    def keyword(self) -> str:
        return self.token.text.upper() if self.token.kind == "word" else ""

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, expected: str) -> RuleError:
        found = repr(self.token.text) if self.token.kind != "end" else "the end of the rule"
        return RuleError(f"expected {expected}, found {found}", self.token.position)

    def rule(self) -> Criterion:
        if self.token.kind == "end":
            raise RuleError("the rule is empty", 0)
        tree = self.either()
        if self.token.kind != "end":
            raise self.fail("'and', 'or' or the end of the rule")
        return tree

    def either(self) -> Criterion:
        parts = [self.both()]
        while self.keyword() == "OR":
            self.take()
            parts.append(self.both())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def both(self) -> Criterion:
        parts = [self.unit()]
        while self.keyword() == "AND":
            self.take()
            parts.append(self.unit())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def unit(self) -> Criterion:
        if self.token.text == "(":
            self.take()
            inner = self.either()
            if self.token.text != ")":
                raise self.fail("')'")
            self.take()
            return inner
        word = self.keyword()
        if word in ("WO", "PE"):
            self.take()
            return WhollyObtained() if word == "WO" else ProducedEntirely()
        if word == "RVC":
            self.take()
            return self.value_content()
        if word in LEVELS:
            self.take()
            return TariffChange(LEVELS[word], self.exceptions())
        if word == "SP":
            self.take()
            if self.token.kind != "string" or not self.token.text.strip('" '):
                raise self.fail('a process name in quotes (SP "chemical reaction")')
            return SpecificProcess(process_name(self.take().text.strip('"')))
        raise self.fail('a criterion (WO, PE, RVC n, CC, CTH, CTSH or SP "process")')

    def value_content(self) -> ValueContent:
        token = self.token
        if token.kind != "number":
            raise self.fail("a percentage after RVC (RVC 40)")
        try:
            threshold = Decimal(token.text)
        except InvalidOperation:
            raise RuleError(f"{token.text!r} is not a percentage", token.position) from None
        if not 0 < threshold <= 100:
            raise RuleError(
                f"RVC {token.text}: a percentage above 0 and at most 100", token.position
            )
        self.take()
        if self.token.text == "%":
            self.take()
        # 40, 40.0 and 40.00 are one threshold, printed "RVC 40%".
        integral = threshold == threshold.to_integral_value()
        return ValueContent(Decimal(int(threshold)) if integral else threshold.normalize())

    def exceptions(self) -> tuple[CodeRange, ...]:
        if self.keyword() != "EXCEPT":
            return ()
        self.take()
        if self.keyword() == "FROM":  # "CTH except from 1511", as the agreements write it
            self.take()
        found = [self.code_range()]
        while self.token.text == ",":
            self.take()
            found.append(self.code_range())
        return tuple(found)

    def code_range(self) -> CodeRange:
        first = self.hs_code()
        last = first
        if self.token.text == "-":
            self.take()
            at = self.token.position
            last = self.hs_code()
            if len(last) != len(first) or last < first:
                raise RuleError(f"the range {first}-{last} must go up, at one level", at)
        return CodeRange(first, last)

    def hs_code(self) -> str:
        token = self.token
        digits = token.text.replace(".", "")
        if token.kind != "number" or not digits.isdigit() or len(digits) not in (2, 4, 6):
            raise self.fail("an HS chapter, heading or subheading (2, 4 or 6 digits)")
        self.take()
        return digits


def parse(text: str) -> Criterion:
    """The tree of criteria written in ``text``; :class:`RuleError` if it cannot be read."""
    return _Reader(text).rule()
