"""The LPCO core, without a database: requirements files, and the check of a declaration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from silkgate import demo
from silkgate.declarations.document import DeclarationDocument
from silkgate.lpco.check import Terms, check
from silkgate.lpco.licence import Flow, Kind, Licence, Status
from silkgate.lpco.requirements import Missing, Requirements, parse
from silkgate.tariff.files import FileErrors
from tests.lpco_helpers import ACME, batteries

ON = dt.date(2026, 6, 1)
HEADINGS = {"8506", "8507", "8806", "2939", "2915", "2841", "2916", "0301", "0106", "4301"}
HEADINGS |= {"8517", "8526"}


def _rules(missing: str = "hold") -> Requirements:
    text = f"""
title = "test"
[[requirement]]
hs = "850760"
flow = "import"
lpco = "import_licence"
agency = "CHEM"
missing = "{missing}"
description = "Lithium batteries"
valid_from = 2025-01-01
"""
    return Requirements(parse(text, ["CN", "VN"], HEADINGS))


def _licence(**changes: object) -> Licence:
    values: dict[str, object] = {
        "id": 7, "number": "CHEM-2026-000007", "agency": "CHEM", "kind": Kind.IMPORT_LICENCE,
        "holder": ACME, "holder_name": "Acme", "hs": "850760", "description": "batteries",
        "flow": Flow.IMPORT, "country": None, "office": None, "unit": "KGM",
        "quantity": Decimal(1000), "balance": Decimal(1000), "valid_from": dt.date(2026, 1, 1),
        "valid_until": dt.date(2026, 12, 31), "conditions": "", "status": Status.ISSUED,
    }  # fmt: skip
    values.update(changes)
    return Licence(**values)  # type: ignore[arg-type]


def _doc(kg: str, number: str | None) -> DeclarationDocument:
    return DeclarationDocument.model_validate(batteries(kg, number))


def _terms() -> Terms:
    return Terms(ON, lambda currency, on: None)


def test_the_shipped_requirements_are_illustrative_and_load():
    text = demo.lpco_requirements_file().decode()
    assert "illustrative = true" in text
    found = parse(text, ["CN", "VN"], HEADINGS)
    assert {r.kind for r in found} >= {Kind.IMPORT_LICENCE, Kind.PERMIT}
    cites = [r for r in found if r.hs_prefix == "0106"]
    assert {(r.flow, r.document, r.missing) for r in cites} == {
        (Flow.IMPORT, "C400", Missing.REFUSE),
        (Flow.EXPORT, "C400", Missing.REFUSE),
    }


def test_an_examination_is_said_by_the_requirement_or_by_the_licence():
    """The agency examines the goods when its LPCO says so, or the requirement does (then
    even when the LPCO is missing); the finding names the agency, and the goods are held."""
    plain = check(_doc("600", "CHEM-2026-000007"), _rules(), {"CHEM-2026-000007": _licence()},
                  _terms())  # fmt: skip
    assert [f.examiner for f in plain.findings] == [None] and not plain.holds
    examined = _licence(examine=True)
    by_licence = check(_doc("600", examined.number), _rules(), {examined.number: examined},
                       _terms())  # fmt: skip
    assert [f.examiner for f in by_licence.findings] == ["CHEM"]
    assert by_licence.holds == ["item 1: CHEM examines the goods (import licence CHEM-2026-000007)"]
    text = demo.lpco_requirements_file().decode()
    cites = Requirements(parse(text, ["CN", "VN"], HEADINGS))
    live = cites.applicable("01061900", Flow.IMPORT, "VN", ON)
    assert [(r.agency, r.examine) for r in live] == [("CITES", True)]


@pytest.mark.parametrize(
    ("line", "message"),
    [("examine = 1", "is not true or false"), ('agency = ""\nexamine = true', "needs the agency")],
)
def test_an_examination_needs_a_boolean_and_its_agency(line, message):
    text = '[[requirement]]\nhs = "850760"\nflow = "import"\nlpco = "permit"\n'
    text += f'missing = "hold"\ndescription = "x"\nvalid_from = 2025-01-01\n{line}\n'
    with pytest.raises(FileErrors) as caught:
        parse(text.replace('agency = ""\n', ""), ["CN"], HEADINGS)
    assert [(e.column, message in e.message) for e in caught.value.errors] == [("examine", True)]


def test_a_file_that_is_not_toml_is_refused_with_the_line():
    with pytest.raises(FileErrors) as caught:
        parse('title = "x"\n[[requirement]]\nhs = "850760\n', ["CN"], HEADINGS)
    assert [e.line for e in caught.value.errors] == [3]


def test_errors_are_named_by_line_and_key():
    text = '[[requirement]]\nhs = "85"\nflow = "inward"\nlpco = "permit"\nmissing = "hold"\n'
    text += 'description = "x"\nvalid_from = 2025-01-01\ncolour = "red"\n'
    with pytest.raises(FileErrors) as caught:
        parse(text, ["CN"], HEADINGS)
    assert [(e.line, e.column) for e in caught.value.errors] == [
        (2, "hs"),
        (3, "flow"),
        (8, "colour"),
    ]


def test_an_item_that_cites_a_good_licence_draws_it():
    checked = check(_doc("600", "CHEM-2026-000007"), _rules(), {"CHEM-2026-000007": _licence()},
                    _terms())  # fmt: skip
    assert not checked.refusals
    assert [(f.status, f.amount, f.unit) for f in checked.findings] == [("ok", Decimal(600), "KGM")]
    assert checked.facts == {1: "ok"}


def test_a_missing_licence_holds_or_refuses_as_the_requirement_says():
    held = check(_doc("600", None), _rules("hold"), {}, _terms())
    assert held.facts == {1: "missing"} and not held.refusals
    assert "no document L100" in held.holds[0]
    refused = check(_doc("600", None), _rules("refuse"), {}, _terms())
    assert [(e.pointer, e.code) for e in refused.refusals] == [
        ("/items/0/documents", "lpco_missing")
    ]


def test_a_short_balance_is_insufficient_and_says_what_is_left():
    lpco = _licence(balance=Decimal(400))
    checked = check(_doc("600", lpco.number), _rules(), {lpco.number: lpco}, _terms())
    assert checked.facts == {1: "insufficient"}
    assert "400 KGM left; the item needs 600" in checked.holds[0]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"holder": "91440300MA5OTHER01"}, "lpco_holder"),
        ({"status": Status.SUSPENDED}, "lpco_suspended"),
        ({"status": Status.REVOKED}, "lpco_revoked"),
        ({"valid_until": dt.date(2026, 5, 31)}, "lpco_expired"),
        ({"hs": "850720"}, "lpco_goods"),
        ({"office": "CNNBO"}, "lpco_office"),
        ({"agency": "RADIO"}, "lpco_agency"),
        ({"kind": Kind.PERMIT}, "lpco_kind"),
    ],
)
def test_a_licence_that_does_not_fit_refuses_the_lodging_with_the_field(changes, code):
    lpco = _licence(**changes)
    checked = check(_doc("100", lpco.number), _rules(), {lpco.number: lpco}, _terms())
    assert ("/items/0/documents/0/reference", code) in [
        (e.pointer, e.code) for e in checked.refusals
    ]
    assert not checked.draws


def test_a_unit_the_item_cannot_be_expressed_in_is_refused():
    lpco = _licence(unit="NAR")
    checked = check(_doc("100", lpco.number), _rules(), {lpco.number: lpco}, _terms())
    assert [(e.pointer, e.code) for e in checked.refusals] == [
        ("/items/0/supplementary_quantity", "lpco_unit")
    ]
