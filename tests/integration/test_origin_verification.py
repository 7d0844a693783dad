"""Retroactive verification of certificates of origin over the exchange (Viet Nam asks China).

Viet Nam's node (from test_origin_claims) receives China's e-COs through its
real inbox, gives the preference on them, then asks China to verify one;
China's node (the `node` fixture) receives the request through its inbox and
answers. A certificate not confirmed, or a request left unanswered past its
deadline (a manual clock), withdraws the preference on every declaration that
used it. Runs on SQLite, and on PostgreSQL with ``SILKGATE_TEST_DATABASE_URL``.
"""

# ruff: noqa: F811 (the Viet Nam fixtures are imported from test_origin_claims)
from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.exchange import envelope
from silkgate.exchange.envelope import Envelope
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import ManualClock
from silkgate.node import Node
from silkgate.risk.commands import RiskProfileCommand
from silkgate.store import exchange as exchange_store
from silkgate.store.db import reading, writing
from silkgate.store.tables import origin_verifications
from tests.eco_helpers import claiming, import_document
from tests.integration.conftest import auth
from tests.integration.test_origin_certificates import _apply, _approve
from tests.integration.test_origin_claims import (  # noqa: F401 (fixtures)
    ANALYST,
    OFFICER,
    _acme,
    _issued,
    _lodge,
    _lrn,
    _matched,
    _phones,
    vn,
    vn_client,
    vn_settings,
    vn_tokens,
    vn_url,
)

ORIGIN = Principal(0, "origin.zhou", Role.ORIGIN_OFFICER, None)
ASK = {"reason": "RVC doubtful: the mainboard's origin", "documents": ["bill_of_materials"]}


def _ask(client, tokens, certificate: str, /, **body: Any) -> Any:
    return client.post(
        "/v1/origin/verifications",
        json={"number": certificate, **ASK, **body},
        headers=auth(tokens["officer.nguyen"]),
    )


def _queued(n: Node, kind: str, partner: str) -> list[dict[str, Any]]:
    with reading(n.engine) as conn:
        rows = exchange_store.outbox(conn, limit=1000, partner=partner)
    return [json.loads(r["payload"]) for r in rows if r["type"] == kind]


def _answer(cn: Node, vn_node: Node, reference: str, number: str, result: str, sender: str = "CN"):
    payload = {
        "reference": reference, "number": number, "result": result,
        "findings": "the supplier declarations do not support the RVC",
        "answered_on": dt.date.today().isoformat(),
    }  # fmt: skip
    at = vn_node.exchange.clock()
    env = Envelope.new("origin_verification_answer", sender, "VN", reference, payload, at)
    kid, key = cn.exchange.signer()
    return vn_node.exchange.answer_one(envelope.sign(env, key, kid, at))


def _two_declarations(cn: Node, vn_node: Node) -> tuple[str, list[str]]:
    """An e-CO and two declarations given the preference on it (smartphones, then both)."""
    number, doc = _matched(cn, vn_node)
    first = _lodge(vn_node, _phones(doc, 600))
    second = _lodge(
        vn_node, claiming(_phones(import_document(_lrn()), 600), number, _issued(vn_node))
    )
    for lodged in (first, second):
        assert {p["treatment"] for p in lodged["assessment"]["preferences"]} == {"given"}
    return number, [first["mrn"], second["mrn"]]


def _assessed(n: Node, mrn: str) -> Decimal:
    return Decimal(n.declarations.account(OFFICER, mrn)["assessed"])


