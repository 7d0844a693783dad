"""Exchange between two nodes (China and Viet Nam), each on its own real database.

Messages travel through the real outbox, dispatcher, envelope and inbox; only
the HTTP hop is replaced by a direct call (the e2e test runs real processes).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silkgate import demo
from silkgate.app import create_app
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.declarations.commands import Decision
from silkgate.exchange import envelope
from silkgate.exchange.commands import (
    AeoApplication,
    AeoCommand,
    AeoDecision,
    AeoGrant,
    AssistanceCase,
    AssistanceReply,
    PartnerRegistration,
)
from silkgate.exchange.envelope import Envelope
from silkgate.exchange.retries import PartnerBusy
from silkgate.exchange.services.dispatcher import Dispatcher
from silkgate.kernel.actors import Principal, Role
from silkgate.node import Node
from silkgate.store import exchange as exchange_store
from silkgate.store import migrate, refdata
from silkgate.store.db import make_engine, reading, writing
from silkgate.store.tables import advance_export_data, advance_links, exchange_inbox
from tests.conftest import ROOT, SECRET, _postgres_database
from tests.integration.conftest import auth

ADMIN = Principal(0, "admin", Role.ADMIN, None)
OFFICER = Principal(0, "officer.li", Role.OFFICER, None)


@pytest.fixture(scope="module")
def vn_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("SILKGATE_TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('vn') / 'vn.db'}"


@pytest.fixture(scope="module")
def vn(vn_url: str) -> Iterator[Node]:
    settings = Settings(
        mode="test",
        database_url=vn_url,
        secret_key=SECRET + "-vn",
        administration="VN",
        currency="VND",
        timezone="Asia/Ho_Chi_Minh",
        exchange_dispatch=False,
        public_url="http://vn.test",
    )
    migrate.upgrade(vn_url)
    engine = make_engine(vn_url, pool_size=1)
    refdata.load(engine)
    demo.setup(engine, settings.secret_key, "VN")
    demo.load_tariff(settings, engine)
    demo.load_sps(settings, engine)
    from silkgate.store import risk as risk_store

    with writing(engine) as conn:
        risk_store.update_settings(conn, exploration_share=0)
    engine.dispose()
    node = open_node(settings)
    yield node
    node.close()


@pytest.fixture(scope="module")
def pair(node: Node, vn: Node) -> dict[str, Any]:
    """The two nodes registered as each other's partners, and a way to deliver."""
    node.exchange.endpoint = "http://cn.test"
    for n in (node, vn):
        n.exchange.ensure_key()
    node.exchange.add_partner(PartnerRegistration(card=vn.exchange.card().as_json()))
    vn.exchange.add_partner(PartnerRegistration(card=node.exchange.card().as_json()))
    nodes = {"http://cn.test": node, "http://vn.test": vn}

    def transport(endpoint: str, tokens: list[str]) -> dict[str, Any]:
        if endpoint not in nodes:  # partners other tests registered: nobody answers there
            raise ValueError(f"{endpoint} is unreachable")
        return nodes[endpoint].exchange.answer_batch(tokens, "127.0.0.1")

    return {
        "CN": Dispatcher(node.exchange, transport=transport),
        "VN": Dispatcher(vn.exchange, transport=transport),
    }


def deliver(pair: dict[str, Any]) -> int:
    """Run both dispatchers until nothing more is due."""
    total = 0
    for _ in range(10):
        done = pair["CN"].deliver_once() + pair["VN"].deliver_once()
        total += done
        if not done:
            break
    return total


def _export(tag: str) -> dict[str, Any]:
    doc = json.loads((ROOT / "examples" / "pair" / "export-cn-to-vn.json").read_text())
    doc["lrn"] = f"EX-{tag}"
    doc["transport"]["document"]["number"] = f"CMR-{tag}"
    doc["ucr"] = None
    doc.pop("ucr")
    return doc


def _import_of(export: dict[str, Any], tag: str, *, value_factor: float = 1.0) -> dict[str, Any]:
    doc = json.loads((ROOT / "examples" / "pair" / "import-vn-from-cn.json").read_text())
    doc["lrn"] = f"IM-{tag}"
    doc["transport"]["document"]["number"] = export["transport"]["document"]["number"]
    doc.pop("ucr", None)
    doc["exporter"] = copy.deepcopy(export["exporter"])
    if value_factor != 1.0:
        doc["invoice"]["amount"] = f"{float(doc['invoice']['amount']) * value_factor:.2f}"
        for item in doc["items"]:
            item["value"] = f"{float(item['value']) * value_factor:.2f}"
    return doc


