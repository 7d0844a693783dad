"""The certificate of origin's document, number, validity and hash; the application's pointers;
the detached signature (pure: no database)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from joserfc import jws

from silkgate.exchange import envelope, identity
from silkgate.kernel.commands import parse
from silkgate.origin import certificate
from silkgate.origin.application import Application, application_pointer
from tests.conftest import ROOT

APPLICATION = json.loads((ROOT / "examples" / "origin-application.json").read_text())
DETERMINATION = {
    "originating": True, "criterion": "RVC", "box8": "RVC 70%", "rvc": "70.00",
    "rvc_build_up": None, "fob": {"amount": "1000.00", "currency": "USD"},
    "product": {"hs": "847130", "description": "Notebook computer"}, "explanation": [],
}  # fmt: skip
# The contract between nodes (the document's keys, in order, and a line's).
DOCUMENT_KEYS = [
    "number", "agreement", "form", "issuer", "status", "replaces", "replaced_by", "issued_on",
    "valid_until", "exporter", "consignee", "departure_date", "vessel_flight",
    "port_of_discharge", "importing_country", "lines", "third_party_invoicing", "third_party",
    "back_to_back", "retroactive", "exhibition", "exporter_declaration", "certification", "hash",
]  # fmt: skip
LINE_KEYS = [
    "line", "marks", "packages", "description", "hs", "criterion", "rvc", "quantity",
    "gross_mass_kg", "fob", "invoice",
]  # fmt: skip


def _document(**changes: Any) -> dict[str, Any]:
    app = parse(Application, APPLICATION).model_dump(mode="json")
    return certificate.document(
        app, [DETERMINATION], number="CN-E-2026-000123", issuer="CN",
        issued_on=dt.date(2026, 11, 20), valid_until=dt.date(2027, 11, 19),
        certification={"place": "Shanghai", "date": "2026-11-20", "officer": "origin.zhou"},
        **changes,
    )  # fmt: skip


def test_the_number_is_a_sequence_per_issuer_and_year():
    assert certificate.number("CN", 2026, 123) == "CN-E-2026-000123"
    assert certificate.NUMBER.match(certificate.number("VN", 2027, 1))
    assert not certificate.NUMBER.match("CN-E-26-123")


@pytest.mark.parametrize(
    ("issued", "months", "until"),
    [
        ("2026-11-20", 12, "2027-11-19"),  # the contract's example
        ("2026-01-01", 12, "2026-12-31"),
        ("2024-02-29", 12, "2025-02-28"),  # no 29 February next year: to the month's end
        ("2026-01-31", 1, "2026-02-28"),
        ("2026-03-31", 12, "2027-03-30"),
    ],
)
def test_validity_runs_the_agreements_months_less_a_day(issued, months, until):
    assert certificate.valid_until(dt.date.fromisoformat(issued), months).isoformat() == until


def test_the_document_has_the_contracts_fields_and_its_hash():
    doc = _document()
    assert list(doc) == DOCUMENT_KEYS and list(doc["lines"][0]) == LINE_KEYS
    assert doc["form"] == "E" and doc["status"] == "issued" and doc["replaces"] is None
    assert doc["exporter"] == {**APPLICATION["exporter"]}
    line = doc["lines"][0]
    assert (line["criterion"], line["rvc"], line["fob"]) == ("RVC", "70.00", DETERMINATION["fob"])
    assert line["gross_mass_kg"] == "1250.000" and line["quantity"] == {
        "value": "500",
        "unit": "NAR",
    }
    assert doc["hash"].startswith("sha256:") and len(doc["hash"]) == 7 + 64
    assert doc["hash"] == certificate.digest(doc)


def test_the_hash_ignores_status_and_replacement_but_nothing_else():
    doc = _document()
    assert (
        certificate.digest(certificate.with_status(doc, "replaced", "CN-E-2026-000124"))
        == doc["hash"]
    )
    assert certificate.digest({**doc, "hash": "sha256:0"}) == doc["hash"]
    for key, value in (("replaces", "CN-E-2026-000001"), ("valid_until", "2027-11-20")):
        assert certificate.digest({**doc, key: value}) != doc["hash"]
    # RFC 8785: key order and spacing do not matter, so another node computes the same hash.
    shuffled = json.loads(json.dumps(dict(reversed(list(doc.items())))))
    assert certificate.digest(shuffled) == doc["hash"]


def test_the_public_part_is_status_and_hash_only():
    assert certificate.public(_document()) == {
        "number": "CN-E-2026-000123", "issuer": "CN", "status": "issued",
        "issued_on": "2026-11-20", "valid_until": "2027-11-19", "hash": _document()["hash"],
    }  # fmt: skip


def test_a_line_shows_the_rvc_that_conferred_origin():
    assert certificate.line_rvc({**DETERMINATION, "fob": None}) is None
    up = {**DETERMINATION, "rvc": "32.00", "rvc_build_up": "45.00", "box8": "RVC 45%"}
    assert certificate.line_rvc(up) == "45.00"
    assert certificate.line_rvc({**DETERMINATION, "rvc_build_up": "45.00"}) == "70.00"


@pytest.mark.parametrize(
    ("calculator", "line", "application"),
    [
        ("/product/hs", 2, "/lines/2/hs"),
        ("/product/description", 0, "/lines/0/description"),
        ("/product/fob/currency", 1, "/lines/1/bill/fob/currency"),
        ("/materials/3/value/amount", 0, "/lines/0/bill/materials/3/value/amount"),
        ("/build_up/profit", 0, "/lines/0/bill/build_up/profit"),
        ("/date", 4, "/departure_date"),
        ("/exporting_country", 0, "/exporter/country"),
        ("/transit/via/0", 0, "/transit/via/0"),
        ("/agreement", 0, "/agreement"),
    ],
)
def test_a_calculator_error_is_named_where_its_field_is_in_the_application(
    calculator, line, application
):
    assert application_pointer(calculator, line) == application


def test_the_detached_signature_is_a_standard_jws():
    key = identity.new_key()
    content = certificate.signed_content(_document())
    token = envelope.sign_detached(content, key, "CN-TEST")
    head, middle, signature = token.split(".")
    assert middle == ""
    public = identity.PublicKey("CN-TEST", identity.public_jwk(key, "CN-TEST"), dt.datetime.min)
    assert envelope.verify_detached(token, content, public)
    assert not envelope.verify_detached(token, content + b" ", public)
    assert not envelope.verify_detached(token.replace("..", ".e30."), content, public)
    # Put back the payload (RFC 7515, appendix F): an ordinary JWS any library verifies.
    attached = f"{head}.{base64.urlsafe_b64encode(content).rstrip(b'=').decode()}.{signature}"
    verified = jws.deserialize_compact(attached, key, algorithms=["Ed25519"])
    assert verified.payload == content and verified.headers()["kid"] == "CN-TEST"