def test_not_confirmed_withdraws_the_preference_and_recovers_the_duty(
    node, vn, vn_client, vn_tokens
):
    number, mrns = _two_declarations(node, vn)
    before = {m: (_assessed(vn, m), vn.declarations.get(OFFICER, m)["version"]) for m in mrns}
    r = _ask(vn_client, vn_tokens, number)
    assert r.status_code == 201, r.text
    asked = r.json()
    assert asked["status"] == "open" and asked["issuer"] == "CN"
    # The ACFTA term: 90 days from today.
    today = vn.verifications.today()
    assert asked["deadline"] == (today + dt.timedelta(days=90)).isoformat()
    [sent] = [
        p for p in _queued(vn, "origin_verification", "CN") if p["reference"] == asked["reference"]
    ]
    assert sent["number"] == number and sent["documents"] == ["bill_of_materials"]

    result = _answer(node, vn, asked["reference"], number, "not_confirmed")
    assert result.status == "accepted", result
    shown = vn.verifications.show(OFFICER, "sent", asked["id"])
    assert shown["status"] == "not_confirmed" and "supplier" in shown["findings"]
    assert [x["mrn"] for x in shown["recoveries"]] == mrns
    total = Decimal(0)
    for m in mrns:
        d = vn.declarations.get(OFFICER, m)
        assert d["version"] == before[m][1] + 1
        difference = _assessed(vn, m) - before[m][0]
        assert difference > 0
        total += difference
        items = vn.declarations.assessment(OFFICER, m)["items"]
        assert {i["treatment"] for i in items} == {"not_given"}
        journal = vn.declarations.timeline(OFFICER, m)
        [entry] = [e for e in journal if e["event"] == "preference_withdrawn"]
        assert f"verification {asked['reference']} not confirmed" in entry["reason"]
        account = vn.declarations.account(OFFICER, m)
        assert Decimal(account["due"]) >= difference
    assert Decimal(shown["recovered"]) == total
    # Box 4 goes back to the issuer again: not given now, and why.
    box_4 = [p for p in _queued(vn, "origin_treatment", "CN") if p["number"] == number]
    for m in mrns:
        sent = {p["treatment"]: p for p in box_4 if p["declaration"] == m}
        assert sorted(sent) == ["given", "not_given"]
        withdrawn = sent["not_given"]
        assert withdrawn["reason_code"] == "eco_not_confirmed"
        assert asked["reference"] in withdrawn["reason"]


def test_confirmed_changes_nothing_but_closes_the_request(node, vn, vn_client, vn_tokens):
    number, mrns = _two_declarations(node, vn)
    before = {m: _assessed(vn, m) for m in mrns}
    asked = _ask(vn_client, vn_tokens, number).json()
    assert _answer(node, vn, asked["reference"], number, "confirmed").status == "accepted"
    shown = vn.verifications.show(OFFICER, "sent", asked["id"])
    assert shown["status"] == "confirmed" and shown["recoveries"] == []
    assert {m: _assessed(vn, m) for m in mrns} == before


def test_an_answer_from_another_than_the_issuer_is_refused(node, vn, vn_client, vn_tokens):
    number, _ = _two_declarations(node, vn)
    asked = _ask(vn_client, vn_tokens, number).json()
    # The request as if it had gone to Thailand: China's answer is not the issuer's.
    with writing(vn.engine) as conn:
        conn.execute(
            origin_verifications.update()
            .where(origin_verifications.c.id == asked["id"])
            .values(issuer="TH")
        )
    refused = _answer(node, vn, asked["reference"], number, "not_confirmed")
    assert refused.status == "refused" and refused.code == "not_issuer"
    assert vn.verifications.show(OFFICER, "sent", asked["id"])["status"] == "open"


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"number": "CN-E-1999-999999"}, "/number"),
        ({"deadline": "2000-01-01"}, "/deadline"),
        ({"reason": "  "}, "/reason"),
        ({"documents": []}, "/documents"),
        ({"documents": ["horoscope"]}, "/documents/0"),
    ],
)
def test_bad_input_is_named_and_changes_nothing(node, vn, vn_client, vn_tokens, body, pointer):
    number, _ = _matched(node, vn)
    with reading(vn.engine) as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(origin_verifications)).scalar()
    r = _ask(vn_client, vn_tokens, number, **body)
    assert r.status_code == 422, r.text
    assert pointer in [e["pointer"] for e in r.json()["errors"]]
    with reading(vn.engine) as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(origin_verifications)).scalar()
    assert after == count


@pytest.fixture
def clocked(vn: Node, vn_settings: Settings) -> Iterator[tuple[Node, ManualClock]]:
    clock = ManualClock(dt.datetime.now(dt.UTC))
    n = open_node(vn_settings, clock=clock)
    yield n, clock
    n.close()


def test_an_overdue_request_withdraws_the_preference(node, vn, clocked):
    n, clock = clocked
    number, mrns = _two_declarations(node, n)
    before = {m: _assessed(n, m) for m in mrns}
    asked = n.verifications.open(OFFICER, _request(number, days=10))
    clock.advance(dt.timedelta(days=10))
    assert n.verifications.overdue() == []  # the deadline's own day is in time
    clock.advance(dt.timedelta(days=1))
    late = n.verifications.listing(OFFICER, "sent", overdue=True)
    assert asked["reference"] not in {x["reference"] for x in late}  # closed on reading
    shown = n.verifications.show(OFFICER, "sent", asked["id"])
    assert shown["status"] == "overdue"
    assert all(_assessed(n, m) > before[m] for m in mrns)
    journal = n.declarations.timeline(OFFICER, mrns[0])
    assert any(
        "overdue" in (e["reason"] or "") for e in journal if e["event"] == "preference_withdrawn"
    )
    # A late answer changes nothing.
    assert _answer(node, n, asked["reference"], number, "confirmed").status == "accepted"
    assert n.verifications.show(OFFICER, "sent", asked["id"])["status"] == "overdue"