def _lodge(n: Node, doc: dict[str, Any]) -> dict[str, Any]:
    from silkgate.store import principals

    with reading(n.engine) as conn:
        acme = principals.find_principal(conn, "acme-trading")
    result, _ = n.declarations.lodge(acme, doc)
    return result


def _release(n: Node, mrn: str) -> None:
    d = n.declarations.get(OFFICER, mrn)
    if d["status"] != "released":
        n.declarations.act(OFFICER, mrn, n_action("release"), Decision(reason="checked"))


def n_action(name: str) -> Any:
    from silkgate.declarations.states import Action

    return Action(name)


def _advance_rows(n: Node, export_mrn: str) -> list[dict[str, Any]]:
    """The advance data held for an export, each with its links to imports."""
    with reading(n.engine) as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                advance_export_data.select().where(
                    advance_export_data.c.export_declaration == export_mrn
                )
            )
        ]
        for row in rows:
            row["links"] = [
                {"declaration_id": link.declaration_id, "mismatches": json.loads(link.mismatches)}
                for link in conn.execute(
                    advance_links.select()
                    .where(advance_links.c.advance_id == row["id"])
                    .order_by(advance_links.c.linked_at)
                )
            ]
    return rows


def _journal(n: Node, mrn: str) -> list[dict[str, Any]]:
    return n.declarations.timeline(OFFICER, mrn)


# -- advance export data --------------------------------------------------------------------------


def test_a_released_export_reaches_the_importing_side_which_links_it(node, vn, pair):
    tag = uuid.uuid4().hex[:8].upper()
    export = _export(tag)
    ex = _lodge(node, export)
    _release(node, ex["mrn"])
    assert deliver(pair) >= 1
    [row] = _advance_rows(vn, ex["mrn"])
    assert row["sender"] == "CN" and row["links"] == []
    data = json.loads(row["payload"])
    assert data["transport"]["port_of_discharge"] == "VNLGS"
    assert [i["hs_code"] for i in data["items"]] == ["851713", "847130"]

    # The importer declares the same goods: linked, no signal.
    im = _lodge(vn, _import_of(export, tag))
    [linked] = _advance_rows(vn, ex["mrn"])
    assert [link["mismatches"] for link in linked["links"]] == [[]]
    events = [e["event"] for e in _journal(vn, im["mrn"])]
    assert "advance_data" in events
    assert im["channel"] in ("green", "blue")


def test_the_list_of_advance_data_says_when_each_was_linked(node, vn, vn_client, pair):
    from silkgate.access.services import Users

    tag = uuid.uuid4().hex[:8].upper()
    export = _export(tag)
    ex = _lodge(node, export)
    _release(node, ex["mrn"])
    deliver(pair)
    officer = auth(Users(vn.engine, vn.settings.secret_key).issue_token("officer.nguyen"))

    def listed() -> dict[str, Any]:
        r = vn_client.get("/v1/exchange/advance-data?limit=1000", headers=officer)
        assert r.status_code == 200, r.text
        return next(a for a in r.json()["items"] if a["export_declaration"] == ex["mrn"])

    assert listed()["linked_at"] is None and listed()["declarations"] == []
    im = _lodge(vn, _import_of(export, tag))
    [per_declaration] = vn_client.get(
        f"/v1/declarations/{im['mrn']}/advance-data", headers=officer
    ).json()["items"]
    assert per_declaration["linked_at"] is not None
    entry = listed()
    assert entry["declarations"] == [im["mrn"]]
    assert entry["linked_at"] == per_declaration["linked_at"]


def test_an_import_declared_lower_than_exported_goes_under_control(node, vn, pair):
    tag = uuid.uuid4().hex[:8].upper()
    export = _export(tag)
    ex = _lodge(node, export)
    _release(node, ex["mrn"])
    deliver(pair)
    im = _lodge(vn, _import_of(export, tag, value_factor=0.5))
    assert im["status"] == "under_control" and im["channel"] == "yellow"
    reasons = " ".join(e["reason"] or "" for e in _journal(vn, im["mrn"]))
    assert "advance export data from CN does not match: value" in reasons
    # The trader learns the channel, not the signal behind it.
    trader = Principal(0, "acme-trading", Role.DECLARANT, "91310115MA1K4DEMO1")
    seen = {e["event"]: e["reason"] for e in vn.declarations.timeline(trader, im["mrn"])}
    assert seen.get("advance_data") is None and seen["channel"] == "yellow"


