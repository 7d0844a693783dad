"""Validation errors in plain words: what a field wants, never a regex or a huge number.

Every edge reports pydantic's errors through :func:`explain` (commands,
declarations, request parameters), so a person reads the same sentence for
the same fault wherever it happens. A format is declared with the words that
describe it (:func:`shaped` for models, :func:`pattern` for request
parameters); a pattern nobody described is "not in the expected format".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import StringConstraints

from silkgate.kernel import text

_MEANINGS: dict[str, str] = {}
# A closed list of words as a pattern, e.g. ^(IM|EX)$: its words are the answer.
_CHOICES = re.compile(r"^\^\(([A-Za-z0-9_|]*)\)\$$")
_LONGEST_ECHO = 40


def pattern(regex: str, means: str) -> str:
    """Declare what ``regex`` stands for (``"a 2-letter ISO 3166 country code, e.g. CN"``)."""
    known = _MEANINGS.setdefault(regex, means)
    if known != means:
        raise ValueError(f"{regex!r} already means {known!r}")
    return regex


def shaped(regex: str, means: str, **constraints: Any) -> StringConstraints:
    """String constraints with a pattern whose errors read ``must be <means>``."""
    return StringConstraints(pattern=pattern(regex, means), **constraints)


def quote(value: Any) -> str:
    """``value`` as an error message may echo it: quoted, and cut short when long."""
    shown = value if isinstance(value, str) else str(value)
    if len(shown) > _LONGEST_ECHO:
        shown = shown[: _LONGEST_ECHO - 1] + "…"
    return repr(shown)


def _entries(n: Any) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _on_pattern(err: Mapping[str, Any]) -> str:
    regex = str((err.get("ctx") or {}).get("pattern", ""))
    if regex in (text.LINE_PATTERN, text.TEXT_PATTERN):
        return text.explain(err.get("input"), multiline=regex == text.TEXT_PATTERN)
    if regex in _MEANINGS:
        return "must be " + _MEANINGS[regex]
    choices = _CHOICES.match(regex)
    if choices:
        return "must be one of " + ", ".join(w for w in choices.group(1).split("|") if w)
    return "is not in the expected format"


_DATE = "must be a date, YYYY-MM-DD (e.g. 2026-11-20)"
_DATETIME = "must be a date and time with its offset, e.g. 2026-11-20T09:30:00Z"
_NUMBER = 'must be a number, e.g. "1250.50"'

# pydantic's error types, as sentences; ``c`` is the error's context.
_PLAIN: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda c: "is required",
    "extra_forbidden": lambda c: "is not a field here",
    "string_type": lambda c: "must be text",
    "string_too_short": lambda c: (
        "must not be empty"
        if c.get("min_length") == 1
        else f"must be at least {c.get('min_length')} characters"
    ),
    "string_too_long": lambda c: f"must be at most {c.get('max_length')} characters",
    "int_type": lambda c: "must be a whole number",
    "int_parsing": lambda c: "must be a whole number",
    "int_parsing_size": lambda c: "must be a whole number of reasonable size",
    "int_from_float": lambda c: "must be a whole number",
    "float_type": lambda c: "must be a number",
    "float_parsing": lambda c: "must be a number",
    "finite_number": lambda c: "must be a finite number",
    "decimal_type": lambda c: _NUMBER,
    "decimal_parsing": lambda c: _NUMBER,
    "decimal_max_digits": lambda c: f"has too many digits: at most {c.get('max_digits')} in all",
    "decimal_max_places": lambda c: (
        f"has too many decimals: at most {c.get('decimal_places')}"
        if c.get("decimal_places")
        else "must be a whole number"
    ),
    "decimal_whole_digits": lambda c: (
        f"is too large: at most {c.get('whole_digits')} digits before the decimal point"
    ),
    "greater_than": lambda c: f"must be more than {c.get('gt')}",
    "greater_than_equal": lambda c: f"must be at least {c.get('ge')}",
    "less_than": lambda c: f"must be less than {c.get('lt')}",
    "less_than_equal": lambda c: f"must be at most {c.get('le')}",
    "bool_type": lambda c: "must be true or false",
    "bool_parsing": lambda c: "must be true or false",
    "date_type": lambda c: _DATE,
    "date_parsing": lambda c: _DATE,
    "date_from_datetime_parsing": lambda c: _DATE,
    "date_from_datetime_inexact": lambda c: _DATE,
    "datetime_type": lambda c: _DATETIME,
    "datetime_parsing": lambda c: _DATETIME,
    "datetime_from_date_parsing": lambda c: _DATETIME,
    "datetime_object_invalid": lambda c: _DATETIME,
    "list_type": lambda c: "must be a list",
    "too_short": lambda c: "must have at least " + _entries(c.get("min_length")),
    "too_long": lambda c: "must have at most " + _entries(c.get("max_length")),
    "dict_type": lambda c: "must be an object",
    "model_type": lambda c: "must be an object",
    "model_attributes_type": lambda c: "must be an object",
    "json_invalid": lambda c: "is not valid JSON",
    "uuid_parsing": lambda c: "must be a UUID",
}


def explain(err: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a sentence."""
    kind = str(err.get("type", ""))
    if (err.get("ctx") or {}).get("code"):
        return str(err.get("msg", "is invalid"))  # the validator's own words
    if kind == "string_pattern_mismatch":
        return _on_pattern(err)
    plain = _PLAIN.get(kind)
    if plain is not None:
        return plain(dict(err.get("ctx") or {}))
    message = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
    if message.startswith("Input should be"):  # literals and enumerations: the choices
        return "must be" + message.removeprefix("Input should be")
    return message[:1].lower() + message[1:]


def named_code(err: Mapping[str, Any]) -> str | None:
    """The code a validator named for an error (or a refused character's); None otherwise.

    Each edge keeps its own vocabulary for pydantic's own error types.
    """
    ctx = err.get("ctx") or {}
    if ctx.get("code"):
        return str(ctx["code"])
    if err.get("type") == "string_pattern_mismatch" and ctx.get("pattern") in (
        text.LINE_PATTERN,
        text.TEXT_PATTERN,
    ):
        return text.CODE
    return None
