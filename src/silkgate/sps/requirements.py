"""SPS requirements as data: which controls apply to which goods from where.

An administration's quarantine service publishes, by HS chapter, heading,
subheading or national line and by country of origin (or any origin), the
controls an import must pass: a phytosanitary or veterinary health
certificate, sampling and a laboratory test, a treatment (fumigation, cold
treatment), a quarantine hold, or a prohibition. Each is valid over dates.
The file format is documented in ``docs/sps.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from silkgate.tariff.files import FileErrors, LineError, _rows

COLUMNS = ("hs_prefix", "origin", "control", "document", "description", "valid_from", "valid_to")


class Control(StrEnum):
    PHYTO_CERTIFICATE = "phyto_certificate"
    VET_CERTIFICATE = "vet_certificate"
    HEALTH_CERTIFICATE = "health_certificate"  # food safety / fishery products
    LAB_TEST = "lab_test"  # sampling and a laboratory test
    TREATMENT = "treatment"  # fumigation, cold or heat treatment (ISPM 15 for wood)
    QUARANTINE_HOLD = "quarantine_hold"  # goods held until the quarantine service clears them
    PROHIBITED = "prohibited"

    @property
    def is_certificate(self) -> bool:
        return self in (
            Control.PHYTO_CERTIFICATE,
            Control.VET_CERTIFICATE,
            Control.HEALTH_CERTIFICATE,
        )


@dataclass(frozen=True)
class Requirement:
    hs_prefix: str  # 2 to 10 digits
    origin: str  # ISO country, or "" for every origin
    control: Control
    document: str  # the document code that proves a certificate (N851), or ""
    description: str
    valid_from: dt.date
    valid_to: dt.date | None

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def applies(self, hs_code: str, origin: str, on: dt.date) -> bool:
        return (
            hs_code.startswith(self.hs_prefix) and self.origin in ("", origin) and self.in_force(on)
        )

    def as_json(self) -> dict[str, object]:
        return {
            "hs_prefix": self.hs_prefix,
            "origin": self.origin or None,
            "control": self.control.value,
            "document": self.document or None,
            "description": self.description,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


class Requirements:
    """The requirements in force, indexed by HS chapter for quick look-up."""

    def __init__(self, requirements: Iterable[Requirement], version: int = 0) -> None:
        self.version = version
        self._by_chapter: dict[str, list[Requirement]] = {}
        for r in requirements:
            self._by_chapter.setdefault(r.hs_prefix[:2], []).append(r)

    def applicable(self, hs_code: str, origin: str, on: dt.date) -> list[Requirement]:
        return [r for r in self._by_chapter.get(hs_code[:2], ()) if r.applies(hs_code, origin, on)]

    def all(self) -> list[Requirement]:
        return [r for rs in self._by_chapter.values() for r in rs]

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_chapter.values())


def parse(text: str, countries: Iterable[str]) -> list[Requirement]:
    """Check a whole requirements file; :class:`FileErrors` lists every error with its line."""
    errors: list[LineError] = []
    _, rows = _rows(text, COLUMNS, errors)
    known = frozenset(countries)
    controls: Mapping[str, Control] = {c.value: c for c in Control}
    out: list[Requirement] = []
    for n, row in rows:
        bad = len(errors)
        prefix = row["hs_prefix"]
        if not (prefix.isdigit() and prefix.isascii() and len(prefix) in (2, 4, 6, 8, 10)):
            errors.append(LineError(n, "hs_prefix", f"{prefix!r} is not 2, 4, 6, 8 or 10 digits"))
        origin = row["origin"]
        if origin and origin not in known:
            errors.append(LineError(n, "origin", f"{origin!r} is not an ISO 3166 country"))
        control = controls.get(row["control"])
        if control is None:
            errors.append(
                LineError(n, "control", f"{row['control']!r} is not one of {', '.join(controls)}")
            )
        document = row["document"]
        if document and not (document.isalnum() and len(document) <= 4):
            errors.append(LineError(n, "document", f"{document!r} is not a document code"))
        if control is not None and control.is_certificate and not document:
            errors.append(LineError(n, "document", "a certificate needs its document code"))
        if not row["description"]:
            errors.append(LineError(n, "description", "required"))
        dates: list[dt.date | None] = []
        for column in ("valid_from", "valid_to"):
            try:
                dates.append(dt.date.fromisoformat(row[column]) if row[column] else None)
            except ValueError:
                dates.append(None)
                errors.append(LineError(n, column, f"{row[column]!r} is not a date (YYYY-MM-DD)"))
        if dates[0] is None and not row["valid_from"]:
            errors.append(LineError(n, "valid_from", "required"))
        if dates[0] and dates[1] and dates[1] < dates[0]:
            errors.append(LineError(n, "valid_to", f"is before valid_from {dates[0]}"))
        if len(errors) == bad:
            assert control is not None and dates[0] is not None
            out.append(
                Requirement(
                    prefix, origin, control, document, row["description"], dates[0], dates[1]
                )
            )
    if not rows and not errors:
        errors.append(LineError(1, None, "the file has no requirements"))
    if errors:
        raise FileErrors(errors)
    return out