def test_advance_data_arriving_after_the_import_links_and_signals(node, vn, pair):
    tag = uuid.uuid4().hex[:8].upper()
    export = _export(tag)
    doc = _import_of(export, tag, value_factor=0.5)
    im = _lodge(vn, doc)
    assert im["status"] in ("lodged", "released", "under_control")
    ex = _lodge(node, export)
    _release(node, ex["mrn"])
    deliver(pair)
    [row] = _advance_rows(vn, ex["mrn"])
    after = vn.declarations.get(OFFICER, im["mrn"])
    [link] = row["links"]
    assert [m["kind"] for m in link["mismatches"]] == ["value"]
    if im["status"] == "lodged":
        assert after["status"] == "under_control" and after["channel"] == "yellow"
    assert "advance_data" in [e["event"] for e in _journal(vn, im["mrn"])]


def test_an_amended_import_is_compared_again(node, vn, pair):
    tag = uuid.uuid4().hex[:8].upper()
    export = _export(tag)
    ex = _lodge(node, export)
    _release(node, ex["mrn"])
    deliver(pair)
    doc = _import_of(export, tag)
    im = _lodge(vn, doc)
    if im["status"] != "lodged":
        pytest.skip("the import was not left waiting for its duties")
    # The trader lowers the value after lodging: the mismatch is found on the new version.
    lower = _import_of(export, tag, value_factor=0.5)
    from silkgate.store import principals

    with reading(vn.engine) as conn:
        acme = principals.find_principal(conn, "acme-trading")
    amended = vn.declarations.amend(acme, im["mrn"], lower)
    assert (amended["status"], amended["channel"]) == ("under_control", "yellow")
    [row] = _advance_rows(vn, ex["mrn"])
    assert [m["kind"] for m in row["links"][0]["mismatches"]] == ["value"]


def test_a_second_import_of_the_same_export_is_a_signal(node, vn, pair):
    tag = uuid.uuid4().hex[:8].upper()
    export = _export(tag)
    ex = _lodge(node, export)
    _release(node, ex["mrn"])
    deliver(pair)
    first = _lodge(vn, _import_of(export, tag))
    doc = _import_of(export, tag)
    doc["lrn"] = f"IM2-{tag}"
    second = _lodge(vn, doc)
    assert second["channel"] == "yellow" and second["status"] == "under_control"
    [row] = _advance_rows(vn, ex["mrn"])
    assert row["links"][0]["mismatches"] == []
    [signal] = row["links"][1]["mismatches"]
    assert signal["kind"] == "already_declared" and first["mrn"] in signal["detail"]


def test_a_message_delivered_twice_is_applied_once(node, vn, pair):
    tag = uuid.uuid4().hex[:8].upper()
    ex = _lodge(node, _export(tag))
    _release(node, ex["mrn"])
    with reading(node.engine) as conn:
        [row] = [
            r
            for r in exchange_store.outbox(conn, limit=50)
            if r["subject"] == ex["mrn"] and r["status"] == "pending"
        ]
    token = node.exchange.signed_copy(row, node.exchange.clock())
    first = vn.exchange.answer_one(token)
    # The receipt was lost: the sender sends again (signed again, same message id).
    again = vn.exchange.answer_one(node.exchange.signed_copy(row, node.exchange.clock()))
    assert (first.status, again.status) == ("accepted", "duplicate")
    acknowledged = node.exchange.check_receipt(again.receipt or "", "VN")
    assert acknowledged == {row["message_id"]: "duplicate"}
    assert len(_advance_rows(vn, ex["mrn"])) == 1
    with reading(vn.engine) as conn:
        n = conn.execute(
            sa.select(sa.func.count())
            .select_from(exchange_inbox)
            .where(exchange_inbox.c.message_id == row["message_id"])
        ).scalar()
    assert n == 1
    deliver(pair)  # the dispatcher's own copy is acknowledged as a duplicate too
    with reading(node.engine) as conn:
        assert exchange_store.outbox_message(conn, row["message_id"])["status"] == "delivered"


