"""Build the reference data files shipped in ``src/silkgate/refdata/files`` from open sources.

Usage: python tools/build_refdata.py SOURCE_DIR

SOURCE_DIR holds the source datasets (hs/, codes/, unece/, unlocode/) as
described in ``src/silkgate/refdata/files/LICENSES.md``. A developer's tool:
the node itself only reads the files this writes.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "silkgate" / "refdata" / "files"


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode()
    if name.endswith(".gz"):
        # mtime=0 keeps the file byte-identical between builds.
        with gzip.GzipFile(OUT / name, "wb", mtime=0, compresslevel=9) as f:
            f.write(data)
    else:
        (OUT / name).write_bytes(data)
    print(f"{name}: {len(rows):,} rows")


def hs(src: Path) -> None:
    rows, seen = [], set()
    with open(src / "hs" / "harmonized-system.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            code = r["hscode"]
            # Drop the placeholders (99, 9999, 999999, TOTAL) that the source carries.
            if not code.isdigit() or len(code) not in (2, 4, 6) or set(code) == {"9"}:
                continue
            if code in seen:
                continue
            seen.add(code)
            parent = "" if r["parent"] == "TOTAL" else r["parent"]
            rows.append([code, str(len(code)), parent, r["section"], r["description"]])
    levels = {n: sum(1 for r in rows if r[1] == str(n)) for n in (2, 4, 6)}
    # The source lists 5,613 six-digit rows, one of them the 999999 placeholder.
    assert levels[6] == 5612, levels
    print("HS levels:", levels)
    write("hs2022.csv", ["code", "level", "parent", "section", "description"], rows)
    with open(src / "hs" / "sections.csv", encoding="utf-8-sig") as f:
        sections = [[r["section"], r["name"]] for r in csv.DictReader(f) if r["section"] != "TOTAL"]
    write("hs_sections.csv", ["section", "name"], sections)


def countries(src: Path) -> None:
    rows = []
    with open(src / "codes" / "country-codes.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            a2 = (r.get("ISO3166-1-Alpha-2") or "").strip()
            if len(a2) != 2:
                continue
            name = (r.get("CLDR display name") or r.get("official_name_en") or "").strip()
            rows.append(
                [
                    a2,
                    r.get("ISO3166-1-Alpha-3", "").strip(),
                    r.get("ISO3166-1-numeric", "").strip().zfill(3),
                    name,
                    (r.get("UNTERM Chinese Short") or "").strip(),
                    (r.get("UNTERM Russian Short") or "").strip(),
                    (r.get("ISO4217-currency_alphabetic_code") or "").split(",")[0].strip(),
                ]
            )
    rows.sort()
    write(
        "countries.csv",
        ["alpha2", "alpha3", "numeric", "name", "name_zh", "name_ru", "currency"],
        rows,
    )


def currencies(src: Path) -> None:
    found: dict[str, list[str]] = {}
    with open(src / "codes" / "currency-codes.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            code = r["AlphabeticCode"].strip()
            if not code or r["WithdrawalDate"].strip() or code in found:
                continue
            minor = r["MinorUnit"].strip()
            found[code] = [
                code,
                r["NumericCode"].strip().split(".")[0].zfill(3),
                r["Currency"],
                minor if minor.isdigit() else "",
            ]
    write("currencies.csv", ["code", "numeric", "name", "minor_unit"], sorted(found.values()))


def units(src: Path) -> None:
    rows = []
    with open(src / "unece" / "rec20-units.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            # Deleted and deprecated codes may not appear on a new declaration.
            if r["state"] not in ("ACTIVE", "CHANGED_CHARACTERISTICS"):
                continue
            rows.append(
                [
                    r["code"],
                    r["name"],
                    r["symbol"],
                    r["pint_symbol"],
                    r["si_factor"],
                    r["si_pint_symbol"],
                    r["level"],
                ]
            )
    write(
        "units.csv",
        ["code", "name", "symbol", "pint_symbol", "si_factor", "si_pint_symbol", "level"],
        rows,
    )


def package_types(src: Path) -> None:
    rows, seen = [], set()
    with open(src / "unece" / "rec21-package-types.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            # Rec 21 marks deleted codes "X" and codes to be deleted "¦" (deprecated); both go.
            # A few numeric codes were saved as floats upstream ("43.0" is code 43).
            code = r["Code"].strip().removesuffix(".0")
            if r["Status"].strip() in ("X", "¦") or code in seen:
                continue
            seen.add(code)
            rows.append([code, r["Name"], r["Description"]])
    write("package_types.csv", ["code", "name", "description"], rows)


def locations(src: Path) -> None:
    rows, seen = [], set()
    with open(src / "unlocode" / "unlocode-2024.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            code = (r["country"] + r["location"]).strip()
            if len(code) != 5 or code in seen:
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


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src = Path(sys.argv[1])
    OUT.mkdir(parents=True, exist_ok=True)
    hs(src)
    countries(src)
    currencies(src)
    units(src)
    package_types(src)
    locations(src)
    for lic in ("unece/LICENSE-quadient-MIT.txt", "unlocode/LICENSE-geoapify-MIT.txt"):
        shutil.copy(src / lic, OUT / Path(lic).name)


if __name__ == "__main__":
    main()
