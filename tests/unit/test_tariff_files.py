"""The tariff and exchange-rate file formats: every error, with its line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from silkgate.tariff.files import FileErrors, parse_rates, parse_tariff

HEADER = (
    "code,description,unit,measure,agreement,valid_from,valid_to,"
    "ad_valorem,specific,specific_unit,minimum,maximum"
)
SUBHEADINGS = ["090121", "081090", "220300"]
CURRENCIES = {"USD": 2, "CNY": 2, "XAU": None}


def tariff_errors(*rows: str) -> list[str]:
    with pytest.raises(FileErrors) as exc:
        parse_tariff("\n".join([HEADER, *rows]), SUBHEADINGS, "CN")
    return [str(e) for e in exc.value.errors]


def test_a_good_file_with_metadata():
    parsed = parse_tariff(
        "# title: Test tariff\n# illustrative: yes\n"
        + "\n".join(
            [
                HEADER,
                "09012100,Coffee roasted,,duty,,2024-01-01,2025-12-31,15,,,,",
                "09012100,,,duty,,2026-01-01,,12,,,,",
                "09012100,,,duty,ACFTA,2024-01-01,,0,,,,",
                "09012100,,,vat,,2024-01-01,,13,,,,",
                "22030000,Beer,LTR,duty,,2024-01-01,,,0.40,LTR,,",
            ]
        ),
        SUBHEADINGS,
        "CN",
    )
    assert parsed.title == "Test tariff" and parsed.illustrative
    assert parsed.lines == [("09012100", "Coffee roasted", None), ("22030000", "Beer", "LTR")]
    assert len(parsed.measures) == 5
    beer = parsed.measures[-1][1]
    assert beer.specific == Decimal("0.40") and beer.unit == "LTR" and beer.type == "specific"


def test_every_error_is_reported_with_its_line_and_column():
    found = tariff_errors(
        "0901210,Short code,,duty,,2024-01-01,,15,,,,",  # line 2
        "99999900,Not HS,,duty,,2024-01-01,,15,,,,",  # line 3
        "09012100,Coffee,,tax,,2024-01-01,,15,,,,",  # line 4
        "09012100,Coffee,,duty,,2024-13-01,,15,,,,",  # line 5
        "09012100,Coffee,,duty,,2024-01-01,2023-01-01,15,,,,",  # line 6
        "09012100,Coffee,,duty,NAFTA,2024-01-01,,15,,,,",  # line 7
        "09012100,Coffee,,duty,,2024-01-01,,abc,,,,",  # line 8
        "09012100,Coffee,,duty,,2024-01-01,,,3,,,",  # line 9
        "09012100,Coffee,,vat,,2024-01-01,,,3,KGM,,",  # line 10
        "09012100,Coffee,,duty,,2024-01-01,,,,,,",  # line 11
        "09012100,Coffee,,duty,,2024-01-01,,15,,,,,extra",  # line 12
    )
    assert found == [
        "line 2, code: '0901210' is not an 8- or 10-digit tariff line",
        "line 3, code: 999999 is not an HS 2022 subheading",
        "line 4, measure: 'tax' is not one of duty, vat, excise, export_duty",
        "line 5, valid_from: '2024-13-01' is not a date (YYYY-MM-DD)",
        "line 6, valid_to: is before valid_from 2024-01-01",
        "line 7, agreement: 'NAFTA' is not one of ACFTA, ATIGA, RCEP",
        "line 8, ad_valorem: 'abc' is not a number",
        "line 9, specific_unit: required with specific, minimum or maximum",
        "line 10, specific: VAT is charged ad valorem only",
        "line 11, ad_valorem: a measure needs ad_valorem, specific or both",
        "line 12: has 13 fields, the header has 12",
    ]


def test_overlapping_periods_and_missing_general_duty():
    found = tariff_errors(
        "09012100,Coffee,,duty,,2024-01-01,2026-06-30,15,,,,",
        "09012100,,,duty,,2026-06-01,,12,,,,",
        "08109040,Dragon fruit,,duty,,2024-01-01,,20,,,,",
        "08109040,,,duty,ATIGA,2024-01-01,,0,,,,",
        "22030000,Beer,,vat,,2024-01-01,,13,,,,",
    )
    assert "line 3, valid_from: the duty of line 09012100 overlaps line 2" in found
    assert "line 5, agreement: CN is not a party to ATIGA" in found
    assert any("line 6, measure: line 22030000 has no general duty" in e for e in found)


def test_a_line_cannot_be_subdivided_and_charged_at_once():
    found = tariff_errors(
        "08109040,Dragon fruit,,duty,,2024-01-01,,20,,,,",
        "0810904010,Red dragon fruit,,duty,,2024-01-01,,20,,,,",
    )
    assert found == [
        "line 3, code: 0810904010 is a subdivision of line 08109040: a line cannot be both"
    ]


def test_a_wrong_header_is_one_clear_error():
    with pytest.raises(FileErrors) as exc:
        parse_tariff("code,description,rate\n09012100,Coffee,15\n", SUBHEADINGS, "CN")
    [error] = exc.value.errors
    assert "missing column(s) unit, measure" in str(error)
    assert "unknown column(s) rate" in str(error)


def test_rates():
    rates = parse_rates(
        "currency,valid_from,valid_to,rate\nUSD,2026-01-01,,7.10\nUSD,2026-02-01,,7.12\n",
        CURRENCIES,
        "CNY",
    )
    assert [(r.valid_from, r.rate) for r in rates] == [
        (dt.date(2026, 1, 1), Decimal("7.10")),
        (dt.date(2026, 2, 1), Decimal("7.12")),
    ]


def test_rate_errors():
    with pytest.raises(FileErrors) as exc:
        parse_rates(
            "currency,valid_from,valid_to,rate\n"
            "ZZZ,2026-01-01,,7.10\n"
            "XAU,2026-01-01,,7.10\n"
            "CNY,2026-01-01,,1\n"
            "USD,2026-01-01,2026-01-31,0\n"
            "USD,2026-02-01,2026-02-28,7.1\n"
            "USD,2026-02-15,,7.2\n",
            CURRENCIES,
            "CNY",
        )
    assert [str(e) for e in exc.value.errors] == [
        "line 2, currency: 'ZZZ' is not an ISO 4217 currency",
        "line 3, currency: XAU is not a currency an invoice is paid in",
        "line 4, currency: CNY is the national currency (its rate is 1)",
        "line 5, rate: '0' must be greater than 0",
        "line 7, valid_from: the USD rate overlaps line 6",
    ]
