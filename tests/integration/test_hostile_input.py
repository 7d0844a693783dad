"""Hostile input at the edges: control and invisible characters, huge numbers, odd encodings.

Each is refused with a 422 naming the field, in plain words, and changes
nothing; several of these were 500s on PostgreSQL only (a NUL cannot even be
compared there, and its INTEGER ids are 32 bits), so run this file on both.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from silkgate.app import create_app
from silkgate.kernel.actors import Principal, Role
from tests.integration.conftest import auth

ADMIN = Principal(0, "admin", Role.ADMIN, None)
NUL = "a\x00b"
# Display tricks: a right-to-left override, a zero-width space, an isolate, a byte order mark.
TRICKS = ["Acme\u202eecmA", "Ac\u200bme", "\u2066Acme\u2069", "\ufeffAcme"]


@pytest.fixture(scope="module")
def bare(settings, node) -> TestClient:
    """A client that answers a server error with its 500, as a real client would see it."""
    return TestClient(create_app(settings, node), raise_server_exceptions=False)


def refused(r: Any, pointer: str, where: str | None = None) -> dict[str, Any]:
    """The one error of a 422 answer about ``pointer``."""
    assert r.status_code == 422, r.text
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    found = [e for e in problem["errors"] if e["pointer"] == pointer]
    assert found, problem
    if where is not None:
        assert found[0].get("in") == where, found[0]
    return found[0]


# -- 1. NUL and other control characters ----------------------------------------------------


def test_a_nul_in_the_partner_inbox_is_refused_and_not_recorded(bare):
    marker = uuid.uuid4().hex
    jose = bare.post(
        "/v1/exchange/inbox",
        content=f"{marker}\x00.e30.sig",
        headers={"Content-Type": "application/jose"},
    )
    assert refused(jose, "")["code"] == "refused_character"
    batch = bare.post("/v1/exchange/inbox", json={"messages": ["e30.e30.sig", f"{marker}\x00"]})
    assert "U+0000" in refused(batch, "/messages/1")["detail"]
    node = bare.app.state.node
    assert not [r for r in node.exchange.refusals(ADMIN, 1000) if marker in (r["excerpt"] or "")]


def test_a_nul_in_a_list_filter_is_a_field_error(bare, tokens):
    officer = auth(tokens["officer.li"])
    for name in ("lrn", "declarant_id", "status", "office", "hs_code"):
        r = bare.get("/v1/declarations", params={name: NUL}, headers=officer)
        assert refused(r, f"/{name}", "query")["code"] == "refused_character"
    r = bare.get("/v1/aeo/partners", params={"administration": NUL}, headers=officer)
    refused(r, "/administration", "query")


@pytest.mark.parametrize(
    ("method", "path", "pointer"),
    [
        ("GET", "/v1/risk/profiles/a%00b", "/name"),
        ("DELETE", "/v1/risk/profiles/a%00b", "/name"),
        ("GET", "/v1/aeo/a%00b", "/party_id"),
        ("POST", "/v1/aeo/a%00b/apply", "/party_id"),
        ("GET", "/v1/assistance/a%00b", "/reference"),
        ("POST", "/v1/exchange/outbox/a%00b/retry", "/message_id"),
    ],
)
def test_a_nul_in_a_path_id_is_a_field_error(bare, tokens, method, path, pointer):
    r = bare.request(method, path, headers=auth(tokens["admin"]), json={"name": "Acme"})
    assert "U+0000" in refused(r, pointer, "path")["detail"]


def test_a_nul_in_reasons_references_and_names_is_refused(bare, tokens, declaration):
    trader, officer = auth(tokens["acme-trading"]), auth(tokens["officer.li"])
    mrn = bare.post("/v1/declarations", json=declaration, headers=trader).json()["mrn"]
    r = bare.post(f"/v1/declarations/{mrn}/hold", json={"reason": NUL}, headers=officer)
    refused(r, "/reason")
    pay = {"kind": "payment", "amount": "1.00", "currency": "CNY", "reference": NUL}
    refused(bare.post(f"/v1/declarations/{mrn}/payments", json=pay, headers=officer), "/reference")
    r = bare.put(f"/v1/declarations/{mrn}", params={"reason": NUL}, json={}, headers=trader)
    refused(r, "/reason", "query")
    assert bare.get(f"/v1/declarations/{mrn}", headers=officer).json()["status"] != "held"

    analyst = auth(tokens["analyst.zhao"])
    profile = {"name": NUL, "condition": "true", "effect": "red"}
    refused(bare.post("/v1/risk/profiles", json=profile, headers=analyst), "/name")
    r = bare.post(f"/v1/aeo/NUL{uuid.uuid4().hex[:8]}/apply", json={"name": NUL}, headers=officer)
    refused(r, "/name")


def test_a_multi_line_reason_is_kept_but_a_multi_line_name_is_not(bare, tokens, declaration):
    trader, officer = auth(tokens["acme-trading"]), auth(tokens["officer.li"])
    mrn = bare.post("/v1/declarations", json=declaration, headers=trader).json()["mrn"]
    r = bare.post(f"/v1/declarations/{mrn}/hold", json={"reason": "seal\nbroken"}, headers=officer)
    assert r.status_code == 200, r.text
    declaration["lrn"] += "X"
    declaration["importer"]["name"] = "Acme\nTrading"
    detail = refused(
        bare.post("/v1/declarations", json=declaration, headers=trader), "/importer/name"
    )
    assert "U+000A" in detail["detail"]


# -- 15. display tricks ---------------------------------------------------------------------


@pytest.mark.parametrize("name", TRICKS)
def test_display_tricks_in_a_declaration_are_refused(bare, tokens, declaration, name):
    doc = copy.deepcopy(declaration)
    doc["importer"]["name"] = name
    doc["items"][0]["description"] = name
    doc["importer"]["address"]["street"] = name
    r = bare.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"]))
    for pointer in ("/importer/name", "/items/0/description", "/importer/address/street"):
        error = refused(r, pointer)
        assert error["code"] == "refused_character" and "invisible" in error["detail"]


@pytest.mark.parametrize("name", TRICKS)
def test_display_tricks_in_commands_are_refused(bare, tokens, name):
    officer, analyst = auth(tokens["officer.li"]), auth(tokens["analyst.zhao"])
    party = f"TRICK{uuid.uuid4().hex[:8]}"
    refused(bare.post(f"/v1/aeo/{party}/apply", json={"name": name}, headers=officer), "/name")
    assert bare.get(f"/v1/aeo/{party}", headers=officer).status_code == 404
    profile = {"name": "ok", "condition": "true", "effect": "red", "description": name}
    refused(bare.post("/v1/risk/profiles", json=profile, headers=analyst), "/description")
    r = bare.get(f"/v1/risk/profiles/{name}", headers=analyst)
    refused(r, "/name", "path")
    card = {"administration": "VN", "name": name, "endpoint": "http://vn.test", "keys": []}
    r = bare.post("/v1/exchange/partners", json=card, headers=auth(tokens["admin"]))
    refused(r, "/card/name")


# -- 2. amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1E+999999999", "0E-999999999", "1E+16", "-0E+99999999"])
def test_an_amount_beyond_bounds_is_refused_even_unauthenticated(bare, declaration, value):
    for field in ("amount", "freight"):
        doc = copy.deepcopy(declaration)
        doc["invoice"][field] = value
        error = refused(bare.post("/v1/assessments", json=doc), f"/invoice/{field}")
        assert value not in error["detail"]


def test_an_amount_beyond_bounds_is_refused_on_lodging(bare, tokens, declaration):
    declaration["invoice"]["freight"] = "1E+999999999"
    declaration["items"][0]["value"] = "0E-999999999"
    r = bare.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    for pointer in ("/invoice/freight", "/items/0/value"):
        assert "digits" in refused(r, pointer)["detail"]


def test_money_sent_as_a_json_number_is_refused(bare, tokens, declaration):
    declaration["invoice"]["amount"] = 48250.0
    declaration["items"][0]["value"] = 40500
    r = bare.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    for pointer in ("/invoice/amount", "/items/0/value"):
        error = refused(r, pointer)
        assert error["code"] == "amount_as_number"
        assert error["detail"] == 'send the amount as a string, e.g. "40500.00"'
    pay = {"kind": "payment", "amount": 10, "currency": "CNY", "reference": "P-1"}
    r = bare.post(
        "/v1/declarations/26CN00000000000000/payments", json=pay, headers=auth(tokens["officer.li"])
    )
    assert refused(r, "/amount")["code"] == "amount_as_number"


# -- 3. integers ------------------------------------------------------------------------------


def test_an_id_beyond_the_integer_columns_names_no_task(bare, tokens):
    officer = auth(tokens["officer.li"])
    assign = {"officer": "officer.li"}
    check = {"status": "compliant"}
    for task in (2**31, 2**63 - 1):  # beyond PostgreSQL's INTEGER: found nowhere
        assert bare.get(f"/v1/inspections/{task}", headers=officer).status_code == 404
        r = bare.post(f"/v1/inspections/{task}/assign", json=assign, headers=officer)
        assert r.status_code == 404, r.text
        r = bare.post(f"/v1/inspections/{task}/checks/1", json=check, headers=officer)
        assert r.status_code == 404, r.text
        assert bare.post(f"/v1/inspections/{task}/complete", headers=officer).status_code == 404
    for task in (2**63, 10**20):  # no number of this node's at all
        refused(bare.get(f"/v1/inspections/{task}", headers=officer), "/task_id", "path")


def test_a_version_or_cursor_beyond_the_integer_columns_is_a_field_error(bare, tokens, declaration):
    trader = auth(tokens["acme-trading"])
    mrn = bare.post("/v1/declarations", json=declaration, headers=trader).json()["mrn"]
    r = bare.get(f"/v1/declarations/{mrn}/assessment", params={"version": 2**31}, headers=trader)
    refused(r, "/version", "query")
    refused(bare.get(f"/v1/declarations/{mrn}/versions/{2**31}", headers=trader), "/version")
    r = bare.get("/v1/declarations", params={"cursor": "f" * 32}, headers=trader)
    refused(r, "/cursor", "query")
    r = bare.get("/v1/exchange/inbox", params={"limit": 10**20}, headers=auth(tokens["admin"]))
    refused(r, "/limit", "query")


def test_a_period_off_the_calendar_is_a_field_error(bare):
    refused(bare.get("/v1/trs", params={"to": "0001-01-01"}), "/to", "query")
    refused(bare.get("/v1/trs", params={"from": "9999-12-31", "to": "9999-12-31"}), "/to")


# -- 4. ePhyto encodings -------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["UTF-7", "UTF-32", "x-no-such-encoding"])
def test_an_ephyto_in_an_unreadable_encoding_is_refused(bare, tokens, declaration, encoding):
    trader = auth(tokens["acme-trading"])
    mrn = bare.post("/v1/declarations", json=declaration, headers=trader).json()["mrn"]
    xml = f'<?xml version="1.0" encoding="{encoding}"?><c:SPSCertificate/>'.encode()
    r = bare.post(
        f"/v1/declarations/{mrn}/ephyto",
        content=xml,
        headers={**trader, "Content-Type": "application/xml"},
    )
    assert "UTF-8" in refused(r, "")["detail"]


# -- 20. what the API says -----------------------------------------------------------------


def test_an_unknown_national_line_is_echoed_as_sent(bare, declaration):
    declaration["items"][0]["hs_code"] = "99999999"
    r = bare.post("/v1/assessments", json=declaration)
    assert "'99999999'" in refused(r, "/items/0/hs_code")["detail"]


def test_validation_messages_are_plain_words(bare, tokens, declaration):
    declaration["invoice"]["currency"] = "usd"
    declaration["transport"]["loading_place"] = "vnsgn"
    declaration["items"][0]["hs_code"] = "0810"
    declaration["items"][1]["net_mass_kg"] = "1.0000000000000000000000000000001E+400"
    r = bare.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert refused(r, "/invoice/currency")["detail"] == (
        "must be a 3-letter ISO 4217 currency code, e.g. USD"
    )
    assert "UN/LOCODE" in refused(r, "/transport/loading_place")["detail"]
    assert "6, 8 or 10 digits" in refused(r, "/items/0/hs_code")["detail"]
    for error in r.json()["errors"]:
        assert "pattern" not in error["detail"] and "^" not in error["detail"], error
        assert "E+400" not in error["detail"] and "000000000" not in error["detail"], error
    r = bare.get("/v1/declarations/not-an-mrn", headers=auth(tokens["acme-trading"]))
    assert "Movement Reference Number" in refused(r, "/mrn", "path")["detail"]


def test_a_malformed_or_unknown_tariff_code_says_so(bare):
    r = bare.get("/v1/tariff/abc")
    error = refused(r, "/code", "path")
    assert "is not an HS code" in error["detail"] and "stored" not in r.json()["detail"]
    r = bare.get("/v1/tariff/98")
    assert r.status_code == 404 and "no chapter, heading or line 98" in r.json()["detail"]


def test_the_calculator_needs_no_lrn_or_declarant_but_lodging_does(bare, tokens, declaration):
    draft = {k: v for k, v in declaration.items() if k not in ("lrn", "declarant")}
    r = bare.post("/v1/assessments", json=draft)
    assert r.status_code == 200, r.text
    r = bare.post("/v1/declarations", json=draft, headers=auth(tokens["acme-trading"]))
    refused(r, "/lrn")
    refused(r, "/declarant")


# -- every route -----------------------------------------------------------------------------


def test_no_path_parameter_of_any_route_takes_a_nul(bare, tokens):
    spec = bare.get("/openapi.json").json()
    admin = auth(tokens["admin"])
    tried = 0
    for template, operations in spec["paths"].items():
        if "{" not in template:
            continue
        path = "/".join("a%00b" if p.startswith("{") else p for p in template.split("/"))
        for method in operations:
            r = bare.request(method.upper(), path, headers=admin)
            assert r.status_code == 422, (method, template, r.text)
            tried += 1
    assert tried > 20


# -- the console ----------------------------------------------------------------------------


def test_the_console_refuses_the_same_characters(settings, node, tokens, declaration):
    from silkgate.web.pages import FLASH

    mrn = node.declarations.lodge(_acme(node), declaration)[0]["mrn"]
    here = {"Origin": "http://testserver"}
    with TestClient(create_app(settings, node), raise_server_exceptions=False) as console:
        r = console.post("/console/login", data={"token": tokens["officer.li"]}, headers=here)
        assert r.status_code in (200, 303), r.text
        r = console.get("/console/inspections", params={"office": NUL})
        refused(r, "/office", "query")
        r = console.post(
            f"/console/declarations/{mrn}/hold",
            data={"reason": NUL},
            headers=here,
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert "U+0000" in r.cookies.get(FLASH, "")
        aeo = {"party_id": NUL, "name": "Acme"}
        r = console.post("/console/aeo", data=aeo, headers=here, follow_redirects=False)
        assert r.status_code == 422 and "U+0000" in r.text  # the form again, with its error
        r = console.post("/console/inspections/99999999999999999999/complete", headers=here)
        refused(r, "/task_id", "path")
    assert node.declarations.get(ADMIN, mrn)["status"] != "held"


def test_the_console_amendment_takes_its_reason_as_text(settings, node, tokens, declaration):
    mrn = node.declarations.lodge(_acme(node), declaration)[0]["mrn"]
    here = {"Origin": "http://testserver"}
    with TestClient(create_app(settings, node), raise_server_exceptions=False) as console:
        console.post("/console/login", data={"token": tokens["acme-trading"]}, headers=here)
        form = {"document": json.dumps(declaration), "reason": NUL, "version": "1"}
        r = console.post(f"/console/declarations/{mrn}/amend", data=form, headers=here)
        assert r.status_code == 422 and "U+0000" in r.text, r.text[:300]
    assert node.declarations.get(ADMIN, mrn)["version"] == 1


def _acme(node):
    from silkgate.store import principals
    from silkgate.store.db import reading

    with reading(node.engine) as conn:
        return principals.find_principal(conn, "acme-trading")


def test_a_control_character_in_the_idempotency_key_is_a_field_error(bare, tokens, declaration):
    headers = {**auth(tokens["acme-trading"]), "Idempotency-Key": "key\x7f1"}
    r = bare.post("/v1/declarations", json=declaration, headers=headers)
    assert refused(r, "/Idempotency-Key", "header")["code"] == "refused_character"