def test_a_risk_profile_asks_for_verification_at_lodging(node, vn):
    """A ``verify`` profile met by a claimed item opens one request for its e-CO (not two),
    journals it for officers (not for the trader), and leaves the channel alone."""
    name = "eco-verify-" + uuid.uuid4().hex[:6]
    vn.risk.save_profile(
        ANALYST,
        RiskProfileCommand(
            name=name,
            condition='item.origin_proof == "e_co_matched" && item.quantity == 613',
            effect="verify",
        ),
    )
    vn.risk.refresh()
    try:
        number, doc = _matched(node, vn)
        first = _lodge(vn, _phones(doc, 613))
        second = _lodge(vn, _phones(claiming(import_document(_lrn()), number, _issued(vn)), 613))
        other, other_doc = _matched(node, vn)
        _lodge(vn, _phones(other_doc, 612))  # the profile does not meet it
    finally:
        vn.risk.retire_profile(ANALYST, name)
        vn.risk.refresh()
    assert first["channel"] == "green"  # verification is retroactive: the goods go
    with reading(vn.engine) as conn:
        rows = conn.execute(
            sa.select(origin_verifications)
            .where(origin_verifications.c.side == "sent")
            .where(origin_verifications.c.number.in_([number, other]))
            .order_by(origin_verifications.c.id)
        ).all()
    [row] = rows
    assert row.requested_by == f"risk profile {name} (version 1)"
    assert row.reason == (
        f"Selected by risk profile {name} (version 1): declaration {first['mrn']}, item 1."
    )
    assert [p["reference"] for p in _queued(vn, "origin_verification", "CN")].count(
        row.reference
    ) == 1
    for mrn, asked in ((first["mrn"], True), (second["mrn"], False)):
        journal = vn.declarations.timeline(OFFICER, mrn)
        entries = [e for e in journal if e["event"] == "origin_verification"]
        assert bool(entries) is asked
    [entry] = [
        e
        for e in vn.declarations.timeline(OFFICER, first["mrn"])
        if e["event"] == "origin_verification"
    ]
    assert entry["reason"].startswith(f"verification of {number} asked of CN ({row.reference}")
    trader = vn.declarations.timeline(_acme(vn), first["mrn"])
    assert "origin_verification" not in {e["event"] for e in trader}


def _request(number: str, days: int) -> Any:
    from silkgate.origin.verification import VerificationRequest

    return VerificationRequest(
        number=number, deadline=dt.date.today() + dt.timedelta(days=days), **ASK
    )


# -- the issuing side ----------------------------------------------------------------------------


