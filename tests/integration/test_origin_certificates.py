"""Issuing certificates of origin (Form E), on SQLite and PostgreSQL.

An exporter applies, the node determines each line, an origin officer
approves: the certificate is numbered, hashed, signed, published (status and
hash only) and queued for the importing partner in the same transaction.
Refusal, cancellation and replacement; every bad input named; concurrent
approvals; box 4 coming back from the partner through the real inbox.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from silkgate.exchange import envelope
from silkgate.exchange.envelope import Envelope
from silkgate.node import Node
from silkgate.origin import certificate
from silkgate.store.db import reading
from silkgate.store.tables import exchange_inbox, exchange_outbox, origin_applications
from tests.conftest import ROOT
from tests.integration.conftest import auth
from tests.integration.test_exchange import deliver, pair, vn, vn_url  # noqa: F401 (fixtures)

APPLICATION = json.loads((ROOT / "examples" / "origin-application.json").read_text())
HERE = {"Origin": "http://testserver"}


def _application(**changes: Any) -> dict[str, Any]:
    app = copy.deepcopy(APPLICATION)
    app["lines"][0]["invoice"]["number"] = f"INV-{uuid.uuid4().hex[:8]}"
    app.update(changes)
    return app


def _apply(client, tokens, app: dict[str, Any] | None = None) -> dict[str, Any]:
    r = client.post(
        "/v1/origin/applications", json=app or _application(), headers=auth(tokens["acme-trading"])
    )
    assert r.status_code == 201, r.text
    return r.json()


def _approve(client, tokens, application_id: int, **body: Any) -> Any:
    return client.post(
        f"/v1/origin/applications/{application_id}/approve",
        json=body or None,
        headers=auth(tokens["origin.zhou"]),
    )


def _outbox(node: Node, number: str) -> list[dict[str, Any]]:
    o = exchange_outbox.c
    with reading(node.engine) as conn:
        rows = conn.execute(
            sa.select(o.partner, o.type, o.subject, o.payload)
            .where(o.subject == number)
            .order_by(o.id)
        )
        return [{**r._mapping, "payload": orjson.loads(r.payload)} for r in rows]


def _count(node: Node) -> int:
    with reading(node.engine) as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(origin_applications)).scalar_one()
        )


# -- the whole way: apply, determine, approve, publish, queue ----------------------------------


def test_an_approved_application_becomes_a_signed_certificate_queued_for_the_partner(
    client,
    tokens,
    node,
    pair,  # noqa: F811
):
    applied = _apply(client, tokens)
    assert applied["status"] == "submitted" and applied["originating"] is True
    (d,) = applied["determinations"]
    assert d["originating"] and d["criterion"] == "RVC" and d["box8"] == "RVC 70%"
    assert applied["links"]["self"] == f"/v1/origin/applications/{applied['id']}"

    r = _approve(client, tokens, applied["id"], place="Shanghai Pudong")
    assert r.status_code == 201, r.text
    cert = r.json()
    number = cert["number"]
    assert certificate.NUMBER.match(number) and number.startswith(f"CN-E-{cert['issued_on'][:4]}-")
    assert r.headers["location"] == f"/v1/origin/certificates/{number}/document"
    doc = cert["document"]
    assert doc["status"] == "issued" and doc["issuer"] == "CN" and doc["form"] == "E"
    assert doc["lines"][0] | {"marks": None} == {
        "line": 1, "marks": None, "packages": {"count": 10, "kind": "CT"},
        "description": "Notebook computer", "hs": "847130", "criterion": "RVC", "rvc": "70.00",
        "quantity": {"value": "500", "unit": "NAR"}, "gross_mass_kg": "1250.000",
        "fob": {"amount": "1000.00", "currency": "USD"}, "invoice": doc["lines"][0]["invoice"],
    }  # fmt: skip
    assert doc["certification"] == {
        "place": "Shanghai Pudong", "date": cert["issued_on"], "officer": "origin.zhou"
    }  # fmt: skip
    assert doc["hash"] == certificate.digest(doc) == cert["hash"]
    assert cert["signature"]["verified"] is True

    # Published: status and hash, nothing commercial; no token needed.
    public = client.get(f"/v1/origin/certificates/{number}")
    assert public.status_code == 200
    assert set(public.json()) == set(certificate.PUBLIC)
    assert public.json()["hash"] == doc["hash"] and public.json()["status"] == "issued"
    for commercial in ("Acme", "Lotus", "Notebook", "847130", "1000.00", "INV-"):
        assert commercial not in public.text

    # Queued for Viet Nam in the approval's transaction, and delivered to its inbox.
    (message,) = _outbox(node, number)
    assert message["partner"] == "VN" and message["type"] == "origin_certificate"
    assert message["payload"] == doc
    deliver(pair)
    with reading(node.engine) as conn:
        status = conn.execute(
            sa.select(exchange_outbox.c.status).where(exchange_outbox.c.subject == number)
        ).scalar_one()
    assert status == "delivered"

    # The application says it was approved, and names its certificate.
    again = client.get(
        f"/v1/origin/applications/{applied['id']}", headers=auth(tokens["acme-trading"])
    ).json()
    assert again["status"] == "approved" and again["certificate"]["number"] == number
    assert _approve(client, tokens, applied["id"]).status_code == 409


def test_the_detached_signature_covers_the_document_and_nothing_else(client, tokens, node):
    cert = _approve(client, tokens, _apply(client, tokens)["id"]).json()
    content = certificate.signed_content(cert["document"])
    kid, jws = cert["signature"]["kid"], cert["signature"]["jws"]
    assert jws.split(".")[1] == ""  # the payload is detached
    key = node.exchange.keyring.public_key(kid)
    assert key is not None and envelope.verify_detached(jws, content, key)
    changed = {**cert["document"], "consignee": {**cert["document"]["consignee"], "name": "X"}}
    assert not envelope.verify_detached(jws, certificate.signed_content(changed), key)
    # The status is not signed: a cancelled certificate still verifies.
    assert envelope.verify_detached(
        jws, certificate.signed_content({**cert["document"], "status": "cancelled"}), key
    )


# -- refusals by the officer and by the rules ------------------------------------------------


def test_a_refusal_gives_the_exporter_the_reason(client, tokens):
    applied = _apply(client, tokens)
    url = f"/v1/origin/applications/{applied['id']}"
    officer = auth(tokens["origin.zhou"])
    r = client.post(f"{url}/refuse", json={"reason": "   "}, headers=officer)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/reason"
    r = client.post(f"{url}/refuse", json={"reason": "invoice does not match"}, headers=officer)
    assert r.status_code == 200 and r.json()["status"] == "refused"
    seen = client.get(url, headers=auth(tokens["acme-trading"])).json()
    assert seen["reason"] == "invoice does not match" and seen["certificate"] is None
    assert _approve(client, tokens, applied["id"]).status_code == 409


def test_a_line_that_does_not_originate_cannot_be_approved(client, tokens, node):
    app = _application()
    bill = app["lines"][0]["bill"]
    # Mostly Korean parts in the product's own heading: neither RVC 40 nor CTH is met.
    bill["materials"] = [
        {"description": "Keyboard unit", "hs": "847160", "origin": "KR",
         "value": {"amount": "700.00", "currency": "USD"}},
    ]  # fmt: skip
    applied = _apply(client, tokens, app)
    assert applied["originating"] is False
    assert applied["determinations"][0]["originating"] is False
    r = _approve(client, tokens, applied["id"])
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert "line 1" in detail and "does not originate" in detail and "RVC" in detail
    seen = client.get(
        f"/v1/origin/applications/{applied['id']}", headers=auth(tokens["origin.zhou"])
    ).json()
    assert seen["status"] == "submitted" and seen["certificate"] is None


def _bad(path: str, value: Any) -> dict[str, Any]:
    app = _application()
    *parents, last = path.strip("/").split("/")
    target: Any = app
    for p in parents:
        target = target[int(p)] if isinstance(target, list) else target[p]
    target[int(last) if isinstance(target, list) else last] = value
    return app


BAD = [
    ("/lines/0/bill/fob/amount", "-5.00", "/lines/0/bill/fob/amount"),
    ("/lines/0/bill/materials/0/value/amount", "0", "/lines/0/bill/materials/0/value/amount"),
    ("/lines/0/quantity/value", "0", "/lines/0/quantity/value"),
    ("/lines/0/gross_mass_kg", "-1", "/lines/0/gross_mass_kg"),
    ("/lines/0/packages/count", 0, "/lines/0/packages/count"),
    ("/lines/0/hs", "999999", "/lines/0/hs"),
    ("/lines/0/bill/materials/0/hs", "84733000", "/lines/0/bill/materials/0/hs"),
    ("/lines/0/bill/fob/currency", "ABC", "/lines/0/bill/fob/currency"),
    ("/lines/0/bill/materials/0/origin", "ZZ", "/lines/0/bill/materials/0/origin"),
    ("/consignee/country", "ZZ", "/consignee/country"),
    ("/lines/0/quantity/unit", "ZZZ", "/lines/0/quantity/unit"),
    ("/lines/0/packages/kind", "Q9", "/lines/0/packages/kind"),
    ("/port_of_discharge", "VNZZZ", "/port_of_discharge"),
    ("/agreement", "NAFTA", "/agreement"),
    ("/agreement", "RCEP", "/agreement"),  # known, but no Form E
    ("/exporter/id", "91450100MA5LDEMO02", "/exporter/id"),  # another trader's party
    ("/exporter/country", "VN", "/exporter/country"),
    ("/importing_country", "US", "/importing_country"),  # not a party to ACFTA
    ("/third_party_invoicing", True, "/third_party"),
    ("/exporter_declaration/date", "2999-01-01", "/exporter_declaration/date"),
]


@pytest.mark.parametrize(("path", "value", "pointer"), BAD)
def test_bad_input_is_named_and_changes_nothing(client, tokens, node, path, value, pointer):
    before = _count(node)
    r = client.post(
        "/v1/origin/applications",
        json=_bad(path, value),
        headers=auth(tokens["acme-trading"]),
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert pointer in [e["pointer"] for e in r.json()["errors"]], r.json()
    assert _count(node) == before


def test_every_fault_is_named_at_once(client, tokens):
    app = _application(importing_country="US")
    app["lines"][0]["hs"] = "999999"
    app["lines"][0]["bill"]["materials"][0]["value"]["currency"] = "ABC"
    r = client.post("/v1/origin/applications", json=app, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 422
    assert {"/lines/0/hs", "/lines/0/bill/materials/0/value/currency"} <= {
        e["pointer"] for e in r.json()["errors"]
    }


# -- cancel and replace -------------------------------------------------------------------------


def test_a_cancelled_certificate_is_published_and_sent_as_cancelled(client, tokens, node, pair):  # noqa: F811
    cert = _approve(client, tokens, _apply(client, tokens)["id"]).json()
    number, officer = cert["number"], auth(tokens["origin.zhou"])
    url = f"/v1/origin/certificates/{number}"
    r = client.post(f"{url}/cancel", json={}, headers=officer)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/reason"
    r = client.post(f"{url}/cancel", json={"reason": "goods not shipped"}, headers=officer)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["reason"] == "goods not shipped"
    public = client.get(url).json()
    assert public["status"] == "cancelled" and public["hash"] == cert["hash"]
    sent = [m["payload"]["status"] for m in _outbox(node, number)]
    assert sent == ["issued", "cancelled"]
    assert (
        client.post(f"{url}/cancel", json={"reason": "again"}, headers=officer).status_code == 409
    )
    deliver(pair)


def test_a_replacement_gets_a_new_number_and_both_are_sent(client, tokens, node):
    cert = _approve(client, tokens, _apply(client, tokens)["id"]).json()
    old, officer = cert["number"], auth(tokens["origin.zhou"])
    corrected = _application()
    corrected["lines"][0]["quantity"]["value"] = "480"
    r = client.post(f"/v1/origin/certificates/{old}/replace", json=corrected, headers=officer)
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["number"] != old and new["document"]["replaces"] == old
    assert new["document"]["lines"][0]["quantity"]["value"] == "480"
    was = client.get(f"/v1/origin/certificates/{old}/document", headers=officer).json()
    assert was["status"] == "replaced" and was["replaced_by"] == new["number"]
    assert was["document"]["replaced_by"] == new["number"] and was["hash"] == cert["hash"]
    assert [m["payload"]["status"] for m in _outbox(node, old)] == ["issued", "replaced"]
    assert [m["payload"]["replaces"] for m in _outbox(node, new["number"])] == [old]
    again = client.post(f"/v1/origin/certificates/{old}/replace", json=corrected, headers=officer)
    assert again.status_code == 409
    # The exporter stays the exporter: a replacement for another trader is refused.
    other = _application()
    other["exporter"] = {**other["exporter"], "id": "91450100MA5LDEMO02"}
    r = client.post(f"/v1/origin/certificates/{new['number']}/replace", json=other, headers=officer)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/exporter/id"


# -- who may do what -----------------------------------------------------------------------------


def test_roles_are_refused_what_is_not_theirs(client, tokens):
    applied = _apply(client, tokens)
    url = f"/v1/origin/applications/{applied['id']}"
    officer, analyst = auth(tokens["officer.li"]), auth(tokens["analyst.zhao"])
    assert (
        client.post("/v1/origin/applications", json=_application(), headers=officer).status_code
        == 403
    )
    assert client.post(f"{url}/approve", headers=auth(tokens["acme-trading"])).status_code == 403
    assert client.post(f"{url}/approve", headers=officer).status_code == 403
    assert client.get("/v1/origin/applications", headers=analyst).status_code == 403
    # Another trader cannot tell acme's application from one that does not exist.
    broker = auth(tokens["lotus-broker"])
    mine, unknown = (
        client.get(url, headers=broker),
        client.get("/v1/origin/applications/2000000000", headers=broker),
    )
    assert mine.status_code == unknown.status_code == 404
    listed = client.get("/v1/origin/applications", headers=broker).json()["items"]
    assert applied["id"] not in [a["id"] for a in listed]
    # The origin officer reads no declaration.
    assert client.get("/v1/declarations", headers=auth(tokens["origin.zhou"])).status_code == 403
    assert (
        client.get("/v1/origin/applications", headers=auth(tokens["origin.zhou"])).status_code
        == 200
    )


# -- concurrency ---------------------------------------------------------------------------------


def test_concurrent_approvals_take_distinct_numbers(client, tokens, node):
    """On PostgreSQL the number row is locked by the first approval until it commits; on SQLite
    writers are serialised. Either way no two certificates share a number."""
    ids = [_apply(client, tokens)["id"] for _ in range(8)]
    same = _apply(client, tokens)["id"]
    results: list[Any] = []
    lock = threading.Lock()

    def approve(application_id: int) -> None:
        r = _approve(client, tokens, application_id)
        with lock:
            results.append((application_id, r.status_code, r.json()))

    threads = [threading.Thread(target=approve, args=(i,)) for i in [*ids, same, same]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    numbers = [body["number"] for _, status, body in results if status == 201]
    assert len(numbers) == len(set(numbers)) == 9
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert seqs == list(range(seqs[0], seqs[0] + 9))  # no gap
    assert sorted(s for i, s, _ in results if i == same) == [201, 409]


# -- box 4 from the importing side ---------------------------------------------------------------


def _treatment(vn_node: Node, **payload: Any) -> str:
    at = vn_node.exchange.clock()
    env = Envelope.new("origin_treatment", "VN", "CN", payload["number"], payload, at)
    kid, key = vn_node.exchange.signer()
    return envelope.sign(env, key, kid, at)


def test_the_importing_side_answers_box_4_on_the_certificate(client, tokens, node, vn, pair):  # noqa: F811
    cert = _approve(client, tokens, _apply(client, tokens)["id"]).json()
    number = cert["number"]
    answer = {
        "number": number, "declaration": "26VNIMPORT00000001", "item": 1, "line": 1,
        "treatment": "not_given", "reason_code": "eco_quantity",
        "reason": "declared 600 NAR, the certificate covers 500", "decided_on": "2026-11-30",
    }  # fmt: skip
    result = node.exchange.answer_batch([_treatment(vn, **answer)], "127.0.0.1")
    assert result["results"][0]["status"] == "accepted", result
    seen = client.get(
        f"/v1/origin/certificates/{number}/document", headers=auth(tokens["origin.zhou"])
    ).json()
    (t,) = seen["treatments"]
    assert t["treatment"] == "not_given" and t["reason_code"] == "eco_quantity"
    assert t["sender"] == "VN" and t["line"] == 1
    exporter = client.get(
        f"/v1/origin/certificates/{number}/document", headers=auth(tokens["acme-trading"])
    ).json()
    assert exporter["treatments"] == []

    # About a certificate not issued here, or a line it does not have: refused, not recorded.
    for wrong in ({"number": "CN-E-1999-999999"}, {"line": 9}):
        result = node.exchange.answer_batch([_treatment(vn, **{**answer, **wrong})], "127.0.0.1")
        assert result["results"][0]["code"] == "bad_payload", result
    with reading(node.engine) as conn:
        kinds = (
            conn.execute(sa.select(exchange_inbox.c.type).where(exchange_inbox.c.subject == number))
            .scalars()
            .all()
        )
    assert kinds == ["origin_treatment"]


# -- the console ---------------------------------------------------------------------------------


def _log_in(client, node: Node, token: str) -> None:
    opened = node.sessions.open(token)
    assert opened is not None
    client.cookies.set("sg_session_cn", opened[0], path="/console")


def test_the_console_applies_decides_prints_and_checks(client, tokens, node):
    try:
        _log_in(client, node, tokens["acme-trading"])
        r = client.post(
            "/console/origin/applications",
            data={"application": json.dumps(_application())},
            headers=HERE,
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        page = r.headers["location"]
        application_id = int(page.rsplit("/", 1)[1])
        shown = client.get(page).text
        assert "RVC 70%" in shown and 'id="approve-form"' not in shown
        wrong = client.post(
            "/console/origin/applications",
            data={"application": json.dumps(_application(importing_country="US"))},
            headers=HERE,
        )
        assert wrong.status_code == 422 and "importing country" in wrong.text
        _log_in(client, node, tokens["origin.zhou"])
        queue = client.get("/console/origin/applications").text
        assert f'href="/console/origin/applications/{application_id}"' in queue
        assert 'id="approve-form"' in client.get(page).text
        r = client.post(f"{page}/approve", data={"place": ""}, headers=HERE, follow_redirects=False)
        assert r.status_code == 303
        detail = client.get(page).text
        number = detail.split('href="/console/origin/certificates/', 1)[1].split("/print", 1)[0]
        printed = client.get(f"/console/origin/certificates/{number}/print")
        assert (
            printed.status_code == 200 and "<svg" in printed.text and 'class="qr"' in printed.text
        )
        assert "Notebook computer" in printed.text and "style=" not in printed.text
    finally:
        client.cookies.clear()
    public = client.get(f"/console/origin/certificates/{number}")
    assert public.status_code == 200 and "issued" in public.text
    assert "Notebook" not in public.text and "Acme" not in public.text
    assert client.get("/console/origin/certificates/CN-E-2000-000001").status_code == 404


def test_answers_match_their_schemas(client, tokens):
    from silkgate.api.schemas import origin as out

    applied = _apply(client, tokens)
    out.Application.model_validate(applied)
    cert = _approve(client, tokens, applied["id"]).json()
    out.Certificate.model_validate(cert)
    officer = auth(tokens["origin.zhou"])
    out.CertificateStatus.model_validate(
        client.get(f"/v1/origin/certificates/{cert['number']}").json()
    )
    out.Applications.model_validate(client.get("/v1/origin/applications", headers=officer).json())
    out.Certificates.model_validate(client.get("/v1/origin/certificates", headers=officer).json())
