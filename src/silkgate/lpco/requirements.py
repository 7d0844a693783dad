"""LPCO requirements as data: which goods need which LPCO, for which flow, from or to where.

A requirements file is TOML: a ``title``, ``illustrative = true`` when it is
not an administration's real set, and one ``[[requirement]]`` table per rule
(``docs/lpco.md`` documents every key)::

    [[requirement]]
    hs = ["850650", "850760"]        # HS prefixes of 4 to 10 digits
    flow = "import"                  # import, export or transit
    country = "CN"                   # origin (import) or destination (export); absent: any
    lpco = "import_licence"          # the kind of LPCO needed
    document = "L100"                # the code the item cites it with (default: the kind's)
    agency = "CHEM"                  # the agency that must have issued it; absent: any
    missing = "hold"                 # hold the goods, or refuse the lodging
    description = "Lithium batteries (illustrative)"
    valid_from = 2025-01-01
    valid_to = 2030-12-31            # absent: open-ended
    examine = true                   # the agency examines the goods (joint inspection)
    partner = true                   # the exporting partner's LPCO, received, also answers it

The whole file is checked before anything is used: every error is listed
with its line, and a file with any error changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from silkgate.lpco.licence import DOCUMENT_CODES, Flow, Kind
from silkgate.tariff.files import FileErrors, LineError

__all__ = ["FileErrors", "LineError", "Missing", "Requirement", "Requirements", "parse"]

KEYS: tuple[str, ...] = ("hs", "flow", "country", "lpco", "document", "agency", "missing")
KEYS += ("description", "valid_from", "valid_to", "examine", "partner")
_DOCUMENT = re.compile(r"[A-Z0-9]{1,4}")
_AGENCY = re.compile(r"[A-Z][A-Z0-9]{1,9}")


class Missing(StrEnum):
    """What a missing or insufficient LPCO does to the goods."""

    HOLD = "hold"  # lodged, under control with the reason, release waits
    REFUSE = "refuse"  # the lodging is refused, naming the item's field


@dataclass(frozen=True)
class Requirement:
    hs_prefix: str
    flow: Flow
    country: str  # "" for any
    kind: Kind
    document: str
    agency: str  # "" for any
    missing: Missing
    description: str
    valid_from: dt.date
    valid_to: dt.date | None
    # The agency examines the goods at the border: its checks join the joint inspection.
    examine: bool = False
    # An import's requirement that the exporting partner's LPCO (received over the exchange
    # and accepted here by ``agency``) also answers.
    partner: bool = False

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def applies(self, hs_code: str, flow: Flow, country: str, on: dt.date) -> bool:
        return (
            self.flow is flow
            and hs_code.startswith(self.hs_prefix)
            and self.country in ("", country)
            and self.in_force(on)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "hs_prefix": self.hs_prefix,
            "flow": self.flow.value,
            "country": self.country or None,
            "lpco": self.kind.value,
            "document": self.document,
            "agency": self.agency or None,
            "missing": self.missing.value,
            "description": self.description,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "examine": self.examine,
            "partner": self.partner,
        }


class Requirements:
    """The requirements in force, indexed by HS chapter (a lodging asks per item)."""

    def __init__(self, requirements: Iterable[Requirement], version: int = 0) -> None:
        self.version = version
        self._by_chapter: dict[str, list[Requirement]] = {}
        for r in requirements:
            self._by_chapter.setdefault(r.hs_prefix[:2], []).append(r)

    def applicable(self, hs_code: str, flow: Flow, country: str, on: dt.date) -> list[Requirement]:
        found = self._by_chapter.get(hs_code[:2])
        if not found:
            return []
        return [r for r in found if r.applies(hs_code, flow, country, on)]

    def all(self) -> list[Requirement]:
        return [r for rs in self._by_chapter.values() for r in rs]

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_chapter.values())


def _lines(text: str) -> tuple[list[int], list[dict[str, int]]]:
    """The line of each ``[[requirement]]`` header, and of each key under it."""
    headers: list[int] = []
    keys: list[dict[str, int]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[[") and stripped[2:].split("]]")[0].strip() == "requirement":
            headers.append(n)
            keys.append({})
        elif keys and "=" in stripped and not stripped.startswith("#"):
            keys[-1].setdefault(stripped.split("=", 1)[0].strip().strip('"'), n)
    return headers, keys


class _Check:
    def __init__(self, text: str, countries: frozenset[str], hs_codes: frozenset[str]) -> None:
        self.headers, self.keys = _lines(text)
        self.countries = countries
        self.hs_codes = hs_codes
        self.errors: list[LineError] = []

    def error(self, index: int, key: str, message: str) -> None:
        line = self.keys[index].get(key) if index < len(self.keys) else None
        if line is None:
            line = self.headers[index] if index < len(self.headers) else 1
        self.errors.append(LineError(line, key, message))

    def one(self, index: int, table: dict[str, Any]) -> list[Requirement]:
        before = len(self.errors)
        for key in sorted(set(table) - set(KEYS)):
            self.error(index, key, f"unknown key (known: {', '.join(KEYS)})")
        prefixes = self.prefixes(index, table.get("hs"))
        flow = self.choice(index, table, "flow", Flow)
        kind = self.choice(index, table, "lpco", Kind)
        missing = self.choice(index, table, "missing", Missing)
        country = self.code(index, table, "country", lambda v: v in self.countries,
                            "an ISO 3166 country code")  # fmt: skip
        agency = self.code(index, table, "agency", _AGENCY.fullmatch, "an agency code (CHEM)")
        document = self.code(index, table, "document", _DOCUMENT.fullmatch,
                             "a document code of 1 to 4 capitals or digits")  # fmt: skip
        description = table.get("description")
        if not isinstance(description, str) or not description.strip():
            self.error(index, "description", "required (text)")
        start = self.date(index, table, "valid_from", required=True)
        end = self.date(index, table, "valid_to", required=False)
        if start and end and end < start:
            self.error(index, "valid_to", f"is before valid_from {start}")
        examine = table.get("examine", False)
        if not isinstance(examine, bool):
            self.error(index, "examine", f"{examine!r} is not true or false")
        elif examine and not agency:
            self.error(index, "examine", "an examination needs the agency that examines")
        partner = table.get("partner", False)
        if not isinstance(partner, bool):
            self.error(index, "partner", f"{partner!r} is not true or false")
        elif partner and (not agency or flow != Flow.IMPORT.value):
            self.error(index, "partner", "a partner's LPCO is for an import, accepted by an agency")
        if len(self.errors) > before:
            return []
        assert flow and kind and missing and start and isinstance(description, str)
        return [
            Requirement(
                prefix,
                Flow(flow),
                country,
                Kind(kind),
                document or DOCUMENT_CODES[Kind(kind)],
                agency,
                Missing(missing),
                description.strip(),
                start,
                end,
                examine is True,
                partner is True,
            )
            for prefix in prefixes
        ]

    def prefixes(self, index: int, value: Any) -> list[str]:
        raw = [value] if isinstance(value, str) else value
        if not isinstance(raw, list) or not raw:
            self.error(index, "hs", 'required: an HS prefix or a list of them ("850650")')
            return []
        found = []
        for code in raw:
            digits = code.replace(".", "").strip() if isinstance(code, str) else ""
            if len(digits) not in (4, 6, 8, 10) or not digits.isdigit():
                self.error(index, "hs", f"{code!r} is not an HS prefix of 4, 6, 8 or 10 digits")
            elif digits[:4] not in self.hs_codes:
                self.error(index, "hs", f"{code!r} is not in HS 2022")
            else:
                found.append(digits)
        return found

    def choice(self, index: int, table: dict[str, Any], key: str, kind: type[StrEnum]) -> str:
        value = table.get(key)
        allowed = [k.value for k in kind]
        if value is None:
            self.error(index, key, f"required: one of {', '.join(allowed)}")
            return ""
        if value not in allowed:
            self.error(index, key, f"{value!r} is not one of {', '.join(allowed)}")
            return ""
        return str(value)

    def code(self, index: int, table: dict[str, Any], key: str, ok: Any, words: str) -> str:
        value = table.get(key)
        if value is None:
            return ""
        if not isinstance(value, str) or not ok(value):
            self.error(index, key, f"{value!r} is not {words}")
            return ""
        return value

    def date(
        self, index: int, table: dict[str, Any], key: str, *, required: bool
    ) -> dt.date | None:
        value = table.get(key)
        if value is None:
            if required:
                self.error(index, key, "required (YYYY-MM-DD)")
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(index, key, f"{value!r} is not a date (YYYY-MM-DD)")
        return None


def parse(text: str, countries: Iterable[str], hs_codes: Iterable[str]) -> list[Requirement]:
    """Check a whole requirements file; :class:`FileErrors` lists every error with its line.

    ``hs_codes``: the HS headings (4 digits) and longer codes a prefix may start with.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise FileErrors([LineError(int(found.group(1)) if found else 1, None, str(exc))]) from None
    check = _Check(text, frozenset(countries), frozenset(hs_codes))
    for key in sorted(set(data) - {"title", "illustrative", "requirement"}):
        check.errors.append(LineError(1, key, "unknown key (title, illustrative, requirement)"))
    tables = data.get("requirement")
    if not isinstance(tables, list) or not tables:
        raise FileErrors([*check.errors, LineError(1, None, "the file has no [[requirement]]")])
    out = [r for i, table in enumerate(tables) for r in check.one(i, table)]
    if check.errors:
        raise FileErrors(sorted(check.errors, key=lambda e: e.line))
    return out