def test_the_issuer_receives_the_request_and_answers(client, tokens, node, vn):
    number = _approve(client, tokens, _apply(client, tokens)["id"]).json()["number"]
    payload = {
        "reference": "VN-V-00000000ABCD", "number": number, "agreement": "ACFTA", **ASK,
        "deadline": "2027-03-01", "requested_on": "2026-12-01",
    }  # fmt: skip
    at = node.exchange.clock()
    env = Envelope.new("origin_verification", "VN", "CN", payload["reference"], payload, at)
    kid, key = vn.exchange.signer()
    assert node.exchange.answer_one(envelope.sign(env, key, kid, at)).status == "accepted"
    listed = client.get("/v1/origin/verifications", headers=auth(tokens["origin.zhou"]))
    assert listed.status_code == 200, listed.text
    [got] = [x for x in listed.json()["items"] if x["reference"] == payload["reference"]]
    assert got["side"] == "received" and got["requester"] == "VN" and got["status"] == "open"
    r = client.post(
        f"/v1/origin/verifications/{got['id']}/answer",
        json={"result": "not_confirmed", "findings": "no production records"},
        headers=auth(tokens["origin.zhou"]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "not_confirmed"
    [answer] = [
        p for p in _queued(node, "origin_verification_answer", "VN")
        if p["reference"] == payload["reference"]
    ]  # fmt: skip
    assert answer["result"] == "not_confirmed" and answer["number"] == number
    again = client.post(
        f"/v1/origin/verifications/{got['id']}/answer",
        json={"result": "confirmed", "findings": "second thoughts"},
        headers=auth(tokens["origin.zhou"]),
    )
    assert again.status_code == 409
    # A request about a certificate not issued here is refused.
    wrong = {**payload, "reference": "VN-V-00000000ABCE", "number": "CN-E-1999-999999"}
    env = Envelope.new("origin_verification", "VN", "CN", wrong["reference"], wrong, at)
    refused = node.exchange.answer_one(envelope.sign(env, key, kid, at))
    assert refused.status == "refused" and refused.code == "bad_payload"


def _console_session(client: Any, n: Node, token: str, country: str) -> None:
    """``client`` logged into ``n``'s console with ``token`` (the session cookie)."""
    opened = n.sessions.open(token)
    assert opened is not None
    client.cookies.clear()
    client.cookies.set(f"sg_session_{country.lower()}", opened[0], path="/console")


def test_the_console_asks_and_the_issuers_console_answers(
    client, tokens, node, vn, vn_client, vn_tokens
):
    """Viet Nam's officer asks on the console; China's origin officer answers on its own."""
    number, _ = _two_declarations(node, vn)
    here = {"Origin": "http://testserver"}
    _console_session(vn_client, vn, vn_tokens["officer.nguyen"], "VN")
    page = vn_client.get(f"/console/origin/verifications?number={number}")
    assert page.status_code == 200 and f'value="{number}"' in page.text
    asked = vn_client.post(
        "/console/origin/verifications",
        data={"number": number, "reason": "", "documents": ["invoices"]},
        headers=here,
        follow_redirects=False,
    )
    assert asked.status_code == 303 and "reason" in asked.cookies.get("sg_flash", "")

    def mine() -> list[dict[str, Any]]:
        return [v for v in vn.verifications.listing(OFFICER, "sent") if v["number"] == number]

    assert mine() == []  # refused: nothing stored
    asked = vn_client.post(
        "/console/origin/verifications",
        data={"number": number, "reason": "supplier invoices", "documents": ["invoices"]},
        headers=here,
        follow_redirects=False,
    )
    assert asked.status_code == 303, asked.text
    [sent] = mine()
    [request] = [p for p in _queued(vn, "origin_verification", "CN") if p["number"] == number]
    assert request["reference"] == sent["reference"] and request["documents"] == ["invoices"]

    # China's origin officer answers on the console a request about a certificate China
    # really issued (the one above was made for the test, signed with China's key).
    issued = _approve(client, tokens, _apply(client, tokens)["id"]).json()["number"]
    request = {**request, "reference": "VN-V-0000000C0DE5", "number": issued}
    at = vn.exchange.clock()
    env = Envelope.new("origin_verification", "VN", "CN", request["reference"], request, at)
    kid, key = vn.exchange.signer()
    taken = node.exchange.answer_one(envelope.sign(env, key, kid, at))
    assert taken.status == "accepted", (taken.code, taken.detail)
    _console_session(client, node, tokens["origin.zhou"], "CN")
    page = client.get("/console/origin/verifications")
    assert page.status_code == 200 and request["reference"] in page.text
    [got] = [
        v for v in client.get(
            "/v1/origin/verifications?side=received", headers=auth(tokens["origin.zhou"])
        ).json()["items"]
        if v["reference"] == request["reference"]
    ]  # fmt: skip
    answered = client.post(
        f"/console/origin/verifications/{got['id']}/answer",
        data={"result": "not_confirmed", "findings": "no production records kept"},
        headers=here,
        follow_redirects=False,
    )
    assert answered.status_code == 303, answered.text
    [answer] = [
        p for p in _queued(node, "origin_verification_answer", "VN")
        if p["reference"] == request["reference"]
    ]  # fmt: skip
    assert answer["result"] == "not_confirmed"
    client.cookies.clear()
    vn_client.cookies.clear()


@pytest.mark.parametrize("verification_id", [2**31, 2**40])
def test_a_request_number_no_row_can_have_is_not_found(vn_client, vn_tokens, verification_id):
    url = f"/v1/origin/verifications/{verification_id}"
    r = vn_client.get(url, headers=auth(vn_tokens["officer.nguyen"]))
    assert r.status_code == 404, r.text
    r = vn_client.post(
        f"{url}/answer",
        json={"result": "confirmed", "findings": "x"},
        headers=auth(vn_tokens["origin.vu"]),
    )
    assert r.status_code == 404, r.text
