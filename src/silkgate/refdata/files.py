"""Readers for the reference data files shipped in ``silkgate/refdata/files`` (stdlib only).

Contract:

* Each function returns a new ``list`` of ``dict`` rows whose keys are exactly the columns of
  the table the rows are loaded into (see ``silkgate.store.tables``), in file order, one row
  per key (the key is unique in every file).
* Values are ``str``; an empty field in a file becomes ``None``. ``level`` of an HS code and
  ``minor_unit`` of a currency are ``int`` (``minor_unit`` is ``None`` where ISO 4217 says
  "N.A."). A unit's ``si_factor`` stays text, exactly as published ("0.001", "1e-06"), so no
  precision is lost; its ``level`` is the Rec 20 level text.
* Files are located with :mod:`importlib.resources`, so they work from a wheel or a zip; the
  functions read nothing else and are pure (no caching, no global state).
* ``DATA_VERSION`` names the edition of each dataset; the per-dataset constants are also
  exported (``HS_VERSION`` and the like).

The files are built by ``tools/build_refdata.py`` from open sources; provenance and licences
are in ``files/LICENSES.md``.
"""

from __future__ import annotations

import csv
import gzip
import io
from importlib.resources import files as _resources
from typing import Any

__all__ = [
    "COUNTRIES_VERSION",
    "CURRENCIES_VERSION",
    "DATA_VERSION",
    "HS_VERSION",
    "LOCATIONS_VERSION",
    "PACKAGE_TYPES_VERSION",
    "UNITS_VERSION",
    "countries",
    "currencies",
    "hs_codes",
    "hs_sections",
    "locations",
    "package_types",
    "units",
]

HS_VERSION = "HS 2022"
COUNTRIES_VERSION = "ISO 3166-1 (datasets/country-codes)"
CURRENCIES_VERSION = "ISO 4217 list one (datasets/currency-codes)"
UNITS_VERSION = "UN/ECE Recommendation 20"
PACKAGE_TYPES_VERSION = "UN/ECE Recommendation 21"
LOCATIONS_VERSION = "UN/LOCODE 2024"

DATA_VERSION: dict[str, str] = {
    "hs": HS_VERSION,
    "countries": COUNTRIES_VERSION,
    "currencies": CURRENCIES_VERSION,
    "units": UNITS_VERSION,
    "package_types": PACKAGE_TYPES_VERSION,
    "locations": LOCATIONS_VERSION,
}

Row = dict[str, Any]


def _read(name: str, ints: tuple[str, ...] = ()) -> list[Row]:
    resource = _resources("silkgate.refdata") / "files" / name
    with resource.open("rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if name.endswith(".gz") else raw
        with io.TextIOWrapper(stream, encoding="utf-8", newline="") as text:
            reader = csv.reader(text)
            header = next(reader)
            # ``v or None`` maps only the empty string to None (values are all str).
            rows: list[Row] = [
                {k: v or None for k, v in zip(header, row, strict=True)} for row in reader
            ]
    for key in ints:
        for row in rows:
            if row[key] is not None:
                row[key] = int(row[key])
    return rows


def hs_sections() -> list[Row]:
    """The 21 sections of HS 2022: ``section`` (Roman numeral), ``name``."""
    return _read("sections.csv")


def hs_codes() -> list[Row]:
    """HS 2022 chapters, headings and subheadings, without the 99/9999/999999 placeholders.

    Keys: ``code``, ``level`` (int: 2, 4 or 6), ``parent`` (None for a chapter),
    ``section``, ``description``.
    """
    return _read("hs2022.csv", ints=("level",))


def countries() -> list[Row]:
    """ISO 3166-1 countries: ``alpha2``, ``alpha3``, ``numeric`` (3 digits), ``name``
    (CLDR English short name), ``name_zh``/``name_ru`` (UNTERM short names, None where UNTERM
    has none), ``currency`` (main ISO 4217 code or None)."""
    return _read("countries.csv")


def currencies() -> list[Row]:
    """Current ISO 4217 currencies: ``code``, ``numeric``, ``name``, ``minor_unit`` (int, or
    None where ISO says N.A.)."""
    return _read("currencies.csv", ints=("minor_unit",))


def units() -> list[Row]:
    """Valid UN/ECE Rec 20 units: ``code``, ``name``, ``symbol``, ``pint_symbol``,
    ``si_factor`` (exact text), ``si_pint_symbol``, ``level``."""
    return _read("units.csv")


def package_types() -> list[Row]:
    """UN/ECE Rec 21 package type codes not marked deleted: ``code``, ``name``,
    ``description``."""
    return _read("package_types.csv")


def locations() -> list[Row]:
    """UN/LOCODE 2024: ``code`` (country + location, e.g. CNSGH), ``country``, ``name``,
    ``subdivision``, ``function``, ``status``, ``iata``."""
    return _read("locations.csv.gz")
