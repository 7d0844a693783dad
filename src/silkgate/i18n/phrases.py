"""Sentences made with values, translated after they were made (at an edge).

The services and the validators say what went wrong in English sentences with
values in them ("no declaration 26CN...", "must be at most 35 characters"); the
edges (API problems, console messages) show them in the user's language. A
:class:`Phrasebook` knows the shapes of those sentences (``"no declaration
%(mrn)s"``, marked for the catalogue): it finds the shape a sentence has, takes
the values out, and writes the shape's translation with the same values. Each
value is itself looked up, so a phrase inside a sentence ("a 2-letter ISO 3166
country code") is translated too. Codes, pointers and numbers are values: they
come back unchanged. A sentence of no known shape stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from silkgate import i18n

_FIELD = re.compile(r"%\((\w+)\)[sdr]")


def _shape(template: str) -> re.Pattern[str]:
    """A regular expression that matches what ``template`` makes, one group per value."""
    parts: list[str] = []
    seen: set[str] = set()
    position = 0
    for field in _FIELD.finditer(template):
        parts.append(re.escape(template[position : field.start()]))
        name = field.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        position = field.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL)


class Phrasebook:
    """The shapes of sentences an edge translates after they were made."""

    def __init__(self, templates: Iterable[str]) -> None:
        # The longest fixed text first: "no declaration %(mrn)s of yours" before
        # "no declaration %(mrn)s", so the most specific shape wins.
        ordered = sorted(set(templates), key=lambda t: -len(_FIELD.sub("", t)))
        self._shapes = [(t, _shape(t)) for t in ordered if _FIELD.search(t)]

    def say(self, sentence: str | None) -> str | None:
        """``sentence`` in the language in use, if it has a known shape (or is in the catalogue)."""
        if not sentence or i18n.current() == i18n.DEFAULT:
            return sentence
        exact = i18n.gettext(sentence)
        if exact != sentence:
            return exact
        for template, shape in self._shapes:
            found = shape.fullmatch(sentence)
            if found:
                values = {k: self.say(v) or v for k, v in found.groupdict().items()}
                return _fill(i18n.gettext(template), values)
        return sentence


def _fill(translated: str, values: dict[str, str]) -> str:
    """``translated`` with its fields filled from ``values`` (all text, whatever the conversion)."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), translated).replace("%%", "%")
