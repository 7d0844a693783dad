"""Text a person will read: the characters the node refuses in it, wherever it comes from.

Control characters (C0, DEL and C1) have no place in customs data: PostgreSQL
cannot store NUL at all, and the others garble logs, screens and printed
notes. Bidirectional overrides and isolates, zero-width characters and the
byte order mark make a name display as something other than what it is (the
"Trojan Source" trick), so they are refused as well. Free text (a reason, a
note, a message) may hold tabs and line breaks; a name, a code, a reference
or a parameter may not.

:data:`Line` and :data:`Text` are the string types of the command models;
their patterns run inside pydantic's core, so the check costs nothing on a
hot path. :func:`refused` and :func:`json_faults` do the same check for what
does not pass through a model (request parameters, free-form JSON).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

# Written as regex escapes, which Python's re and pydantic's (Rust) regex read alike.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BREAKS = r"\t\n\r"
_INVISIBLE = r"\u200b-\u200d\u2060\u202a-\u202e\u2066-\u2069\ufeff"

LINE_PATTERN = rf"^[^{_CONTROL}{_BREAKS}{_INVISIBLE}]*$"
TEXT_PATTERN = rf"^[^{_CONTROL}{_INVISIBLE}]*$"
_IN_LINE = re.compile(rf"[{_CONTROL}{_BREAKS}{_INVISIBLE}]")
_IN_TEXT = re.compile(rf"[{_CONTROL}{_INVISIBLE}]")
_INVISIBLE_CHARS = re.compile(rf"[{_INVISIBLE}]")

CODE = "refused_character"

Line = Annotated[str, StringConstraints(pattern=LINE_PATTERN)]
"""One line of text: no control, line-break or invisible formatting character."""

Text = Annotated[str, StringConstraints(pattern=TEXT_PATTERN)]
"""Free text: tabs and line breaks allowed; no other control or invisible character."""


def refused(value: str, *, multiline: bool = False) -> str | None:
    """The first character of ``value`` the node refuses, or None when there is none."""
    found = (_IN_TEXT if multiline else _IN_LINE).search(value)
    return found.group() if found else None


def why(char: str) -> str:
    """What is wrong with a refused character, in words (``contains U+0000, ...``)."""
    if char in "\t\n\r":
        kind = "a tab or line break, which this field does not take"
    elif _INVISIBLE_CHARS.match(char):
        kind = (
            "an invisible formatting character (a direction override or isolate, "
            "a zero-width character or a byte order mark), which is not allowed"
        )
    else:
        kind = "a control character, which is not allowed"
    return f"contains U+{ord(char):04X}, {kind}"


def explain(value: Any, *, multiline: bool) -> str:
    """The words for a value refused by :data:`Line` or :data:`Text`."""
    char = refused(value, multiline=multiline) if isinstance(value, str) else None
    if char is None:
        return "contains a control or invisible formatting character, which is not allowed"
    return why(char)


def escaped(value: str) -> str:
    """``value`` with every refused character written as ``\\uXXXX``: safe to store and show."""
    return _IN_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def escaped_json(value: Any) -> Any:
    """A parsed JSON value with :func:`escaped` applied to every key and string in it."""
    if isinstance(value, str):
        return escaped(value)
    if isinstance(value, dict):
        return {escaped_json(k): escaped_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escaped_json(v) for v in value]
    return value


# -- free-form JSON ---------------------------------------------------------------------------

# JSON text that may hold a refused character: its escape (``\u0000``, ``\b``, ``\f``,
# ``\u202e``...) or its UTF-8 bytes. A cheap scan that may say yes wrongly (``\u000a``
# is a line break), never no wrongly: what it finds is then looked at string by string.
_SUSPECT = re.compile(
    rb"\\(?:[bf]|u(?:00[01]|007[fF]|00[89]|20[026]|[fF][eE][fF][fF]))"
    rb"|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8d\xaa-\xae]|\xe2\x81[\xa0\xa6-\xa9]|\xef\xbb\xbf"
)


def suspect_json(data: bytes) -> bool:
    """Whether JSON text may hold a refused character (see :func:`json_faults`)."""
    return _SUSPECT.search(data) is not None


def json_faults(value: Any, *where: str | int) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Where in a parsed JSON value a key or a string holds a refused character, and why.

    Strings are free text here (tabs and line breaks allowed): the shape of
    each field is up to the model that reads it.
    """
    if isinstance(value, str):
        char = refused(value, multiline=True)
        if char is not None:
            yield where, why(char)
    elif isinstance(value, dict):
        for key, item in value.items():
            char = refused(key, multiline=True) if isinstance(key, str) else None
            if char is not None:
                yield (*where, key), "the name of this field " + why(char)
            else:
                yield from json_faults(item, *where, key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from json_faults(item, *where, i)


def printable_json(value: Any) -> Any:
    """``value`` if no key or string in it holds a refused character; else a ValidationError."""
    faults = [
        InitErrorDetails(
            type=PydanticCustomError(CODE, detail, {"code": CODE}), loc=loc, input=None
        )
        for loc, detail in json_faults(value)
    ]
    if faults:
        # pydantic puts each location under the field that holds the value.
        raise ValidationError.from_exception_data("free-form JSON", faults)
    return value


FreeJson = AfterValidator(printable_json)
"""Marks a free-form JSON field (``Annotated[dict[str, Any], FreeJson]``) checked like text."""
