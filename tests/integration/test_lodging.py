"""Lodging over HTTP: success, idempotency, and every kind of bad input."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa

from silkgate.store.tables import declarations
from tests.integration.conftest import auth


def count(node) -> int:
    with node.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(declarations)).scalar_one()


def test_lodge_and_read_back(client, tokens, declaration):
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "lodged" and body["version"] == 1
    assert r.headers["location"] == f"/v1/declarations/{body['mrn']}"
    got = client.get(r.headers["location"], headers=auth(tokens["acme-trading"]))
    assert got.status_code == 200
    assert got.json()["document"]["lrn"] == declaration["lrn"]
    assert got.json()["document"]["items"][0]["hs_code"] == "08109040"
    assert got.headers["etag"] == '"1"'


def test_same_idempotency_key_returns_the_first_result(client, tokens, declaration, node):
    headers = {**auth(tokens["acme-trading"]), "Idempotency-Key": "k-" + declaration["lrn"]}
    first = client.post("/v1/declarations", json=declaration, headers=headers)
    before = count(node)
    again = client.post("/v1/declarations", json=declaration, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert count(node) == before


def test_same_key_with_another_body_is_refused(client, tokens, declaration, node):
    headers = {**auth(tokens["acme-trading"]), "Idempotency-Key": "k2-" + declaration["lrn"]}
    assert client.post("/v1/declarations", json=declaration, headers=headers).status_code == 201
    declaration["items"][0]["description"] = "something else"
    before = count(node)
    r = client.post("/v1/declarations", json=declaration, headers=headers)
    assert r.status_code == 422
    assert r.json()["type"] == "/problems/idempotency-key-reused"
    assert count(node) == before


def test_invalid_declaration_lists_every_error_and_stores_nothing(
    client, tokens, declaration, node
):
    declaration["items"][0]["hs_code"] = "999999"
    declaration["invoice"]["currency"] = "XXQ"
    declaration["totals"]["items"] = 5
    declaration["items"][1]["value"] = "1.00"
    before = count(node)
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    pointers = {e["pointer"] for e in problem["errors"]}
    assert {"/items/0/hs_code", "/invoice/currency", "/totals/items", "/invoice/amount"} <= pointers
    assert problem["status"] == 422 and "nothing was stored" in problem["detail"]
    assert count(node) == before


def test_missing_items(client, tokens, declaration):
    del declaration["items"]
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 422
    assert any(e["pointer"] == "/items" for e in r.json()["errors"])


def test_wrong_types(client, tokens, declaration):
    declaration["totals"] = "lots"
    declaration["items"][0]["net_mass_kg"] = {"kg": 1}
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 422
    assert {"/totals", "/items/0/net_mass_kg"} <= {e["pointer"] for e in r.json()["errors"]}


def test_a_10_mb_body_is_refused_before_it_is_read(client, tokens, node):
    before = count(node)
    r = client.post(
        "/v1/declarations",
        content=b"{" + b" " * (10 * 1024 * 1024) + b"}",
        headers={**auth(tokens["acme-trading"]), "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["title"] == "Request body too large"
    assert count(node) == before


def test_malformed_and_hostile_bodies_get_4xx(client, tokens):
    h = {**auth(tokens["acme-trading"]), "Content-Type": "application/json"}
    bodies = [
        b"{not json",
        b"",
        b"\xff\xfe\x00garbage",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"items": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"null",
        b"12345678901234567890123456789012345678901234567890",
        b'"just a string"',
        json.dumps({"type": "IM", "invoice": {"amount": "1e999999"}}).encode(),
        json.dumps({"type": "IM", "invoice": {"amount": float("1e308") * 10}}).encode()
        if False
        else b'{"type": "IM", "invoice": {"amount": NaN}}',
    ]
    for body in bodies:
        r = client.post("/v1/declarations", content=body, headers=h)
        assert 400 <= r.status_code < 500, (body[:40], r.status_code, r.text[:200])
        assert r.headers["content-type"] == "application/problem+json"


def test_wrong_content_type(client, tokens, declaration):
    r = client.post(
        "/v1/declarations",
        content=json.dumps(declaration),
        headers={**auth(tokens["acme-trading"]), "Content-Type": "text/xml"},
    )
    assert r.status_code == 415


def test_lodging_for_another_trader_identifier_is_refused(client, tokens, declaration):
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["lotus-broker"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["pointer"] == "/declarant/id"


def test_an_lrn_is_lodged_once(client, tokens, declaration, node):
    me = auth(tokens["acme-trading"])
    first = client.post("/v1/declarations", json=declaration, headers=me)
    assert first.status_code == 201
    before = count(node)
    again = client.post("/v1/declarations", json=declaration, headers=me)
    assert again.status_code == 422
    error = again.json()["errors"][0]
    assert error["pointer"] == "/lrn" and error["code"] == "lrn_already_used"
    assert first.json()["mrn"] in error["detail"]
    assert count(node) == before


def test_another_declarant_may_use_the_same_lrn(client, tokens, declaration):
    assert (
        client.post(
            "/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"])
        ).status_code
        == 201
    )
    declaration["declarant"] = {
        "id": "91450100MA5LDEMO02",
        "name": "Nanning Lotus (demo)",
        "role": "direct_agent",
    }
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["lotus-broker"]))
    assert r.status_code == 201, r.text


def test_the_export_example_lodges(client, tokens):
    from tests.conftest import ROOT

    doc = json.loads((ROOT / "examples" / "export-declaration.json").read_text())
    doc["lrn"] = "EX-" + str(uuid.uuid4())[:8]
    r = client.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201, r.text
    assert r.json()["type"] == "EX" and r.json()["office"] == "CNHRS"


def test_every_answer_links_where_to_read_on(client, tokens, declaration, node, monkeypatch):
    """The API adds the links, on every path: lodged, replayed, read, listed, amended, decided."""
    from silkgate.kernel.errors import FieldError, InvalidRequest

    trader = auth(tokens["acme-trading"])
    headers = {**trader, "Idempotency-Key": "links-" + declaration["lrn"]}
    lodged = client.post("/v1/declarations", json=declaration, headers=headers)
    assert lodged.status_code == 201, lodged.text
    here = f"/v1/declarations/{lodged.json()['mrn']}"
    expected = {"self": here, "journal": f"{here}/journal", "versions": f"{here}/versions"}
    assert lodged.json()["links"] == expected
    assert lodged.json()["assessment"]["links"] == {"self": f"{here}/assessment"}
    replayed = client.post("/v1/declarations", json=declaration, headers=headers)
    assert replayed.json() == lodged.json()

    # A retry that today's rules refuse (dates move on) gets the first answer, links and all.
    def refused(*args, **kwargs):
        raise InvalidRequest([FieldError("/arrival_date", "invalid", "is in the past")])

    monkeypatch.setattr(node.declarations, "prepare", refused)
    again = client.post("/v1/declarations", json=declaration, headers=headers)
    monkeypatch.undo()
    assert again.status_code == 201 and again.json() == lodged.json()
    assert again.headers["location"] == here and again.headers["idempotent-replayed"] == "true"

    assert client.get(here, headers=trader).json()["links"] == expected
    page = client.get("/v1/declarations", params={"lrn": declaration["lrn"]}, headers=trader)
    assert [d["links"] for d in page.json()["items"]] == [expected]
    versions = client.get(f"{here}/versions", headers=trader).json()["items"]
    assert [v["links"] for v in versions] == [{"self": f"{here}/versions/1"}]
    amended = client.put(here, json=declaration, headers=trader)
    assert amended.status_code == 200, amended.text
    assert amended.json()["links"] == expected
    assert amended.json()["assessment"]["links"] == {"self": f"{here}/assessment"}
    cancelled = client.post(f"{here}/cancel", json={"reason": "lodged twice"}, headers=trader)
    assert cancelled.status_code == 200 and cancelled.json()["links"] == expected
