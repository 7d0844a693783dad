"""Readers for the shipped reference data files (stdlib only).

Each function returns a list of dicts whose keys are the columns of the table
the rows are loaded into; empty optional values are ``None``. The files were
built by ``tools/build_refdata.py``; provenance and licences are in
``files/LICENSES.md``.
"""

from __future__ import annotations

import csv
import gzip
import io
from importlib.resources import files
from typing import Any

DATA_VERSION = {
    "hs": "HS 2022",
    "countries": "ISO 3166-1 (datahub country-codes)",
    "currencies": "ISO 4217 list one",
    "units": "UN/ECE Recommendation 20",
    "package_types": "UN/ECE Recommendation 21",
    "locations": "UN/LOCODE 2024",
}

_FILES = files("silkgate.refdata") / "files"


def _read(name: str, *, ints: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    raw = (_FILES / name).read_bytes()
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    rows = []
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
        clean: dict[str, Any] = {k: (v if v != "" else None) for k, v in row.items()}
        for key in ints:
            if clean[key] is not None:
                clean[key] = int(clean[key])
        rows.append(clean)
    return rows


def hs_sections() -> list[dict[str, Any]]:
    return _read("hs_sections.csv")


def hs_codes() -> list[dict[str, Any]]:
    """Chapters (level 2), headings (4) and subheadings (6) of HS 2022."""
    return _read("hs2022.csv", ints=("level",))


def countries() -> list[dict[str, Any]]:
    return _read("countries.csv")


def currencies() -> list[dict[str, Any]]:
    """Current ISO 4217 currencies; ``minor_unit`` is None where ISO says N.A."""
    return _read("currencies.csv", ints=("minor_unit",))


def units() -> list[dict[str, Any]]:
    """Active UN/ECE Rec 20 units with their pint symbols and SI factors (text, exact)."""
    return _read("units.csv")


def package_types() -> list[dict[str, Any]]:
    return _read("package_types.csv")


def locations() -> list[dict[str, Any]]:
    """UN/LOCODE locations; ``code`` is country + location, e.g. CNSGH."""
    return _read("locations.csv.gz")
