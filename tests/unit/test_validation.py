"""Validation against small, hand-made code lists: pure, no database."""

import datetime as dt

import pytest
from pydantic import ValidationError

from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.validation import CodeLists, InvalidDeclaration, validate, validate_draft
from tests.conftest import load_example

CODES = CodeLists(
    administration="CN",
    hs_subheadings=frozenset({"081090", "081340", "851712"}),
    countries=frozenset({"CN", "VN", "SG", "US", "KZ"}),
    currencies={"USD": 2, "CNY": 2, "JPY": 0, "XXX": None, "XAU": None},
    units=frozenset({"KGM", "TNE", "NAR"}),
    package_types=frozenset({"CT", "PK"}),
    locations=frozenset({"CNSGH", "VNSGN", "CNYYG", "USNYC"}),
    offices=frozenset({"CNSGH", "CNYYG"}),
)
TODAY = dt.date(2026, 11, 22)


def errors_of(doc):
    with pytest.raises(InvalidDeclaration) as exc:
        validate(doc, CODES, TODAY)
    return {e.pointer: e for e in exc.value.errors}


def test_the_example_is_valid():
    doc = validate(load_example(), CODES, TODAY)
    assert doc.items[0].hs_code == "08109040"
    assert str(doc.invoice.amount) == "48250.00"


def test_every_error_is_listed_with_its_pointer():
    doc = load_example()
    doc["items"][0]["hs_code"] = "999999"
    doc["invoice"]["currency"] = "XYZ"
    doc["items"][1]["origin"] = "ZZ"
    doc["items"][1]["packages"]["kind"] = "QQ"
    doc["items"][0]["supplementary_quantity"]["unit"] = "FOO"
    doc["transport"]["loading_place"] = "ZZZZZ"
    doc["totals"]["items"] = 3
    doc["totals"]["packages"] = 7
    errors = errors_of(doc)
    assert set(errors) >= {
        "/items/0/hs_code",
        "/invoice/currency",
        "/items/1/origin",
        "/items/1/packages/kind",
        "/items/0/supplementary_quantity/unit",
        "/transport/loading_place",
        "/totals/items",
        "/totals/packages",
    }
    assert errors["/items/0/hs_code"].code == "unknown_hs_code"


def test_structure_and_code_errors_come_together():
    doc = load_example()
    doc["invoice"]["amount"] = "not a number"
    doc["items"][0]["hs_code"] = "999999"
    del doc["office"]
    errors = errors_of(doc)
    assert {"/invoice/amount", "/items/0/hs_code", "/office"} <= set(errors)
    assert errors["/office"].detail == "is required"


def test_item_values_must_add_up_to_the_invoice():
    doc = load_example()
    doc["items"][1]["value"] = "7000.00"
    errors = errors_of(doc)
    assert errors["/invoice/amount"].code == "total_mismatch"
    assert "47500.00" in errors["/invoice/amount"].detail


def test_missing_items_are_an_error():
    doc = load_example()
    doc["items"] = []
    assert "/items" in errors_of(doc)


def test_wrong_types_are_named():
    doc = load_example()
    doc["totals"]["packages"] = "many"
    doc["transport"]["mode"] = "ship"
    doc["items"] = {"seq": 1}
    errors = errors_of(doc)
    assert {"/totals/packages", "/transport/mode", "/items"} <= set(errors)


def test_unknown_fields_are_refused_not_dropped():
    doc = load_example()
    doc["items"][0]["colour"] = "red"
    assert errors_of(doc)["/items/0/colour"].code == "extra_forbidden"


def test_a_body_that_is_not_an_object():
    with pytest.raises(InvalidDeclaration) as exc:
        validate([1, 2, 3], CODES, TODAY)
    assert exc.value.errors


def test_dates_in_the_future_and_too_far_ahead():
    doc = load_example()
    doc["invoice"]["date"] = "2026-12-01"
    doc["transport"]["arrival_date"] = "2027-06-01"
    errors = errors_of(doc)
    assert errors["/invoice/date"].code == "date_in_future"
    assert errors["/transport/arrival_date"].code == "too_far_ahead"


def test_an_impossible_date_is_a_structure_error():
    doc = load_example()
    doc["invoice"]["date"] = "2026-02-30"
    assert "/invoice/date" in errors_of(doc)


def test_pre_arrival_lodging_is_allowed():
    doc = load_example()
    doc["transport"]["arrival_date"] = (TODAY + dt.timedelta(days=10)).isoformat()
    validate(doc, CODES, TODAY)


