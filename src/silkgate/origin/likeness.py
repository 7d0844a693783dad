"""Loose comparisons between a declaration and a certificate: parties and descriptions.

Two documents of one shipment are written by different people: a company's
name loses its legal form, a description its plural. These say when two
texts name the same thing, generously but not blindly (docs/origin.md).
"""

from __future__ import annotations

import re

from silkgate.declarations.document import Party

_WORD = re.compile(r"[a-z0-9]+")
# Legal forms and fillers that differ between documents of one company.
_LEGAL = frozenset(
    {
        "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited",
        "llc", "plc", "jsc", "pte", "pty", "sdn", "bhd", "tbk", "pt", "gmbh", "sa",
        "the", "and", "of",
    }
)  # fmt: skip
_STOP = frozenset(
    {
        "and", "the", "for", "with", "other", "not", "under", "over", "than", "from",
        "into", "made", "parts",
    }
)  # fmt: skip


def _name_words(name: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(name.lower()) if w not in _LEGAL)


def _id(value: str | None) -> str:
    return "".join(_WORD.findall((value or "").lower()))


def same_party(declared: Party, stated_id: str | None, stated_name: str) -> bool:
    """Whether a party of the declaration is the one a box names.

    Identifiers decide when both are given (case, spaces and punctuation
    ignored). Otherwise the names: the same words once case, punctuation and
    legal forms (Co., Ltd, JSC...) are set aside, or the words of one among
    the other's ("Hanoi Lotus Electronics" and "Hanoi Lotus Electronics JSC").
    """
    if declared.id and stated_id:
        return _id(declared.id) == _id(stated_id)
    a, b = _name_words(declared.name), _name_words(stated_name)
    return bool(a and b) and (a <= b or b <= a)


def _description_words(text: str) -> frozenset[str]:
    return frozenset(
        w.removesuffix("s") for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in _STOP
    )


def similar_descriptions(declared: str, stated: str) -> bool:
    """A loose match: one word of three letters or more in common.

    Case, punctuation, a plural ``s`` and fillers (and, with, other...) are
    ignored: "Laptop computers, 14 inch" describes "Notebook computer".
    """
    return bool(_description_words(declared) & _description_words(stated))
