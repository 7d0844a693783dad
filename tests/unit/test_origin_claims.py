"""The e-CO check, pure: certificates as received, the match of a claim, its assessment, facts."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from silkgate.declarations.document import DeclarationDocument, Party
from silkgate.origin import received
from silkgate.origin.claims import (
    MATCHED,
    MISMATCH,
    WAITING,
    Held,
    Terms,
    Verdict,
    check,
    valid_until,
)
from silkgate.origin.likeness import same_party, similar_descriptions
from silkgate.risk.facts import item_facts
from silkgate.tariff.assessment import AWAITING, GIVEN, GRANTED, NOT_GIVEN, assess
from tests.eco_helpers import certificate, claiming, import_document
from tests.unit.test_assessment import POLICY, RATES_IN_FORCE, SCHEDULE
from tests.unit.test_assessment import doc as assessment_doc

ON = dt.date(2026, 11, 25)
ISSUED = dt.date(2026, 11, 20)
NUMBER = "CN-E-2026-000123"
PARTIES = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "CN"})
# VND per unit: the pair's invoice is in CNY.
RATES = {"CNY": Decimal(3500), "USD": Decimal(25000)}


def terms(on: dt.date = ON, expecting: bool = True, months: int | None = 12) -> Terms:
    return Terms(
        administration="VN",
        on=on,
        validity_months=lambda agreement: months,
        parties=lambda agreement: PARTIES,
        to_national=lambda currency, day: RATES.get(currency),
        expecting=lambda issuer: expecting,
    )


def declaration(number: str = NUMBER, change: Any = None, **proof: Any) -> DeclarationDocument:
    raw = claiming(import_document("U-1"), number, ISSUED, **proof)
    if change:
        change(raw)
    return DeclarationDocument.model_validate(raw)


def held(covered: dict[int, Decimal] | None = None, **changes: Any) -> dict[str, Held]:
    return {NUMBER: Held(received.parse(certificate(NUMBER, ISSUED, **changes)), covered or {})}


def codes(verdicts: dict[int, Verdict]) -> dict[int, str | None]:
    return {seq: v.code for seq, v in verdicts.items()}


# -- the certificate as received -----------------------------------------------------------------


def test_the_hash_covers_the_content_not_the_status():
    payload = certificate(NUMBER, ISSUED)
    assert not received.tampered(payload)
    cancelled = {**payload, "status": "cancelled", "replaced_by": None}
    assert not received.tampered(cancelled)
    changed = copy.deepcopy(payload)
    changed["lines"][0]["quantity"]["value"] = "12000"
    assert received.tampered(changed)


def test_a_malformed_certificate_names_its_field():
    payload = certificate(NUMBER, ISSUED)
    payload["lines"][1]["line"] = 1
    with pytest.raises(received.CertificateError, match="same number"):
        received.parse(payload)
    payload = certificate(NUMBER, ISSUED)
    payload["lines"][0]["hs"] = "8517"
    with pytest.raises(received.CertificateError, match="/lines/0/hs"):
        received.parse(payload)


def test_an_e_co_number_names_its_issuer():
    assert received.issuer_of("CN-E-2026-000123") == "CN"
    assert received.issuer_of("E26VN0001") is None


def test_validity_counts_the_agreements_months_from_issue():
    cert = received.parse(certificate(NUMBER, dt.date(2024, 2, 29), valid_until="2025-12-31"))
    assert valid_until(cert, 12) == dt.date(2025, 2, 27)  # 12 months on: 28 February, less a day
    assert valid_until(cert, None) == dt.date(2025, 12, 31)
    short = received.parse(certificate(NUMBER, ISSUED, valid_until="2027-01-31"))
    assert valid_until(short, 12) == dt.date(2027, 1, 31)  # the certificate's own date first


# -- the match -----------------------------------------------------------------------------------


def test_a_clean_match_covers_each_item_on_its_line():
    verdicts = check(declaration(), held(), terms())
    assert [(v.proof, v.line, v.quantity, v.unit) for v in verdicts.values()] == [
        (MATCHED, 1, Decimal(1200), "NAR"),
        (MATCHED, 2, Decimal(400), "NAR"),
    ]
    assert all(v.treatment == "given" for v in verdicts.values())


def _other_consignee(raw: dict[str, Any]) -> None:
    raw["importer"] = {"id": "0109999999", "name": "Saigon Other Trading"}


def _from_thailand(raw: dict[str, Any]) -> None:
    raw["transport"]["dispatch_country"] = "TH"
    raw["transport"]["loading_place"] = "THBKK"


def _loaded_in_hong_kong(raw: dict[str, Any]) -> None:
    raw["transport"]["loading_place"] = "HKHKG"


@pytest.mark.parametrize(
    ("change", "cert", "code"),
    [
        (_other_consignee, {}, "eco_consignee"),
        (None, {"status": "cancelled"}, "eco_cancelled"),
        (None, {"status": "replaced", "replaced_by": "CN-E-2026-000124"}, "eco_replaced"),
        (None, {"agreement": "RCEP"}, "eco_agreement"),
        (None, {"importing_country": "TH"}, "eco_importing_country"),
        (_from_thailand, {}, "eco_not_direct"),
        (_loaded_in_hong_kong, {}, "eco_not_direct"),
    ],
)
def test_each_mismatch_has_its_code(change, cert, code):
    verdicts = check(declaration(change=change), held(**cert), terms())
    assert verdicts[1].proof == MISMATCH and verdicts[1].code == code, verdicts[1]
    assert verdicts[1].quantity is None


def test_an_expired_certificate():
    verdicts = check(declaration(), held(), terms(on=dt.date(2027, 11, 20)))
    assert codes(verdicts) == {1: "eco_expired", 2: "eco_expired"}
    assert "2027-11-19" in (verdicts[1].reason or "")


def test_every_failure_is_named_the_first_gives_the_code():
    verdicts = check(declaration(change=_other_consignee), held(status="cancelled"), terms())
    assert verdicts[1].code == "eco_cancelled"
    assert "cancelled" in (verdicts[1].reason or "") and "box 2" in (verdicts[1].reason or "")


def test_the_line_claimed_must_be_for_the_items_subheading():
    assert codes(check(declaration(line=2), held(), terms()))[1] == "eco_hs"
    assert codes(check(declaration(line=7), held(), terms()))[1] == "eco_line"


def test_two_items_on_one_line_add_up():
    def twice(raw: dict[str, Any]) -> None:
        second = copy.deepcopy(raw["items"][0])
        second["seq"] = 2
        raw["items"][1] = second  # 1,200 + 1,200 smartphones on line 1 (1,200)

    verdicts = check(declaration(change=twice), held(), terms())
    assert codes(verdicts) == {1: None, 2: "eco_quantity"}
    lines = check(declaration(), held(covered={1: Decimal(1)}), terms())
    assert "1199 left" in (lines[1].reason or "")


def test_quantities_are_compared_in_the_lines_unit():
    lines = certificate(NUMBER, ISSUED)["lines"]
    lines[0]["quantity"] = {"value": "100", "unit": "DZN"}  # 1,200 pieces
    lines[1]["quantity"] = {"value": "1.5", "unit": "TNE"}  # the laptops weigh 1,500 kg
    verdicts = check(declaration(), held(lines=lines), terms())
    assert [(v.proof, v.quantity) for v in verdicts.values()] == [
        (MATCHED, Decimal(100)),
        (MATCHED, Decimal("1.5")),
    ]
    lines[1]["quantity"] = {"value": "3", "unit": "LTR"}
    assert codes(check(declaration(), held(lines=lines), terms()))[2] == "eco_quantity"


@pytest.mark.parametrize(
    ("fob", "third_party", "code"),
    [
        ("660000.00", False, None),
        ("694736.00", False, None),  # 660,000 is 95.0 % of it
        ("694737.00", False, "eco_fob"),
        ("528000.00", False, None),  # 125 %
        ("527999.00", False, "eco_fob"),
        ("300000.00", True, None),  # a third party invoices: no upper bound
        (None, False, "eco_fob"),
    ],
)
def test_an_rvc_line_s_fob_bounds_the_items_value(fob, third_party, code):
    lines = certificate(NUMBER, ISSUED)["lines"]
    lines[0]["fob"] = None if fob is None else {"amount": fob, "currency": "CNY"}
    changes: dict[str, Any] = {"lines": lines}
    if third_party:
        changes |= {
            "third_party_invoicing": True,
            "third_party": {"name": "SG Hub", "country": "SG"},
        }
    assert codes(check(declaration(), held(**changes), terms()))[1] == code


def test_a_claim_waits_only_for_a_partner_that_sends_e_cos():
    assert check(declaration(), {}, terms())[1].proof == WAITING
    assert check(declaration(), {}, terms(expecting=False)) == {}


def test_a_paper_form_e_is_checked_when_its_number_is_an_e_co_received():
    def form_e(raw: dict[str, Any]) -> None:
        for item in raw["items"]:
            item["preference"]["proof"]["type"] = "FORM_E"

    assert check(declaration(change=form_e), held(), terms())[1].proof == MATCHED
    assert check(declaration("E26VN0001", change=form_e), {}, terms()) == {}


# -- loose comparisons ---------------------------------------------------------------------------


def test_parties_by_identifier_else_by_name():
    lotus = Party(id="0101234567", name="Hanoi Lotus Electronics JSC")
    assert same_party(lotus, "01-0123-4567", "Someone else")
    assert not same_party(lotus, "0109999999", "Hanoi Lotus Electronics JSC")
    unnamed = Party(name="Hanoi Lotus Electronics Joint Stock")
    assert same_party(unnamed, None, "HANOI LOTUS ELECTRONICS")
    assert not same_party(unnamed, None, "Saigon Lotus Trading Co., Ltd")


def test_descriptions_share_a_word():
    assert similar_descriptions("Laptop computers, 14 inch", "Notebook computer")
    assert similar_descriptions("Smartphones, 5G, 128 GB", "Smartphone")
    assert not similar_descriptions("Frozen fish fillets", "Smartphones")
    assert not similar_descriptions("Parts of machines", "Other parts")


# -- what the assessment and the risk facts make of a verdict ---------------------------------


ACFTA = {
    "origin": "VN",
    "preference": {
        "agreement": "ACFTA",
        "proof": {"type": "E_CO", "reference": NUMBER, "date": "2026-02-20"},
    },
}


def _assessed(verdict: Verdict | None):
    d = assessment_doc(("08109040", "1000.00", ACFTA), incoterm="FOB", freight="100.00",
                       insurance="10.00")  # fmt: skip
    proofs = {1: verdict} if verdict else None
    return d, assess(d, SCHEDULE, RATES_IN_FORCE, dt.date(2026, 3, 1), POLICY, proofs)


def test_a_matched_e_co_gives_the_preferential_rate():
    _, a = _assessed(Verdict(1, NUMBER, MATCHED, line=1))
    item = a.items[0]
    assert (item.preference_status, item.duty.amount, item.preference_withheld) == (GIVEN, 0, 0)
    assert item.duty_forgone == Decimal("1554.00")


@pytest.mark.parametrize(("proof", "status"), [(MISMATCH, NOT_GIVEN), (WAITING, AWAITING)])
def test_otherwise_the_general_rate_and_the_saving_withheld(proof, status):
    d, a = _assessed(Verdict(1, NUMBER, proof, "eco_hs", "line 1 is for 851713", 1))
    item = a.items[0]
    assert item.preference_status == status and item.duty_forgone == 0
    assert item.duty.amount == Decimal("1554.00")  # 20 % of 7,770.00
    # The duty, and the VAT on it: 1,554.00 + 9 % of 1,554.00.
    assert item.preference_withheld == Decimal("1693.86")
    assert a.totals["preference_withheld"] == Decimal("1693.86")
    detail = a.as_json()["items"][0]
    assert (detail["reason_code"], detail["treatment"]) == (
        "eco_hs",
        "waiting" if proof == WAITING else "not_given",
    )
    assert item_facts(d, a)[0]["item.origin_proof"] == proof
    assert item_facts(d, a.as_json())[0]["item.origin_proof"] == proof


def test_a_paper_proof_stays_granted_subject_to_verification():
    d, a = _assessed(None)
    assert a.items[0].preference_status == GRANTED
    assert "preference_withheld" not in a.as_json()["totals"]
    assert item_facts(d, a)[0]["item.origin_proof"] == "paper"
    plain = assessment_doc(("08109040", "1000.00", {"origin": "US"}), incoterm="FOB",
                           freight="100.00", insurance="10.00")  # fmt: skip
    assert item_facts(plain, None)[0]["item.origin_proof"] == "none"
