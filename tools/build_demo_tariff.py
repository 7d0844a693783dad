"""Build the demo administration's ILLUSTRATIVE tariff schedule and exchange rates.

No open official national schedule is available, so silkgate's demo node (China)
ships an invented one: every HS 2022 subheading has one 8-digit national line
(a few are split to show national subdivisions), with general duty rates set
per chapter, ACFTA and RCEP preferential rates, VAT and a few excise lines,
and one example of each kind of measure. Rates and figures are invented for
demonstration and are NOT the tariff of any administration.

    python tools/build_demo_tariff.py   # rewrites src/silkgate/tariff/files/demo-*
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HS = ROOT / "src/silkgate/refdata/files/hs2022.csv"
OUT = ROOT / "src/silkgate/tariff/files"

START = "2024-01-01"
HEADER = (
    "code,description,unit,measure,agreement,valid_from,valid_to,"
    "ad_valorem,specific,specific_unit,minimum,maximum"
).split(",")

# General (MFN) ad valorem duty per chapter, percent; other chapters get DEFAULT.
DEFAULT = Decimal(8)
BY_CHAPTER = {
    **dict.fromkeys(["01", "05", "06", "25", "26", "31", "47", "97"], Decimal(0)),
    **dict.fromkeys(["02", "03", "04", "16"], Decimal(12)),
    **dict.fromkeys(["07", "08", "20"], Decimal(20)),
    **dict.fromkeys(["09", "21"], Decimal(15)),
    **dict.fromkeys(["10", "11"], Decimal(10)),
    **dict.fromkeys(["17", "18", "19"], Decimal(10)),
    **dict.fromkeys(["22", "24"], Decimal(25)),
    **dict.fromkeys(["27", "28", "29", "72", "74", "75", "76"], Decimal(4)),
    **dict.fromkeys(["61", "62", "63", "64", "42"], Decimal(14)),
    **dict.fromkeys(["84", "85", "90"], Decimal(5)),
    **dict.fromkeys(["71"], Decimal(10)),
    **dict.fromkeys(["87"], Decimal(15)),
}
# Lines split into national subdivisions: subheading -> [(suffix, description)].
SPLITS = {
    "081090": [
        ("10", "Durians, fresh"),
        ("20", "Longans, fresh"),
        ("40", "Dragon fruit (pitahaya), fresh"),
        ("90", "Other fresh fruit of 0810.90"),
    ],
    "081340": [("10", "Longans, dried"), ("90", "Other dried fruit of 0813.40")],
    "870380": [
        ("10", "Electric passenger cars for the transport of persons"),
        ("90", "Other electric vehicles of 8703.80"),
    ],
}
# One example of each kind of duty measure; "X" columns left empty.
SPECIAL_DUTIES = {
    # specific, in another unit of the same dimension as the declared net mass
    "100630": dict(specific="180", specific_unit="TNE"),
    # specific per kilogram
    "020714": dict(specific="1.30", specific_unit="KGM"),
    # specific per litre: needs the supplementary quantity
    "220300": dict(specific="0.40", specific_unit="LTR"),
    # compound
    "852589": dict(ad_valorem="3", specific="120", specific_unit="NAR"),
    # ad valorem with a minimum per pair (quantity declared in pairs or pieces)
    "640399": dict(ad_valorem="10", minimum="8", specific_unit="PR"),
    # ad valorem with a maximum per square metre
    "370232": dict(ad_valorem="15", maximum="3.50", specific_unit="MTK"),
}
UNITS = {
    "220300": "LTR",
    "852589": "NAR",
    "640399": "PR",
    "370232": "MTK",
    "220421": "LTR",
    "240220": "NAR",
    "271012": "LTR",
    "870380": "NAR",
    "870323": "NAR",
    "850760": "NAR",
}
# A rate that changed on a date: subheading -> [(until, duty), (from, duty)].
CHANGES = {
    "870323": [("2026-06-30", Decimal(25)), ("2026-07-01", Decimal(15))],
    "850760": [("2025-12-31", Decimal(10)), ("2026-01-01", Decimal(6))],
}
EXCISE = {
    "220300": dict(specific="0.25", specific_unit="LTR"),
    "220421": dict(ad_valorem="10"),
    "220830": dict(ad_valorem="20", specific="1", specific_unit="LTR"),
    "240220": dict(ad_valorem="36", specific="0.003", specific_unit="NAR"),
    "271012": dict(specific="1.52", specific_unit="LTR"),
    "330300": dict(ad_valorem="15"),
    "870323": dict(ad_valorem="9"),
    "711319": dict(ad_valorem="10"),
}
# Export duties (some administrations tax the export of ores and raw materials).
EXPORT_DUTY = {"260300": "15", "260800": "10"}
REDUCED_VAT = {f"{c:02d}" for c in range(1, 15)} | {"49"}
NO_ACFTA = {"87"}  # ASEAN-China sensitive list (illustrative)
NO_RCEP = {"87", "10"}


def _pct(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def rows() -> list[dict[str, str]]:
    with HS.open(newline="", encoding="utf-8") as f:
        hs = [r for r in csv.DictReader(f) if r["level"] == "6"]
    out: list[dict[str, str]] = []

    def add(code, description, unit, measure, **kw):
        row = dict.fromkeys(HEADER, "")
        row.update(
            code=code, description=description, unit=unit, measure=measure, valid_from=START, **kw
        )
        out.append(row)
        return row

    for sub in hs:
        code6, chapter = sub["code"], sub["code"][:2]
        lines = [
            (code6 + sfx, desc) for sfx, desc in SPLITS.get(code6, [("00", sub["description"])])
        ]
        unit = UNITS.get(code6, "")
        mfn = BY_CHAPTER.get(chapter, DEFAULT)
        for code, description in lines:
            first = add(code, description, unit, "duty")
            description = ""  # only on a line's first row
            if code6 in SPECIAL_DUTIES:
                first.update(SPECIAL_DUTIES[code6])
            elif code6 in CHANGES:
                (until, before), (since, after) = CHANGES[code6]
                first.update(ad_valorem=_pct(before), valid_to=until)
                add(code, "", "", "duty", ad_valorem=_pct(after)).update(valid_from=since)
            else:
                first.update(ad_valorem=_pct(mfn))
            if chapter not in NO_ACFTA:
                if code6 == "100630":
                    add(code, "", "", "duty", agreement="ACFTA", specific="50", specific_unit="TNE")
                else:
                    add(code, "", "", "duty", agreement="ACFTA", ad_valorem="0")
            if chapter not in NO_RCEP and code6 not in SPECIAL_DUTIES:
                rcep = (mfn * Decimal("0.6")).quantize(Decimal("0.1"))
                add(code, "", "", "duty", agreement="RCEP", ad_valorem=_pct(rcep))
            if code6 in EXCISE:
                add(code, "", "", "excise", **EXCISE[code6])
            add(code, "", "", "vat", ad_valorem="9" if chapter in REDUCED_VAT else "13")
            if code6 in EXPORT_DUTY:
                add(code, "", "", "export_duty", ad_valorem=EXPORT_DUTY[code6])
    return out


# Illustrative customs rates: CNY per unit of currency, around early-2026 levels.
BASE_RATES = {
    "USD": "7.10",
    "EUR": "7.75",
    "JPY": "0.0475",
    "KRW": "0.0051",
    "HKD": "0.912",
    "GBP": "9.05",
    "SGD": "5.30",
    "MYR": "1.58",
    "THB": "0.205",
    "VND": "0.00028",
    "IDR": "0.00044",
    "PHP": "0.122",
    "KHR": "0.00175",
    "LAK": "0.00033",
    "MMK": "0.0034",
    "BND": "5.30",
    "AUD": "4.65",
    "NZD": "4.20",
    "KZT": "0.0138",
    "RUB": "0.078",
    "UZS": "0.00056",
    "KGS": "0.081",
    "TJS": "0.66",
    "INR": "0.083",
    "PKR": "0.0255",
    "CHF": "8.05",
    "CAD": "5.15",
    "MOP": "0.886",
}


def rate_rows() -> list[list[str]]:
    out = []
    for currency, base in BASE_RATES.items():
        b = Decimal(base)
        for m in range(48):  # 2024-01 .. 2027-12, one rate per month
            year, month = 2024 + m // 12, m % 12 + 1
            start = dt.date(year, month, 1)
            end = (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
            drift = Decimal(
                str(round(1 + 0.02 * math.sin(m / 3 + len(currency) + ord(currency[0])), 5))
            )
            value = (b * drift).quantize(b.scaleb(-3) if b < 1 else Decimal("0.0001"))
            out.append([currency, start.isoformat(), end.isoformat(), format(value, "f")])
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    text.write("# title: Illustrative tariff schedule of the demo administration (CN)\n")
    text.write("# illustrative: yes\n")
    text.write("# Invented for demonstration: NOT the customs tariff of China or of any country.\n")
    w = csv.DictWriter(text, HEADER, lineterminator="\n")
    w.writeheader()
    w.writerows(rows())
    with gzip.open(OUT / "demo-tariff.csv.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(text.getvalue())
    with (OUT / "demo-rates.csv").open("w", encoding="utf-8", newline="") as f:
        f.write(
            "# Illustrative customs exchange rates (CNY per unit), invented for demonstration.\n"
        )
        w2 = csv.writer(f, lineterminator="\n")
        w2.writerow(["currency", "valid_from", "valid_to", "rate"])
        w2.writerows(rate_rows())


if __name__ == "__main__":
    main()
