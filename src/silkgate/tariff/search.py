"""Text search over the tariff: words of the national lines and of their HS path.

An inverted index built once per schedule version, held in memory: a query
is a few dictionary look-ups, not a scan. Every query word must match (as a
word prefix, so "lithium" finds "lithium-ion" and "coff" finds "coffee"); lines
whose own description matches rank before lines that match only through their
heading or chapter.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass

from silkgate.tariff.schedule import Schedule

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Weight of a match by where it is found: the line itself, its subheading, heading, chapter.
_WEIGHTS = (8, 4, 2, 1)
_STOP = frozenset({"and", "or", "of", "the", "in", "for", "not", "with", "whether", "other", "a"})


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


@dataclass(frozen=True)
class Hit:
    code: str
    score: int


class SearchIndex:
    def __init__(self, schedule: Schedule, hs: Mapping[str, str]) -> None:
        """``hs``: HS code (2, 4 or 6 digits) -> description."""
        postings: dict[str, dict[str, int]] = {}
        for code, line in schedule.lines.items():
            texts = (
                line.description,
                hs.get(code[:6], ""),
                hs.get(code[:4], ""),
                hs.get(code[:2], ""),
            )
            for weight, text in zip(_WEIGHTS, texts, strict=True):
                for word in set(words(text)):
                    best = postings.setdefault(word, {})
                    if best.get(code, 0) < weight:
                        best[code] = weight
        self._postings = postings
        self._vocabulary = sorted(postings)

    def _matches(self, term: str) -> dict[str, int]:
        """Lines matching ``term`` as a word prefix, with the best weight of each."""
        out: dict[str, int] = {}
        i = bisect.bisect_left(self._vocabulary, term)
        while i < len(self._vocabulary) and self._vocabulary[i].startswith(term):
            for code, weight in self._postings[self._vocabulary[i]].items():
                if out.get(code, 0) < weight:
                    out[code] = weight
            i += 1
        return out

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        terms = words(query)
        if not terms:
            return []
        scores: dict[str, int] | None = None
        for term in sorted(set(terms), key=len, reverse=True):
            found = self._matches(term)
            if scores is None:
                scores = found
            else:
                scores = {c: s + found[c] for c, s in scores.items() if c in found}
            if not scores:
                return []
        assert scores is not None
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Hit(code, score) for code, score in ranked[:limit]]