# -- AEO mutual recognition ----------------------------------------------------------------


def test_an_aeo_granted_in_china_gets_the_benefit_in_viet_nam(node, vn, pair):
    party = "9131" + uuid.uuid4().hex[:14].upper()
    node.aeo.act(OFFICER, party, "apply", AeoApplication(name="Guangxi Demo Exporter Co."))
    node.aeo.act(OFFICER, party, "validate", AeoCommand())
    node.aeo.act(
        OFFICER, party, "grant", AeoGrant(valid_from=dt.date.today() - dt.timedelta(days=2))
    )
    deliver(pair)
    theirs = {a["party_id"]: a for a in vn.aeo.partner_operators(OFFICER)}
    assert theirs[party]["status"] == "granted" and theirs[party]["recognised"]

    tag = uuid.uuid4().hex[:8].upper()
    doc = _import_of(_export(tag), tag)
    doc["exporter"]["id"] = party
    vn.risk.refresh()
    im = _lodge(vn, doc)
    reasons = " ".join(e["reason"] or "" for e in _journal(vn, im["mrn"]))
    assert "AEO of CN (exporter, mutual recognition)" in reasons, reasons

    node.aeo.act(OFFICER, party, "suspend", AeoDecision(reason="audit findings"))
    deliver(pair)
    theirs = {a["party_id"]: a for a in vn.aeo.partner_operators(OFFICER)}
    assert theirs[party]["status"] == "suspended" and not theirs[party]["recognised"]


def test_a_stale_aeo_list_does_not_replace_a_newer_one(node, vn, pair):
    at = node.exchange.clock()
    old = Envelope.new(
        "aeo_list",
        "CN",
        "VN",
        "aeo-list",
        {"version": envelope.iso(at - dt.timedelta(days=365)), "operators": []},
        at,
    )
    kid, key = node.exchange.signer()
    result = vn.exchange.answer_one(envelope.sign(old, key, kid, at))
    assert result.status == "accepted"
    assert vn.aeo.partner_operators(OFFICER)  # the newer list is still held


# -- assistance ------------------------------------------------------------------------------------


def test_an_assistance_request_and_its_reply_form_one_thread(node, vn, pair):
    case = node.assistance.open(
        OFFICER,
        AssistanceCase(
            partner="VN",
            kind="verify_operator",
            subject="Is Hanoi Lotus Electronics JSC a registered importer?",
            body="Please confirm its tax code and address.",
        ),
    )
    ref = case["reference"]
    assert case["thread"][0]["delivery"] == "pending"
    deliver(pair)
    theirs = vn.assistance.case(OFFICER, ref)
    assert (theirs["direction"], theirs["partner"], theirs["status"]) == ("incoming", "CN", "open")
    vn.assistance.reply(
        OFFICER, ref, AssistanceReply(body="Registered since 2019; address confirmed.")
    )
    deliver(pair)
    ours = node.assistance.case(OFFICER, ref)
    assert ours["status"] == "answered"
    assert [(t["administration"], t["kind"]) for t in ours["thread"]] == [
        ("CN", "verify_operator"),
        ("VN", "reply"),
    ]
    assert ours["thread"][0]["delivery"] == "delivered"
    node.assistance.reply(OFFICER, ref, AssistanceReply(body="Thank you.", close=True))
    deliver(pair)
    assert vn.assistance.case(OFFICER, ref)["status"] == "closed"


def test_assistance_needs_an_agreement_and_a_text(node):
    from silkgate.kernel.commands import parse
    from silkgate.kernel.errors import InvalidRequest

    with pytest.raises(InvalidRequest) as refused:
        parse(AssistanceCase, {"partner": "TH", "kind": "gossip"})
    assert [e.pointer for e in refused.value.errors] == ["/kind", "/subject", "/body"]
    # A well-formed case to a partner without a mutual assistance agreement.
    with pytest.raises(InvalidRequest) as refused:
        node.assistance.open(
            OFFICER, AssistanceCase(partner="TH", kind="alert", subject="Alert", body="Text")
        )
    assert [e.pointer for e in refused.value.errors] == ["/partner"]


# -- inspection results ---------------------------------------------------------------------------


