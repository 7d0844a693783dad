"""The shipped reference data files: counts, hierarchy, required codes and unique keys.

Reads only what ``silkgate.refdata.files`` returns (the packaged files), never the sources.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from silkgate.refdata import files

Reader = Callable[[], list[dict[str, Any]]]

# (reader, key columns that must be unique, every column of the file)
DATASETS: list[tuple[Reader, tuple[str, ...], tuple[str, ...]]] = [
    (files.hs_codes, ("code",), ("code", "level", "parent", "section", "description")),
    (files.hs_sections, ("section",), ("section", "name")),
    (
        files.countries,
        ("alpha2", "alpha3", "numeric"),
        ("alpha2", "alpha3", "numeric", "name", "name_zh", "name_ru", "currency"),
    ),
    (files.currencies, ("code",), ("code", "numeric", "name", "minor_unit")),
    (
        files.units,
        ("code",),
        ("code", "name", "symbol", "pint_symbol", "si_factor", "si_pint_symbol", "level"),
    ),
    (files.package_types, ("code",), ("code", "name", "description")),
    (
        files.locations,
        ("code",),
        ("code", "country", "name", "subdivision", "function", "status", "iata"),
    ),
]


@pytest.fixture(scope="module")
def hs() -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in files.hs_codes()}


def _ids(datasets: list[tuple[Reader, tuple[str, ...], tuple[str, ...]]]) -> list[str]:
    return [reader.__name__ for reader, _, _ in datasets]


@pytest.mark.parametrize(("reader", "keys", "columns"), DATASETS, ids=_ids(DATASETS))
def test_columns_and_unique_keys(reader: Reader, keys: tuple[str, ...], columns: tuple) -> None:
    rows = reader()
    assert rows
    assert all(tuple(r) == columns for r in rows)
    for key in keys:
        counts = Counter(r[key] for r in rows if r[key] is not None)
        dups = [k for k, n in counts.items() if n > 1]
        assert not dups, f"{reader.__name__}: duplicate {key} {dups[:10]}"
    # The primary key is always present; empty text is None, never "".
    assert all(r[keys[0]] for r in rows)
    assert not any(v == "" for r in rows for v in r.values())


def test_hs_counts(hs: dict[str, dict[str, Any]]) -> None:
    levels = Counter(r["level"] for r in hs.values())
    # The source lists 5,613 six-digit rows; one is the 999999 placeholder, which is dropped.
    assert levels[6] == 5612
    assert levels[4] == 1228
    assert levels[2] == 96
    assert set(levels) == {2, 4, 6}
    assert all(len(code) == r["level"] and code.isdigit() for code, r in hs.items())


def test_hs_no_placeholders(hs: dict[str, dict[str, Any]]) -> None:
    assert not {"99", "9999", "999999", "TOTAL"} & hs.keys()


def test_hs_hierarchy(hs: dict[str, dict[str, Any]]) -> None:
    sections = {s["section"] for s in files.hs_sections()}
    assert len(sections) == 21
    for code, row in hs.items():
        assert row["section"] in sections
        if row["level"] == 2:
            assert row["parent"] is None
            continue
        parent = hs[row["parent"]]
        assert parent["level"] == row["level"] - 2
        assert code.startswith(parent["code"])
        assert row["section"] == parent["section"]
    assert hs["010121"]["parent"] == "0101"
    assert hs["0101"]["parent"] == "01"


def test_countries() -> None:
    by_code = {r["alpha2"]: r for r in files.countries()}
    assert {"CN", "VN", "KZ", "RU"} <= by_code.keys()
    cn = by_code["CN"]
    assert (cn["alpha3"], cn["numeric"], cn["currency"]) == ("CHN", "156", "CNY")
    assert cn["name_zh"] == "中国"
    assert by_code["KZ"]["name_ru"] == "Казахстан"
    assert by_code["NA"]["name"] == "Namibia"  # "NA" is a code, not a missing value
    assert by_code["BT"]["currency"] == "BTN"
    assert all(len(r["numeric"]) == 3 for r in by_code.values() if r["numeric"])


def test_currencies() -> None:
    by_code = {r["code"]: r for r in files.currencies()}
    assert by_code["CNY"]["minor_unit"] == 2
    assert by_code["JPY"]["minor_unit"] == 0
    assert by_code["KWD"]["minor_unit"] == 3
    assert by_code["XAU"]["minor_unit"] is None
    assert {"RUB", "KZT", "VND", "USD", "EUR"} <= by_code.keys()
    assert all(isinstance(r["minor_unit"], int | None) for r in by_code.values())


def test_units() -> None:
    by_code = {r["code"]: r for r in files.units()}
    assert {"KGM", "NAR", "LTR", "MTQ", "TNE"} <= by_code.keys()
    assert by_code["LTR"]["si_factor"] == "0.001"
    assert by_code["TNE"]["si_factor"] == "1000"
    assert by_code["NAR"]["si_factor"] is None
    assert all(isinstance(r["si_factor"], str | None) for r in by_code.values())


def test_package_types() -> None:
    codes = {r["code"] for r in files.package_types()}
    assert {"CT", "PK", "BX"} <= codes
    assert "SX" not in codes  # status X: marked as deleted
    assert "OD" in codes  # status ¦: changed characteristics, still valid
    assert all(len(c) == 2 for c in codes)


def test_locations() -> None:
    rows = files.locations()
    by_code = {r["code"]: r for r in rows}
    assert len(rows) > 100_000
    assert by_code["CNSGH"]["name"] == "Shanghai"
    assert by_code["VNSGN"]["country"] == "VN"
    assert all(len(r["code"]) == 5 and r["code"][:2] == r["country"] for r in rows)


def test_data_versions() -> None:
    assert files.DATA_VERSION["hs"] == files.HS_VERSION == "HS 2022"
    assert files.DATA_VERSION["locations"] == files.LOCATIONS_VERSION == "UN/LOCODE 2024"
    assert set(files.DATA_VERSION) == {
        "hs",
        "countries",
        "currencies",
        "units",
        "package_types",
        "locations",
    }
