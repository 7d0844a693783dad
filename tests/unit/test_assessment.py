"""Worked examples of assessment, each figure checked by hand in the comments.

A small hand-made schedule (one line per kind of measure) and round exchange
rates keep the arithmetic checkable: USD is 7.00 CNY until 2026-06-30 and
7.20 CNY from 2026-07-01; insurance is presumed at 3 per mille.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from silkgate.declarations.document import DeclarationDocument
from silkgate.tariff import files
from silkgate.tariff.assessment import (
    GRANTED,
    NO_PREFERENTIAL_RATE,
    NotAssessable,
    Policy,
    assess,
)
from silkgate.tariff.money import round_money
from silkgate.tariff.rates import ExchangeRates
from silkgate.tariff.schedule import build
from tests.conftest import load_example

TARIFF = """\
# title: Worked examples
code,description,unit,measure,agreement,valid_from,valid_to,ad_valorem,specific,specific_unit,minimum,maximum
08109040,Dragon fruit,,duty,,2024-01-01,,20,,,,
08109040,,,duty,ACFTA,2024-01-01,,0,,,,
08109040,,,duty,RCEP,2024-01-01,,25,,,,
08109040,,,vat,,2024-01-01,,9,,,,
08134090,Dried fruit,,duty,,2024-01-01,,20,,,,
08134090,,,vat,,2024-01-01,,9,,,,
10063000,Rice,,duty,,2024-01-01,,,180,TNE,,
10063000,,,vat,,2024-01-01,,9,,,,
22030000,Beer,LTR,duty,,2024-01-01,,,0.40,LTR,,
22030000,,,excise,,2024-01-01,,,0.25,LTR,,
22030000,,,vat,,2024-01-01,,13,,,,
85258900,Cameras,NAR,duty,,2024-01-01,,3,120,NAR,,
85258900,,,vat,,2024-01-01,,13,,,,
64039900,Footwear,PR,duty,,2024-01-01,,10,,PR,8,
64039900,,,vat,,2024-01-01,,13,,,,
37023200,Film,MTK,duty,,2024-01-01,,15,,MTK,,3.50
37023200,,,vat,,2024-01-01,,13,,,,
87032300,Cars,NAR,duty,,2024-01-01,2026-06-30,25,,,,
87032300,,,duty,,2026-07-01,,15,,,,
87032300,,,excise,,2024-01-01,,9,,,,
87032300,,,vat,,2024-01-01,,13,,,,
"""
SUBHEADINGS = ["081090", "081340", "100630", "220300", "852589", "640399", "370232", "870323"]
RATES = """\
currency,valid_from,valid_to,rate
USD,2026-01-01,2026-06-30,7.00
USD,2026-07-01,,7.20
"""
CURRENCIES = {"USD": 2, "CNY": 2, "JPY": 0}

parsed = files.parse_tariff(TARIFF, SUBHEADINGS, "CN")
SCHEDULE = build(1, parsed.title, False, "CNY", parsed.lines, parsed.measures)
RATES_IN_FORCE = ExchangeRates("CNY", files.parse_rates(RATES, CURRENCIES, "CNY"))
POLICY = Policy("CNY", 2, Decimal("0.003"))
MARCH = dt.date(2026, 3, 1)


def doc(*items, incoterm="CIF", freight=None, insurance=None, currency="USD", **invoice):
    """The example declaration with these items ``(hs_code, value, extra fields)``."""
    raw = copy.deepcopy(load_example())
    template = raw["items"][1]
    raw["items"] = []
    for seq, (hs, value, extra) in enumerate(items, start=1):
        item = {**copy.deepcopy(template), "seq": seq, "hs_code": hs, "value": str(value)}
        item.update(extra)
        raw["items"].append(item)
    total = sum(Decimal(str(v)) for _, v, _ in items)
    raw["invoice"].update(
        amount=str(total),
        incoterm=incoterm,
        currency=currency,
        freight=freight,
        insurance=insurance,
    )
    raw["invoice"].update(invoice)
    raw["invoice"] = {k: v for k, v in raw["invoice"].items() if v is not None}
    raw["totals"]["items"] = len(items)
    return DeclarationDocument.model_validate(raw)


def run(d, on=MARCH):
    return assess(d, SCHEDULE, RATES_IN_FORCE, on, POLICY)


def errors(d, on=MARCH):
    with pytest.raises(NotAssessable) as exc:
        run(d, on)
    return {e.pointer: e for e in exc.value.errors}


US = {"origin": "US"}
ACFTA = {
    "origin": "VN",
    "preference": {
        "agreement": "ACFTA",
        "proof": {"type": "FORM_E", "reference": "E26VN0001", "date": "2026-02-20"},
    },
}


# --- measure types -------------------------------------------------------------------


def test_ad_valorem_on_a_fob_price():
    a = run(doc(("08109040", "1000.00", US), incoterm="FOB", freight="100.00", insurance="10.00"))
    item = a.items[0]
    # (1000 + 100 freight + 10 insurance) USD x 7.00 = 7770.00 CNY
    assert item.customs_value == Decimal("7770.00")
    assert item.duty.amount == Decimal("1554.00")  # 20% of 7770.00
    assert item.vat.amount == Decimal("839.16")  # 9% of (7770.00 + 1554.00) = 839.16
    assert item.excise.amount == 0 and item.excise.measure is None
    assert a.totals["total"] == Decimal("2393.16")
    assert a.rate["rate"] == "7" and a.rate["valid_from"] == "2026-01-01"


def test_acfta_preference_is_granted_subject_to_verification():
    a = run(
        doc(("08109040", "1000.00", ACFTA), incoterm="FOB", freight="100.00", insurance="10.00")
    )
    item = a.items[0]
    assert item.duty.amount == 0 and item.duty.measure.agreement == "ACFTA"
    assert item.preference_status == GRANTED
    assert item.duty_forgone == Decimal("1554.00")  # what the general 20% would have been
    assert item.vat.amount == Decimal("699.30")  # 9% of 7770.00


def test_deductions_cannot_take_the_whole_value():
    found = errors(doc(("08109040", "1200.00", US), incoterm="DAP", deductions="1200.00"))
    assert found["/invoice/deductions"].code == "exceeds_value"


def test_errors_come_together_even_without_a_rate():
    beer = {**US, "supplementary_quantity": {"value": "1000", "unit": "KGM"}}
    found = errors(
        doc(("22030000", "2000.00", beer), ("09012100", "10.00", US), incoterm="FOB"),
        dt.date(2025, 12, 31),
    )
    assert set(found) == {
        "/invoice/currency",
        "/invoice/freight",
        "/items/0/supplementary_quantity/unit",
        "/items/1/hs_code",
    }


def test_a_preferential_rate_above_the_general_rate_is_not_applied():
    rcep = {**ACFTA, "preference": {**ACFTA["preference"], "agreement": "RCEP"}}
    rcep["preference"]["proof"] = {**ACFTA["preference"]["proof"], "type": "RCEP_CO"}
    item = run(doc(("08109040", "1000.00", rcep))).items[0]
    assert item.preference_status == "not_applied_preferential_rate_not_lower"
    assert item.duty.amount == Decimal("1400.00")  # general 20% of 7000.00, not RCEP's 25%


def test_a_claim_on_a_line_without_a_preferential_rate_pays_the_general_rate():
    item = run(doc(("08134090", "1000.00", ACFTA))).items[0]
    assert item.preference_status == NO_PREFERENTIAL_RATE
    assert item.duty.amount == Decimal("1400.00") and item.duty_forgone == 0


def test_specific_duty_in_tonnes_on_a_net_mass_in_kilograms():
    item = run(doc(("10063000", "1000.00", {**US, "net_mass_kg": "2500"}))).items[0]
    assert item.customs_value == Decimal("7000.00")
    assert item.quantity == Decimal("2.5") and item.quantity_unit == "TNE"
    assert item.duty.amount == Decimal("450.00")  # 180 CNY/TNE x 2.5 t
    assert item.vat.amount == Decimal("670.50")  # 9% of 7450.00


def test_specific_duty_and_excise_per_litre_from_cubic_metres():
    beer = {**US, "supplementary_quantity": {"value": "1", "unit": "MTQ"}}
    item = run(doc(("22030000", "2000.00", beer))).items[0]
    assert item.customs_value == Decimal("14000.00")
    assert item.quantity == Decimal("1000") and item.quantity_unit == "LTR"
    assert item.duty.amount == Decimal("400.00")  # 0.40 CNY/LTR x 1000 l
    assert item.excise.amount == Decimal("250.00")  # 0.25 CNY/LTR x 1000 l
    assert item.vat.amount == Decimal("1904.50")  # 13% of (14000 + 400 + 250)
    assert item.total == Decimal("2554.50")


def test_a_quantity_is_required_when_the_line_is_charged_per_unit():
    found = errors(doc(("22030000", "2000.00", US)))
    assert found["/items/0/supplementary_quantity"].code == "required_by_tariff"
    assert "LTR" in found["/items/0/supplementary_quantity"].detail


def test_a_quantity_of_another_dimension_is_refused():
    beer = {**US, "supplementary_quantity": {"value": "1000", "unit": "KGM"}}
    found = errors(doc(("22030000", "2000.00", beer)))
    error = found["/items/0/supplementary_quantity/unit"]
    assert error.code == "unit_dimension_mismatch"
    assert "KGM (mass) cannot be converted to LTR (volume)" in error.detail


def test_compound_duty():
    cams = {**US, "supplementary_quantity": {"value": "10", "unit": "NAR"}}
    item = run(doc(("85258900", "5000.00", cams))).items[0]
    assert item.customs_value == Decimal("35000.00")
    assert item.duty.amount == Decimal("2250.00")  # 3% of 35000 = 1050, + 120 x 10 = 1200
    assert item.duty.measure.type == "compound"
    assert item.vat.amount == Decimal("4842.50")  # 13% of 37250.00


def test_minimum_duty_per_pair_applies_to_cheap_shoes_only():
    cheap = {**US, "supplementary_quantity": {"value": "100", "unit": "NAR"}}  # 50 pairs
    item = run(doc(("64039900", "200.00", cheap))).items[0]
    assert item.quantity == Decimal("50")
    assert item.duty.amount == Decimal("400.00")  # 10% of 1400 = 140 < 8 x 50 pairs = 400
    dear = run(doc(("64039900", "10000.00", cheap))).items[0]
    assert dear.duty.amount == Decimal("7000.00")  # 10% of 70000 > 400


def test_maximum_duty_per_square_metre():
    film = {**US, "supplementary_quantity": {"value": "1000", "unit": "MTK"}}
    item = run(doc(("37023200", "5000.00", film))).items[0]
    assert item.duty.amount == Decimal("3500.00")  # 15% of 35000 = 5250 > 3.50 x 1000


def test_point_in_time_rate_and_duty_change():
    car = {**US, "supplementary_quantity": {"value": "1", "unit": "NAR"}}
    before = run(doc(("87032300", "20000.00", car)), dt.date(2026, 6, 30)).items[0]
    assert before.customs_value == Decimal("140000.00")  # 20000 x 7.00
    assert before.duty.amount == Decimal("35000.00")  # 25%
    assert before.excise.amount == Decimal("15750.00")  # 9% of 175000
    assert before.vat.amount == Decimal("24797.50")  # 13% of 190750
    after = run(doc(("87032300", "20000.00", car)), dt.date(2026, 7, 1)).items[0]
    assert after.customs_value == Decimal("144000.00")  # 20000 x 7.20
    assert after.duty.amount == Decimal("21600.00")  # 15%
    assert after.excise.amount == Decimal("14904.00")  # 9% of 165600
    assert after.vat.amount == Decimal("23465.52")  # 13% of 180504


# --- Incoterms -------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["EXW", "FCA", "FAS", "FOB"])
def test_e_and_f_terms_add_freight_and_presumed_insurance(term):
    a = run(doc(("08109040", "1000.00", US), incoterm=term, freight="100.00"))
    # insurance presumed: 3 per mille of (1000 + 100) = 3.30; (1103.30) x 7 = 7723.10
    assert a.items[0].customs_value == Decimal("7723.10")
    assert a.basis["insurance_presumed"] is True
    assert any("presumed" in note for note in a.notes)


@pytest.mark.parametrize("term", ["EXW", "FCA", "FAS", "FOB"])
def test_e_and_f_terms_need_the_freight(term):
    found = errors(doc(("08109040", "1000.00", US), incoterm=term))
    assert found["/invoice/freight"].code == "required_for_incoterm"


@pytest.mark.parametrize("term", ["CFR", "CPT"])
def test_c_terms_with_freight_add_only_insurance(term):
    a = run(doc(("08109040", "1100.00", US), incoterm=term, freight="100.00"))
    # freight is in the price; insurance presumed 3 per mille of 1100 = 3.30
    assert a.items[0].customs_value == Decimal("7723.10")
    declared = run(doc(("08109040", "1100.00", US), incoterm=term, insurance="10.00"))
    assert declared.items[0].customs_value == Decimal("7770.00")  # (1100 + 10) x 7


@pytest.mark.parametrize("term", ["CIF", "CIP"])
def test_cif_and_cip_prices_are_the_customs_value(term):
    a = run(doc(("08109040", "1110.00", US), incoterm=term, freight="100.00", insurance="10.00"))
    assert a.items[0].customs_value == Decimal("7770.00")
    assert a.basis["freight_added"] == "0.00"
    assert a.notes == [
        f"freight declared on a {term} invoice is in the price: not added",
        f"insurance declared on a {term} invoice is in the price: not added",
    ]


@pytest.mark.parametrize("term", ["DAP", "DPU", "DDP"])
def test_d_terms_deduct_costs_after_importation(term):
    a = run(doc(("08109040", "1200.00", US), incoterm=term, deductions="90.00"))
    assert a.items[0].customs_value == Decimal("7770.00")  # (1200 - 90) x 7
    plain = run(doc(("08109040", "1200.00", US), incoterm=term))
    assert plain.items[0].customs_value == Decimal("8400.00")


def test_additions_such_as_royalties_are_added():
    a = run(doc(("08109040", "1110.00", US), additions="50.00"))
    assert a.items[0].customs_value == Decimal("8120.00")  # (1110 + 50) x 7


def test_adjustments_are_shared_by_value_and_totals_add_up():
    a = run(
        doc(
            ("08109040", "600.00", US),
            ("08134090", "400.00", US),
            incoterm="FOB",
            freight="100.00",
            insurance="10.00",
        )
    )
    # 110 shared 60/40: (600 + 66) x 7 = 4662.00 and (400 + 44) x 7 = 3108.00
    assert [i.customs_value for i in a.items] == [Decimal("4662.00"), Decimal("3108.00")]
    assert a.totals["customs_value"] == Decimal("7770.00")
    assert a.totals["total"] == sum(i.total for i in a.items)


def test_exports_are_valued_fob_and_pay_no_import_taxes():
    d = doc(("08109040", "1110.00", US), incoterm="CIF", freight="100.00", insurance="10.00")
    d = d.model_copy(update={"type": "EX"})
    a = run(d)
    assert a.items[0].customs_value == Decimal("7000.00")  # (1110 - 100 - 10) x 7
    assert a.totals["total"] == 0


# --- errors and rounding -----------------------------------------------------------------


def test_a_missing_rate_is_an_error_not_one():
    found = errors(doc(("08109040", "1000.00", US)), dt.date(2025, 12, 31))
    assert found["/invoice/currency"].code == "no_exchange_rate"
    assert (
        "USD" in found["/invoice/currency"].detail
        and "2025-12-31" in found["/invoice/currency"].detail
    )


def test_the_national_currency_needs_no_rate():
    # 2025-12-31 has no USD rate: a CNY invoice needs none.
    a = run(doc(("08109040", "62.50", ACFTA), currency="CNY"), dt.date(2025, 12, 31))
    # 9% of 62.50 = 5.625, rounded half-up to 5.63 (half-even would give 5.62)
    assert a.items[0].vat.amount == Decimal("5.63")


def test_a_six_digit_code_stands_for_its_only_national_line():
    assert run(doc(("081340", "100.00", US))).items[0].tariff_line == "08134090"


def test_codes_not_in_the_tariff_are_named():
    found = errors(doc(("09012100", "100.00", US), ("08109099", "100.00", US)))
    assert found["/items/0/hs_code"].code == "not_in_tariff"
    assert found["/items/1/hs_code"].code == "national_line_required"
    assert "08109040" in found["/items/1/hs_code"].detail


def test_rounding_is_half_up_to_the_minor_unit():
    assert round_money(Decimal("1.125"), 2) == Decimal("1.13")
    assert round_money(Decimal("1.115"), 2) == Decimal("1.12")
    assert round_money(Decimal("2.5"), 0) == Decimal("3")
    assert round_money(Decimal("-1.125"), 2) == Decimal("-1.13")


def test_measures_print_as_a_tariff_prints_them():
    labels = {
        code: [m.label("CNY") for m in line.measures if m.kind.value == "duty"]
        for code, line in SCHEDULE.lines.items()
    }
    assert labels["10063000"] == ["180.00 CNY/TNE"]
    assert labels["22030000"] == ["0.40 CNY/LTR"]
    assert labels["85258900"] == ["3% + 120.00 CNY/NAR"]
    assert labels["64039900"] == ["10%, min 8.00 CNY/PR"]
    assert labels["37023200"] == ["15%, max 3.50 CNY/MTK"]


def test_a_preferential_rate_equal_to_the_general_rate_is_not_a_preference():
    equal = files.parse_tariff(
        TARIFF.replace(
            "08109040,,,duty,ACFTA,2024-01-01,,0,,,,", "08109040,,,duty,ACFTA,2024-01-01,,20,,,,"
        ),
        SUBHEADINGS,
        "CN",
    )
    schedule = build(2, "equal", False, "CNY", equal.lines, equal.measures)
    item = assess(doc(("08109040", "1000.00", ACFTA)), schedule, RATES_IN_FORCE, MARCH, POLICY)
    assert item.items[0].preference_status == "not_applied_preferential_rate_not_lower"
    assert item.items[0].duty_forgone == 0


def test_goods_of_the_importing_country_cannot_claim_a_preference():
    from silkgate.declarations.validation import InvalidDeclaration, validate
    from tests.unit.test_validation import CODES, TODAY

    raw = load_example()
    raw["items"][0]["origin"] = "CN"
    with pytest.raises(InvalidDeclaration) as exc:
        validate(raw, CODES, TODAY)
    codes = {e.pointer: e.code for e in exc.value.errors}
    assert codes["/items/0/preference/agreement"] == "origin_is_importing_country"