def test_a_partner_quarantine_result_satisfies_the_same_check_here(node, vn, pair):
    tag = uuid.uuid4().hex[:8].upper()
    export = json.loads((ROOT / "examples" / "import-declaration.json").read_text())
    # Fresh fruit exported from China to Viet Nam; Viet Nam's quarantine checks for pests.
    export.update(type="EX", lrn=f"EX-{tag}", office="CNYYG")
    export.pop("procedure", None)
    export["exporter"], export["importer"] = (
        {
            "id": "91310115MA1K4DEMO1",
            "name": "Shanghai Acme Trading Co. (demo)",
            "address": {"city": "Shanghai", "country": "CN"},
        },
        {"name": "Hanoi Fruit JSC (demo)", "address": {"city": "Hanoi", "country": "VN"}},
    )
    export["transport"] = {
        "mode": 3,
        "document": {"type": "CMR", "number": f"CMR-{tag}"},
        "loading_place": "CNYYG",
        "discharge_place": "VNLGS",
        "dispatch_country": "CN",
        "destination_country": "VN",
    }
    for item in export["items"]:
        item["origin"] = "CN"
        item.pop("preference", None)
    # Durians: Viet Nam's quarantine holds them for a pest inspection (demo requirement).
    export["items"][0]["hs_code"] = "081060"
    export["items"][0]["description"] = "Fresh durians, in cartons"
    export["invoice"]["incoterm"] = "FCA"
    ex = _lodge(node, export)
    _release(node, ex["mrn"])
    with writing(node.engine) as conn:
        node.trade.inspected(
            conn,
            {"id": 1, "mrn": ex["mrn"]},
            [{"service": "sps", "check": "pests", "status": "compliant", "finding": None}],
            node.exchange.clock(),
        )
    deliver(pair)
    im_doc = copy.deepcopy(export)
    im_doc.update(type="IM", procedure="4000", lrn=f"IM-{tag}", office="VNLGS")
    im_doc["invoice"]["freight"] = "500.00"
    im = _lodge(vn, im_doc)
    events = {e["event"]: e["reason"] for e in _journal(vn, im["mrn"])}
    assert "partner_result" in events, events
    assert "satisfies 1 check(s) here" in events["partner_result"]


# -- the inbox over HTTP -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vn_client(vn: Node) -> Iterator[TestClient]:
    with TestClient(create_app(vn.settings, vn)) as c:
        yield c


def _signed(node: Node, **payload: Any) -> tuple[Envelope, str]:
    at = node.exchange.clock()
    env = Envelope.new(
        "assistance",
        "CN",
        "VN",
        f"CN-MAA-TEST-{uuid.uuid4().hex[:6]}",
        {
            "reference": "",
            "action": "open",
            "kind": "alert",
            "author": "officer.li",
            "body": "Undervalued smartphones via Lang Son",
            **payload,
        },
        at,
    )
    env = Envelope(
        env.id,
        env.type,
        env.sender,
        env.recipient,
        env.subject,
        env.created,
        {**env.payload, "reference": env.subject},
    )
    kid, key = node.exchange.signer()
    return env, envelope.sign(env, key, kid, at)