def test_more_decimals_than_the_currency_has():
    doc = load_example()
    doc["invoice"]["currency"] = "JPY"
    doc["invoice"]["amount"] = "48250.50"
    doc["items"][0]["value"] = "40500.50"
    errors = errors_of(doc)
    assert errors["/invoice/amount"].code == "too_many_decimals"
    assert errors["/items/0/value"].code == "too_many_decimals"
    assert "/items/1/value" not in errors  # 7750.00 is a whole number of yen


def test_the_office_must_belong_to_this_administration():
    doc = load_example()
    doc["office"] = "VNSGN"
    assert errors_of(doc)["/office"].code == "unknown_office"


def test_an_import_must_come_into_this_country():
    doc = load_example()
    doc["transport"]["destination_country"] = "US"
    doc["transport"]["discharge_place"] = "USNYC"
    errors = errors_of(doc)
    assert errors["/transport/destination_country"].code == "not_this_administration"
    assert errors["/transport/discharge_place"].code == "not_this_administration"


def test_preference_under_an_agreement_the_origin_is_not_party_to():
    doc = load_example()
    doc["items"][0]["origin"] = "US"
    errors = errors_of(doc)
    assert errors["/items/0/preference/agreement"].code == "origin_not_party"


def test_container_check_digit():
    doc = load_example()
    doc["transport"]["containers"] = ["MSCU1234565"]
    assert errors_of(doc)["/transport/containers/0"].code == "bad_check_digit"


def test_items_are_numbered_in_order():
    doc = load_example()
    doc["items"][1]["seq"] = 5
    assert errors_of(doc)["/items/1/seq"].code == "bad_sequence"


def test_control_characters_are_refused():
    doc = load_example()
    doc["items"][0]["description"] = "fruit\x00; DROP TABLE"
    assert "/items/0/description" in errors_of(doc)


def test_pointer_escapes_slashes_and_tildes():
    from silkgate.kernel.errors import pointer

    assert pointer("a/b", "c~d", 0) == "/a~1b/c~0d/0"


def test_the_export_example_is_valid():
    import json

    from tests.conftest import ROOT

    codes = CodeLists(
        **{
            **CODES.__dict__,
            "hs_subheadings": CODES.hs_subheadings | {"851713", "847130"},
            "locations": CODES.locations | {"CNHRS", "KZALA"},
            "offices": CODES.offices | {"CNHRS"},
        }
    )
    doc = validate(
        json.loads((ROOT / "examples" / "export-declaration.json").read_text()), codes, TODAY
    )
    assert doc.type == "EX" and doc.transport.mode == 3


def test_an_export_must_leave_from_this_country():
    import json

    from tests.conftest import ROOT

    raw = json.loads((ROOT / "examples" / "export-declaration.json").read_text())
    raw["exporter"]["address"]["country"] = "VN"
    raw["transport"]["loading_place"] = "VNSGN"
    errors = errors_of(raw)
    assert errors["/exporter/address/country"].code == "party_not_local"
    assert errors["/transport/loading_place"].code == "not_this_administration"


@pytest.mark.parametrize("code", ["XXX", "XAU"])
def test_no_currency_and_metals_are_refused(code):
    doc = load_example()
    doc["invoice"]["currency"] = code
    assert errors_of(doc)["/invoice/currency"].code == "not_a_currency"


def test_a_version_stored_before_invisible_characters_were_refused_still_loads():
    doc = load_example()
    doc["importer"]["name"] = "Acme\u202e Trading"
    with pytest.raises(ValidationError):
        DeclarationDocument.model_validate(doc)
    assert DeclarationDocument.stored(doc).importer.name == "Acme\\u202e Trading"


def test_money_must_be_a_string_and_within_bounds():
    doc = load_example()
    doc["invoice"]["amount"] = 48250
    doc["invoice"]["insurance"] = "0E-999999999"
    doc["items"][0]["value"] = "1E+999999999"
    errors = errors_of(doc)
    assert errors["/invoice/amount"].code == "amount_as_number"
    assert errors["/invoice/insurance"].code == "out_of_range"
    assert errors["/items/0/value"].code in ("decimal_max_digits", "decimal_whole_digits")
    assert "/invoice/amount" not in {p for p, e in errors.items() if e.code == "total_mismatch"}


def test_the_draft_a_calculator_prices_needs_no_lrn_or_declarant():
    doc = load_example()
    del doc["lrn"], doc["declarant"]
    assert validate_draft(doc, CODES, TODAY).lrn is None
    assert set(errors_of(doc)) == {"/lrn", "/declarant"}
