"""Build the reference data files shipped in ``src/silkgate/refdata/files`` from open sources.

Usage: python tools/build_refdata.py SOURCE_DIR

SOURCE_DIR holds the source datasets in the layout below (licences and provenance are in
``src/silkgate/refdata/files/LICENSES.md``)::

    hs/harmonized-system.csv, hs/sections.csv                  HS 2022, ODC-PDDL
    codes/country-codes.csv, codes/currency-codes.csv          ISO 3166-1, ISO 4217, ODC-PDDL
    unece/rec20-units.csv, rec21-package-types.csv, LICENSE-*  UN/ECE Rec 20 and 21, MIT
    unlocode/unlocode-2024.csv, LICENSE-*                      UN/LOCODE 2024, MIT

Contract: the output is trimmed and normalised UTF-8 CSV (header row, ``\\n`` line ends,
csv-module quoting, surrounding whitespace stripped, one row per key) that
``silkgate.refdata.files`` reads. An empty field means "no value". The build is
deterministic: the same sources give byte-identical files (the gzip header carries no
name or time). It checks what it writes and exits non-zero if a count or key rule fails.
This is a developer's tool; the node reads only the files it writes, never SOURCE_DIR.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "silkgate" / "refdata" / "files"

# HS 2022 as published by UN Comtrade: 96 chapters (77 is reserved), 1,228 headings and
# 5,612 subheadings once the "99"/"9999"/"999999" placeholders are dropped. The source has
# 5,613 six-digit rows; the 5,613th is the 999999 placeholder.
HS_EXPECTED = {2: 96, 4: 1228, 6: 5612}
HS_PLACEHOLDERS = {"99", "9999", "999999", "TOTAL"}


class BuildError(Exception):
    """A source file did not meet an expectation of the build."""


def check(ok: bool, message: str) -> None:
    if not ok:
        raise BuildError(message)


def read(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a source CSV, with every value stripped (BOM tolerated)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            yield {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}


def write(name: str, header: list[str], rows: list[list[str]], key: int = 0) -> None:
    keys = Counter(r[key] for r in rows)
    dups = sorted(k for k, n in keys.items() if n > 1)
    check(not dups, f"{name}: duplicate keys {dups[:10]}")
    check(all(len(r) == len(header) for r in rows), f"{name}: ragged rows")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    if name.endswith(".gz"):
        # mtime=0 and no file name in the header keep the file byte-identical between builds.
        data = gzip.compress(data, compresslevel=9, mtime=0)
    (OUT / name).write_bytes(data)
    print(f"{name}: {len(rows):,} rows, {len(data):,} bytes")


def hs(src: Path) -> None:
    rows: list[list[str]] = []
    for r in read(src / "hs" / "harmonized-system.csv"):
        code = r["hscode"]
        # Drop the placeholders (99, 9999, 999999, TOTAL) and anything that is not a
        # chapter, heading or subheading code.
        if code in HS_PLACEHOLDERS or not code.isdigit() or len(code) not in (2, 4, 6):
            continue
        level = len(code)
        check(r["level"] == str(level), f"HS {code}: level {r['level']!r} != {level}")
        parent = "" if level == 2 else r["parent"]
        rows.append([code, str(level), parent, r["section"], r["description"]])

    codes = {r[0] for r in rows}
    for code, _, parent, _, _ in rows:
        if len(code) > 2:
            check(
                parent in codes and len(parent) == len(code) - 2 and code.startswith(parent),
                f"HS {code}: parent {parent!r} is not the enclosing code",
            )
    levels = Counter(len(r[0]) for r in rows)
    print(
        "HS 2022 codes by level: "
        + ", ".join(f"{n}-digit {levels[n]:,}" for n in sorted(HS_EXPECTED))
    )
    check(dict(levels) == HS_EXPECTED, f"HS level counts {dict(levels)} != {HS_EXPECTED}")
    write("hs2022.csv", ["code", "level", "parent", "section", "description"], rows)

    sections = []
    for r in read(src / "hs" / "sections.csv"):
        if r["section"] == "TOTAL":
            continue
        name = r["name"]
        # The source has "live animals; animal products" for section I.
        sections.append([r["section"], name[:1].upper() + name[1:]])
    used = {r[3] for r in rows}
    check(used == {s[0] for s in sections}, "HS sections differ from those the codes use")
    write("sections.csv", ["section", "name"], sections)


def _main_currency(alpha2: str, listed: str) -> str:
    """One currency for a country: ISO 4217 codes start with the country's alpha-2, so
    prefer the national one ("INR,BTN" for Bhutan gives BTN), else the first listed."""
    codes = [c.strip() for c in listed.split(",") if c.strip()]
    national = [c for c in codes if c.startswith(alpha2)]
    return (national or codes or [""])[0]


def countries(src: Path) -> None:
    rows = []
    for r in read(src / "codes" / "country-codes.csv"):
        a2 = r["ISO3166-1-Alpha-2"]
        if len(a2) != 2:
            continue
        numeric = r["ISO3166-1-numeric"]
        rows.append(
            [
                a2,
                r["ISO3166-1-Alpha-3"],
                numeric.zfill(3) if numeric else "",
                r["CLDR display name"] or r["official_name_en"],
                r["UNTERM Chinese Short"],
                r["UNTERM Russian Short"],
                _main_currency(a2, r["ISO4217-currency_alphabetic_code"]),
            ]
        )
    rows.sort()
    check(all(r[3] for r in rows), "a country without an English name")
    write(
        "countries.csv",
        ["alpha2", "alpha3", "numeric", "name", "name_zh", "name_ru", "currency"],
        rows,
    )


def currencies(src: Path) -> None:
    found: dict[str, list[str]] = {}
    for r in read(src / "codes" / "currency-codes.csv"):
        code = r["AlphabeticCode"]
        if not code or r["WithdrawalDate"]:
            continue
        numeric = r["NumericCode"].split(".")[0]
        # MinorUnit is "N.A." (written "-" in this source) for funds, metals, XXX and the like.
        minor = r["MinorUnit"] if r["MinorUnit"].isdigit() else ""
        row = [code, numeric.zfill(3) if numeric else "", r["Currency"], minor]
        if code in found:
            # The list has one row per (entity, currency); they must agree on the currency.
            check(found[code] == row, f"currency {code}: conflicting rows")
            continue
        found[code] = row
    write("currencies.csv", ["code", "numeric", "name", "minor_unit"], sorted(found.values()))


def units(src: Path) -> None:
    rows = []
    for r in read(src / "unece" / "rec20-units.csv"):
        # MARKED_AS_DELETED and DEPRECATED codes may not appear on a new declaration;
        # CHANGED_CHARACTERISTICS codes are valid, only their description changed.
        if r["state"] not in ("ACTIVE", "CHANGED_CHARACTERISTICS"):
            continue
        rows.append(
            [
                r["code"],
                r["name"],
                r["symbol"],
                r["pint_symbol"],
                r["si_factor"],  # exact text, e.g. "0.001" or "1e-06"
                r["si_pint_symbol"],
                r["level"],
            ]
        )
    write(
        "units.csv",
        ["code", "name", "symbol", "pint_symbol", "si_factor", "si_pint_symbol", "level"],
        rows,
    )


# Rec 21 uses the UN/ECE code-list change indicators in its Status column: "+" added,
# "#" name changed, "¦" (broken bar, the "|" of the EDIFACT directories) changed
# characteristics, i.e. the description text changed, "X" marked as deleted, "=" reinstated.
# Only "X" removes a code, so only "X" rows are dropped (SX "Set" in this edition). The "¦"
# row (OD, "Pallet, AS 4068-1993") is a valid code whose description was amended; Rec 20
# lists the same package as XOD with state CHANGED_CHARACTERISTICS, which confirms it.
REC21_DELETED = {"X"}


def package_types(src: Path) -> None:
    rows = []
    for r in read(src / "unece" / "rec21-package-types.csv"):
        if r["Status"] in REC21_DELETED:
            continue
        # Two numeric codes were saved as floats upstream ("43.0" is code 43).
        code = r["Code"].removesuffix(".0")
        check(len(code) == 2 and code.isalnum(), f"package type code {r['Code']!r}")
        rows.append([code, r["Name"], r["Description"]])
    write("package_types.csv", ["code", "name", "description"], rows)


def locations(src: Path) -> None:
    rows, seen = [], set()
    for r in read(src / "unlocode" / "unlocode-2024.csv"):
        if not r["location"]:
            continue
        code = r["country"] + r["location"]
        check(len(code) == 5, f"UN/LOCODE {code!r}")
        # A handful of codes are listed once per language of the name (AXMHQ
        # "Maarianhamina (Mariehamn)" and "Mariehamn (Maarianhamina)"): keep the first.
        if code in seen:
            continue
        seen.add(code)
        rows.append(
            [
                code,
                r["country"],
                r["name"],
                r["subdivision"],
                r["function"],
                r["status"],
                r["iata"],
            ]
        )
    write(
        "locations.csv.gz",
        ["code", "country", "name", "subdivision", "function", "status", "iata"],
        rows,
    )


LICENSE_FILES = ("unece/LICENSE-quadient-MIT.txt", "unlocode/LICENSE-geoapify-MIT.txt")


def copy_licences(src: Path, names: Iterable[str] = LICENSE_FILES) -> None:
    for lic in names:
        shutil.copyfile(src / lic, OUT / Path(lic).name)
        print(f"{Path(lic).name}: copied")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = Path(argv[1])
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        hs(src)
        countries(src)
        currencies(src)
        units(src)
        package_types(src)
        locations(src)
        copy_licences(src)
    except BuildError as e:
        print(f"build_refdata: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