def test_the_inbox_receipts_once_and_refuses_forgeries(node, vn, vn_client, pair, tokens):
    env, token = _signed(node)
    jose = {"Content-Type": "application/jose"}
    r = vn_client.post("/v1/exchange/inbox", content=token, headers=jose)
    assert r.status_code == 200 and r.headers["silkgate-receipt-status"] == "accepted"
    assert node.exchange.check_receipt(r.text, "VN") == {env.id: "accepted"}

    replay = vn_client.post("/v1/exchange/inbox", content=token, headers=jose)
    assert replay.status_code == 200 and replay.headers["silkgate-receipt-status"] == "duplicate"

    head, body, sig = token.split(".")
    forged = vn_client.post(
        "/v1/exchange/inbox", content=f"{head}.{body}.{sig[::-1]}", headers=jose
    )
    assert forged.status_code == 401 and forged.json()["type"].endswith("bad_signature")

    unsigned = vn_client.post(
        "/v1/exchange/inbox",
        content=json.dumps(env.content()),
        headers={"Content-Type": "application/json"},
    )
    assert unsigned.status_code == 400

    plain = vn_client.post(
        "/v1/exchange/inbox", content="hello", headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 415

    big = vn_client.post("/v1/exchange/inbox", content="x" * 300_000, headers=jose)
    assert big.status_code == 413

    admin = vn_client.get("/v1/exchange/refusals", headers=auth(tokens["admin"]))
    # The CN test database's tokens are not VN's: refusals are read with VN's own admin.
    assert admin.status_code == 401
    codes = [r["code"] for r in vn.exchange.refusals(ADMIN, 20)]
    assert {"bad_signature", "media_type", "malformed", "too_large"} <= set(codes)


def test_a_partner_without_the_agreement_is_refused_and_the_message_parked(node, vn, pair):
    vn.exchange.add_partner(
        PartnerRegistration(
            card=node.exchange.card().as_json(),
            agreements=["advance_export_data", "aeo_mra", "inspection_results"],
        )
    )
    try:
        case = node.assistance.open(
            OFFICER,
            AssistanceCase(partner="VN", kind="alert", subject="Alert", body="Counterfeit phones"),
        )
        deliver(pair)
        with reading(node.engine) as conn:
            parked = exchange_store.outbox(conn, "parked", 10)
        [row] = [p for p in parked if p["subject"] == case["reference"]]
        assert row["last_error"].startswith("not_agreed")
        assert any(r["code"] == "not_agreed" for r in vn.exchange.refusals(ADMIN, 10))
    finally:
        vn.exchange.add_partner(PartnerRegistration(card=node.exchange.card().as_json()))
    # The agreement is restored: an admin retries the parked message and it goes through.
    node.exchange.retry(ADMIN, row["message_id"])
    deliver(pair)
    assert vn.assistance.case(OFFICER, case["reference"])["kind"] == "alert"


def test_key_rotation_keeps_messages_flowing(node, vn, pair):
    old_kid, _ = node.exchange.signer()
    done = node.exchange.rotate_key(dt.timedelta(days=7))
    assert done["retired"] == [old_kid]
    deliver(pair)  # the new card travels signed with the old key
    kids = [k["kid"] for k in vn.exchange.partner("CN")["keys"]]
    assert set(kids) == {old_kid, done["kid"]}
    # A message signed with the new key verifies at the partner.
    case = node.assistance.open(
        OFFICER, AssistanceCase(partner="VN", kind="alert", subject="After rotation", body="Test")
    )
    deliver(pair)
    assert vn.assistance.case(OFFICER, case["reference"])["status"] == "open"
    card = node.exchange.card().as_json()
    assert [k["kid"] for k in card["keys"]] == [old_kid, done["kid"]]
    assert card["keys"][0]["valid_to"] is not None


def test_a_partner_answering_429_is_waited_for_and_costs_no_attempt(node, vn, pair):
    case = node.assistance.open(
        OFFICER, AssistanceCase(partner="VN", kind="alert", subject="Busy partner", body="Wait")
    )
    asked: list[int] = []

    def busy(endpoint: str, tokens: list[str]) -> dict[str, Any]:
        if endpoint != "http://vn.test":
            raise ValueError(f"{endpoint} is unreachable")
        asked.append(len(tokens))
        raise PartnerBusy(30)

    dispatcher = Dispatcher(node.exchange, transport=busy)
    assert dispatcher.deliver_once() == 0
    with reading(node.engine) as conn:
        [row] = [
            r
            for r in exchange_store.outbox(conn, None, 200, partner="VN")
            if r["subject"] == case["reference"]
        ]
    assert (row["status"], row["attempts"]) == ("pending", 0)
    assert "429" in row["last_error"]
    # Nothing more goes to the partner until its Retry-After is over.
    assert dispatcher.deliver_once() == 0 and len(asked) == 1
    # Once the partner takes messages again, the case reaches it.
    deliver(pair)
    assert vn.assistance.case(OFFICER, case["reference"])["status"] == "open"


@pytest.mark.parametrize(("header", "wait"), [("17", 17.0), (None, 5.0), ("99999", 600.0)])
def test_the_dispatcher_reads_a_429_as_how_long_to_wait(node, header, wait):
    headers = {"Retry-After": header} if header else {}
    dispatcher = Dispatcher(node.exchange)
    dispatcher._client = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(429, headers=headers))
    )
    with pytest.raises(PartnerBusy) as busy:
        dispatcher._post("http://vn.test", ["x.y.z"])
    assert busy.value.retry_after == wait
