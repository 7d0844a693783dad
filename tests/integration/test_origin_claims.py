"""Preference claims checked against the e-COs a partner sends (Viet Nam imports from China).

China's node (the `node` fixture) signs each certificate with its own key;
Viet Nam's node receives it through its real inbox, and lodgings there are
checked against it. Runs on SQLite, and on PostgreSQL with
``SILKGATE_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silkgate import demo
from silkgate.app import create_app
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.declarations.commands import Decision
from silkgate.declarations.states import Action
from silkgate.exchange.commands import PartnerRegistration
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import ManualClock
from silkgate.node import Node
from silkgate.risk.commands import RiskProfileCommand
from silkgate.store import exchange as exchange_store
from silkgate.store import migrate, principals, refdata
from silkgate.store.db import make_engine, reading, writing
from silkgate.store.tables import exchange_refusals, origin_certificates_received
from tests.conftest import SECRET, _postgres_database
from tests.eco_helpers import certificate, claiming, import_document, new_number, signed
from tests.integration.conftest import auth

OFFICER = Principal(0, "officer.li", Role.OFFICER, None)
ANALYST = Principal(0, "analyst.zhao", Role.ANALYST, None)


@pytest.fixture(scope="module")
def vn_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("SILKGATE_TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('vn-eco') / 'vn.db'}"


@pytest.fixture(scope="module")
def vn_settings(vn_url: str) -> Settings:
    return Settings(
        mode="test",
        database_url=vn_url,
        secret_key=SECRET + "-vn",
        administration="VN",
        currency="VND",
        timezone="Asia/Ho_Chi_Minh",
        exchange_dispatch=False,
        public_url="http://vn.test",
    )


@pytest.fixture(scope="module")
def vn_tokens(vn_settings: Settings) -> dict[str, str]:
    url = vn_settings.database_url
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=1)
    refdata.load(engine)
    users = demo.setup(engine, vn_settings.secret_key, "VN")
    demo.load_tariff(vn_settings, engine)
    demo.load_origin(vn_settings, engine)
    from silkgate.store import risk as risk_store

    with writing(engine) as conn:
        risk_store.update_settings(conn, exploration_share=0)
    engine.dispose()
    return {user.name: token for user, token in users}


@pytest.fixture(scope="module")
def vn(node: Node, vn_settings: Settings, vn_tokens: dict[str, str]) -> Iterator[Node]:
    """Viet Nam's node, with China as a partner under every agreement (and back)."""
    n = open_node(vn_settings)
    node.exchange.endpoint = "http://cn.test"
    for x in (node, n):
        x.exchange.ensure_key()
    node.exchange.add_partner(PartnerRegistration(card=n.exchange.card().as_json()))
    n.exchange.add_partner(PartnerRegistration(card=node.exchange.card().as_json()))
    yield n
    n.close()


@pytest.fixture(scope="module")
def vn_client(vn: Node, vn_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(vn_settings, vn)) as c:
        yield c


def _acme(n: Node) -> Principal:
    with reading(n.engine) as conn:
        found = principals.find_principal(conn, "acme-trading")
    assert found is not None
    return found


def _lodge(n: Node, doc: dict[str, Any]) -> dict[str, Any]:
    result, _ = n.declarations.lodge(_acme(n), doc)
    return result


def _send(cn: Node, n: Node, payload: dict[str, Any]) -> Any:
    return n.exchange.answer_one(signed(cn, "VN", payload, n.exchange.clock()))


def _today(n: Node) -> dt.date:
    return n.declarations.today(n.declarations.clock())


def _issued(n: Node, days: int = 3) -> dt.date:
    return _today(n) - dt.timedelta(days=days)


def _lrn() -> str:
    return "ECO-" + uuid.uuid4().hex[:10].upper()


def _treatments(n: Node, number: str) -> list[dict[str, Any]]:
    """The box 4 messages queued for the issuer about ``number``, oldest first."""
    with reading(n.engine) as conn:
        rows = exchange_store.outbox(conn, limit=1000, partner="CN")
    found = [
        json.loads(r["payload"])
        for r in rows
        if r["type"] == "origin_treatment" and r["subject"] == number
    ]
    return list(reversed(found))


def _items(n: Node, mrn: str) -> dict[int, dict[str, Any]]:
    return {i["seq"]: i for i in n.declarations.assessment(OFFICER, mrn)["items"]}


def _matched(cn: Node, n: Node, **changes: Any) -> tuple[str, dict[str, Any]]:
    number = new_number()
    issued = _issued(n)
    assert _send(cn, n, certificate(number, issued, **changes)).status == "accepted"
    return number, claiming(import_document(_lrn()), number, issued)


# -- a certificate that matches --------------------------------------------------------------------


def test_a_matching_e_co_gives_the_preference_and_box_4_goes_back(node, vn, vn_client, vn_tokens):
    number, doc = _matched(node, vn)
    lodged = _lodge(vn, doc)
    checked = lodged["assessment"]["preferences"]
    assert [(p["item"], p["treatment"], p["origin_proof"]) for p in checked] == [
        (1, "given", "e_co_matched"),
        (2, "given", "e_co_matched"),
    ]
    items = _items(vn, lodged["mrn"])
    assert {i["preference_status"] for i in items.values()} == {"given_on_e_co"}
    assert Decimal(lodged["assessment"]["duty"]) == 0  # ACFTA 0 % on both lines
    assert [(t["item"], t["line"], t["treatment"]) for t in _treatments(vn, number)] == [
        (1, 1, "given"),
        (2, 2, "given"),
    ]
    assert _treatments(vn, number)[0]["declaration"] == lodged["mrn"]
    seen = vn_client.get(f"/v1/origin/received/{number}", headers=auth(vn_tokens["officer.nguyen"]))
    assert seen.status_code == 200, seen.text
    cert = seen.json()
    assert [(x["line"], x["covered"], x["left"]) for x in cert["lines"]] == [
        (1, "1200", "0"),
        (2, "400", "0"),
    ]
    assert {u["mrn"] for u in cert["uses"]} == {lodged["mrn"]}
    # The declarant reads the check in its own journal.
    events = vn.declarations.timeline(_acme(vn), lodged["mrn"])
    [entry] = [e for e in events if e["event"] == "origin_check"]
    assert "preference given" in entry["reason"]


def test_received_certificates_are_for_officers(node, vn, vn_client, vn_tokens):
    number, _ = _matched(node, vn)
    listing = vn_client.get("/v1/origin/received", headers=auth(vn_tokens["officer.nguyen"]))
    assert listing.status_code == 200
    assert number in [c["number"] for c in listing.json()["items"]]
    trader = vn_client.get("/v1/origin/received", headers=auth(vn_tokens["acme-trading"]))
    assert trader.status_code == 403
    unknown = vn_client.get(
        "/v1/origin/received/CN-E-2026-999999", headers=auth(vn_tokens["officer.nguyen"])
    )
    assert unknown.status_code == 404


# -- certificates that do not match ----------------------------------------------------------------


def _wrong_consignee() -> dict[str, Any]:
    return {"consignee": {"id": "0109999999", "name": "Saigon Other Trading Co.", "country": "VN"}}


def _wrong_exporter() -> dict[str, Any]:
    return {"exporter": {"id": "91440300OTHER00001", "name": "Other Exporter", "country": "CN"}}


def _lines(**line1: Any) -> dict[str, Any]:
    lines = certificate("CN-E-2026-000001", dt.date(2026, 1, 1))["lines"]
    lines[0] = {**lines[0], **line1}
    return {"lines": lines}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        (_wrong_consignee(), "eco_consignee"),
        (_wrong_exporter(), "eco_exporter"),
        (_lines(hs="851714"), "eco_hs"),
        (_lines(description="Frozen fish fillets"), "eco_description"),
        (_lines(fob={"amount": "990000.00", "currency": "CNY"}), "eco_fob"),
        (_lines(quantity={"value": "1000", "unit": "NAR"}), "eco_quantity"),
        ({"importing_country": "TH"}, "eco_importing_country"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_a_mismatch_gives_the_general_rate_and_says_why(node, vn, changes, code):
    number, doc = _matched(node, vn, **changes)
    lodged = _lodge(vn, doc)
    first = lodged["assessment"]["preferences"][0]
    assert (first["treatment"], first["reason_code"]) == ("not_given", code), first
    item = _items(vn, lodged["mrn"])[1]
    assert item["preference_status"] == "not_given_e_co_mismatch"
    assert item["reason_code"] == code and item["reason"]
    duty = Decimal(item["duty"]["amount"])  # the general 5 %, where ACFTA's would be 0 %
    assert duty > 0 and item["duty"]["agreement"] is None
    # Withheld: the duty, and the VAT on it.
    assert Decimal(item["preference_withheld"]) > duty
    account = vn.declarations.account(OFFICER, lodged["mrn"])
    assert Decimal(account["preference_withheld"]) >= Decimal(item["preference_withheld"])
    box4 = _treatments(vn, number)[0]
    assert (box4["treatment"], box4["reason_code"]) == ("not_given", code)
    uses = vn.received.certificate(OFFICER, number)["uses"]
    assert [u for u in uses if u["item"] == 1] == []  # a claim not given covers nothing


def test_the_console_shows_the_reason_and_the_preference_withheld(node, vn, vn_client, vn_tokens):
    _, doc = _matched(node, vn, **_wrong_consignee())
    mrn = _lodge(vn, doc)["mrn"]
    vn_client.cookies.clear()
    login = vn_client.post(
        "/console/login",
        data={"token": vn_tokens["acme-trading"]},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert login.status_code in (302, 303), login.text
    page = vn_client.get(f"/console/declarations/{mrn}")
    vn_client.cookies.clear()
    assert page.status_code == 200
    assert "eco_consignee" in page.text and 'id="preference-withheld"' in page.text


def test_an_expired_or_not_directly_consigned_claim_is_not_given(node, vn):
    number, doc = _matched(node, vn, issued_on=(_today(vn) - dt.timedelta(days=400)).isoformat())
    assert _lodge(vn, doc)["assessment"]["preferences"][0]["reason_code"] == "eco_expired"
    number, doc = _matched(node, vn)
    doc["transport"]["loading_place"] = "HKHKG"  # transhipped in a non-party
    assert _lodge(vn, doc)["assessment"]["preferences"][0]["reason_code"] == "eco_not_direct"
    doc = claiming(import_document(_lrn()), number, _issued(vn), transit=True)
    doc["transport"]["loading_place"] = "HKHKG"  # through transit, declared: direct
    assert _lodge(vn, doc)["assessment"]["preferences"][0]["treatment"] == "given"


def test_cancelled_and_replaced_certificates(node, vn):
    number, doc = _matched(node, vn)
    issued = _issued(vn)
    cancelled = certificate(number, issued, status="cancelled")
    assert _send(node, vn, cancelled).status == "accepted"
    assert _lodge(vn, doc)["assessment"]["preferences"][0]["reason_code"] == "eco_cancelled"

    old, _ = _matched(node, vn)
    new = new_number()
    assert _send(node, vn, certificate(new, issued, replaces=old)).status == "accepted"
    assert vn.received.certificate(OFFICER, old)["status"] == "replaced"
    on_old = _lodge(vn, claiming(import_document(_lrn()), old, issued))
    assert on_old["assessment"]["preferences"][0]["reason_code"] == "eco_replaced"
    on_new = _lodge(vn, claiming(import_document(_lrn()), new, issued))
    assert on_new["assessment"]["preferences"][0]["treatment"] == "given"


def _phones(doc: dict[str, Any], count: int) -> dict[str, Any]:
    """Only the smartphones, ``count`` of them (the invoice following)."""
    doc["items"] = doc["items"][:1]
    item = doc["items"][0]
    item["supplementary_quantity"]["value"] = str(count)
    item["value"] = f"{550 * count:.2f}"
    item["net_mass_kg"] = str(Decimal("0.35") * count)
    doc["invoice"]["amount"] = item["value"]
    doc["totals"]["items"] = 1
    doc["totals"]["packages"] = item["packages"]["count"]
    return doc


def test_a_line_never_covers_more_than_it_states_and_a_cancellation_gives_back(node, vn):
    number, doc = _matched(node, vn)
    first = _lodge(vn, _phones(doc, 800))
    assert first["assessment"]["preferences"][0]["treatment"] == "given"
    second = _lodge(vn, _phones(claiming(import_document(_lrn()), number, _issued(vn)), 800))
    refused = second["assessment"]["preferences"][0]
    assert refused["reason_code"] == "eco_quantity" and "400 left" in refused["reason"]

    vn.declarations.act(_acme(vn), first["mrn"], Action.CANCEL, Decision(reason="sold elsewhere"))
    lines = vn.received.certificate(OFFICER, number)["lines"]
    assert lines[0]["covered"] == "0"
    third = _lodge(vn, _phones(claiming(import_document(_lrn()), number, _issued(vn)), 800))
    assert third["assessment"]["preferences"][0]["treatment"] == "given"


def test_an_amendment_is_checked_again_without_counting_twice(node, vn):
    number, doc = _matched(node, vn)
    lodged = _lodge(vn, _phones(doc, 1000))
    if lodged["status"] != "lodged":
        pytest.skip("the import was not left waiting for its duties")
    amended = vn.declarations.amend(_acme(vn), lodged["mrn"], _phones(doc, 1100))
    assert amended["assessment"]["preferences"][0]["treatment"] == "given"
    assert vn.received.certificate(OFFICER, number)["lines"][0]["covered"] == "1100"


# -- what the inbox refuses ---------------------------------------------------------------------


def _refusals(n: Node) -> int:
    with reading(n.engine) as conn:
        # Repeated refusals are one row with a count (per source, code and window).
        total = sa.select(sa.func.coalesce(sa.func.sum(exchange_refusals.c.messages), 0))
        return int(conn.execute(total).scalar_one())


def _held(n: Node, number: str) -> bool:
    with reading(n.engine) as conn:
        return (
            conn.execute(
                sa.select(origin_certificates_received.c.id).where(
                    origin_certificates_received.c.number == number
                )
            ).first()
            is not None
        )


def test_forged_tampered_and_malformed_certificates_are_refused(node, vn):
    before = _refusals(vn)
    thai = new_number("TH")  # China's node cannot send Thailand's certificates
    result = _send(node, vn, certificate(thai, _issued(vn)))
    assert (result.status, result.code) == ("refused", "not_issuer")

    number = new_number()
    tampered = certificate(number, _issued(vn))
    tampered["lines"][0]["quantity"]["value"] = "12000"  # after the hash was computed
    result = _send(node, vn, tampered)
    assert (result.status, result.code) == ("refused", "hash_mismatch")

    malformed = certificate(new_number(), _issued(vn))
    del malformed["lines"]
    result = _send(node, vn, malformed)
    assert (result.status, result.code) == ("refused", "bad_payload")
    assert "/lines" in (result.detail or "")

    held, _ = _matched(node, vn)
    changed = certificate(held, _issued(vn), vessel_flight="ANOTHER")  # same number, new content
    assert _send(node, vn, changed).code == "hash_mismatch"

    assert not _held(vn, thai) and not _held(vn, number)
    assert _refusals(vn) == before + 4
    # A claim on a number never received from a partner that sends e-COs waits for it.
    doc = claiming(import_document(_lrn()), number, _issued(vn))
    assert _lodge(vn, doc)["assessment"]["preferences"][0]["treatment"] == "waiting"


# -- a certificate not received yet: the claim waits ---------------------------------------------


@pytest.fixture
def clocked(vn: Node, vn_settings: Settings) -> Iterator[tuple[Node, ManualClock]]:
    """Viet Nam's node (same database) on a clock the test moves."""
    clock = ManualClock(dt.datetime.now(dt.UTC))
    n = open_node(vn_settings, clock=clock)
    yield n, clock
    n.close()


def test_a_claim_waits_for_its_e_co_and_is_matched_when_it_arrives(node, clocked):
    vn, clock = clocked
    number, issued = new_number(), _issued(vn)
    lodged = _lodge(vn, claiming(import_document(_lrn()), number, issued))
    waiting = lodged["assessment"]["preferences"]
    assert {(p["treatment"], p["reason_code"]) for p in waiting} == {("waiting", "eco_unknown")}
    account = vn.declarations.account(OFFICER, lodged["mrn"])
    withheld = Decimal(account["preference_withheld"])
    assessed = Decimal(account["assessed"])
    assert withheld > 0 and _treatments(vn, number) == []

    clock.advance(dt.timedelta(hours=5))
    assert _send(node, vn, certificate(number, issued)).status == "accepted"
    after = vn.declarations.account(OFFICER, lodged["mrn"])
    assert Decimal(after["assessed"]) == assessed - withheld
    assert "preference_withheld" not in after
    assert {i["treatment"] for i in _items(vn, lodged["mrn"]).values()} == {"given"}
    assert [t["treatment"] for t in _treatments(vn, number)] == ["given", "given"]


def test_goods_guaranteed_but_for_the_preference_are_released_when_it_is_given(node, clocked):
    vn, _ = clocked
    number, issued = new_number(), _issued(vn)
    lodged = _lodge(vn, claiming(import_document(_lrn()), number, issued))
    if lodged["status"] != "lodged":
        pytest.skip("the import went under control")
    account = vn.declarations.account(OFFICER, lodged["mrn"])
    secured = Decimal(account["assessed"]) - Decimal(account["preference_withheld"])
    from silkgate.declarations.commands import PaymentBody

    vn.declarations.record_payment(
        OFFICER,
        lodged["mrn"],
        PaymentBody(kind="guarantee", amount=secured, currency="VND", reference="G-1"),
    )
    assert vn.declarations.get(OFFICER, lodged["mrn"])["status"] == "lodged"
    assert _send(node, vn, certificate(number, issued)).status == "accepted"
    assert vn.declarations.get(OFFICER, lodged["mrn"])["status"] == "released"


def test_a_claim_waits_no_longer_than_the_setting(node, clocked):
    vn, clock = clocked
    late, issued = new_number(), _issued(vn)
    first = _lodge(vn, claiming(import_document(_lrn()), late, issued))
    never = new_number()
    second = _lodge(vn, claiming(import_document(_lrn()), never, issued))
    clock.advance(dt.timedelta(hours=vn.settings.origin_wait_hours + 1))

    assert _send(node, vn, certificate(late, issued)).status == "accepted"
    items = _items(vn, first["mrn"])
    assert (items[1]["treatment"], items[1]["reason_code"]) == ("not_given", "eco_late")
    assert Decimal(vn.declarations.account(OFFICER, first["mrn"])["preference_withheld"]) > 0
    assert [t["reason_code"] for t in _treatments(vn, late)] == ["eco_late", "eco_late"]

    assert vn.received.close_overdue() >= 2
    items = _items(vn, second["mrn"])
    assert {(i["treatment"], i["reason_code"]) for i in items.values()} == {
        ("not_given", "eco_not_received")
    }
    reasons = [e["reason"] or "" for e in vn.declarations.timeline(OFFICER, second["mrn"])]
    assert any("eco_not_received" in r for r in reasons)
    assert _treatments(vn, never) == []  # no certificate, no issuer to answer


# -- risk profiles see the claim ---------------------------------------------------------------


def test_a_risk_profile_sees_the_origin_proof(node, vn):
    name = "eco-mismatch-" + uuid.uuid4().hex[:6]
    vn.risk.save_profile(
        ANALYST,
        RiskProfileCommand(
            name=name, condition='item.origin_proof == "e_co_mismatch"', effect="red"
        ),
    )
    vn.risk.refresh()
    try:
        _, doc = _matched(node, vn, **_wrong_consignee())
        assert _lodge(vn, doc)["channel"] == "red"
        _, doc = _matched(node, vn)
        assert _lodge(vn, doc)["channel"] != "red"
    finally:
        vn.risk.retire_profile(ANALYST, name)
        vn.risk.refresh()


# -- concurrent lodgings --------------------------------------------------------------------------


def test_concurrent_lodgings_never_cover_a_line_twice(node, vn, vn_settings):
    """Eight lodgings of 400 smartphones against a line of 1,200, committed at once.

    Each is prepared first (so each saw the whole line free), then committed
    from its own thread through one of four nodes (engines and pools of their
    own, as worker processes have): three are given, five are told why not.
    """
    number, issued = new_number(), _issued(vn)
    assert _send(node, vn, certificate(number, issued)).status == "accepted"
    nodes = [open_node(vn_settings) for _ in range(4)]
    acme = _acme(vn)
    try:
        prepared = [
            nodes[i % 4].declarations.prepare(
                acme, _phones(claiming(import_document(_lrn()), number, issued), 400)
            )
            for i in range(8)
        ]
        assert all(p.verdicts[1].given for p in prepared)
        barrier = threading.Barrier(8)

        def commit(i: int) -> Any:
            barrier.wait()
            return nodes[i % 4].declarations.commit([prepared[i]])[0]

        with ThreadPoolExecutor(8) as pool:
            outcomes = list(pool.map(commit, range(8)))
    finally:
        for n in nodes:
            n.close()
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    checked = [o[0]["assessment"]["preferences"][0] for o in outcomes]
    assert sorted(c["treatment"] for c in checked) == ["given"] * 3 + ["not_given"] * 5
    assert {c["reason_code"] for c in checked if c["treatment"] == "not_given"} == {"eco_quantity"}
    cert = vn.received.certificate(OFFICER, number)
    assert cert["lines"][0]["covered"] == "1200"
    assert len([u for u in cert["uses"] if u["line"] == 1]) == 3


@pytest.mark.skipif(
    not os.environ.get("SILKGATE_TEST_DATABASE_URL"), reason="row locks: PostgreSQL only"
)
def test_a_cover_waits_for_a_concurrent_one_and_reads_the_line_again(node, vn):
    """Two transactions cover 800 of a line of 1,200: the second waits for the first's row
    lock, then finds the line too short, rather than both succeeding."""
    from silkgate.store import origin_claims as claims_store

    number = new_number()
    assert _send(node, vn, certificate(number, _issued(vn))).status == "accepted"
    with reading(vn.engine) as conn:
        line_id = claims_store.held_state(conn, [number])[number]["lines"][1][0]
    second: list[bool] = []

    def cover_too() -> None:
        with writing(vn.engine) as conn:
            second.append(claims_store.cover(conn, line_id, Decimal(800)))

    with vn.engine.connect() as first, first.begin():
        assert claims_store.cover(first, line_id, Decimal(800))
        waiting = threading.Thread(target=cover_too)
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # blocked on the row the first transaction holds
    waiting.join(10)
    assert second == [False]
    with reading(vn.engine) as conn:
        assert claims_store.held_state(conn, [number])[number]["lines"][1][1] == Decimal(800)


def test_a_claim_that_cannot_be_assessed_again_keeps_waiting(node, clocked, monkeypatch):
    """The certificate is taken, and the claim the schedule in force cannot price waits."""
    from silkgate.tariff.assessment import NotAssessable

    vn, _ = clocked
    number, issued = new_number(), _issued(vn)
    lodged = _lodge(vn, claiming(import_document(_lrn()), number, issued))

    def no_longer(*args: Any) -> Any:
        raise NotAssessable([])

    monkeypatch.setattr(vn.received, "reassess", no_longer)
    assert _send(node, vn, certificate(number, issued)).status == "accepted"
    assert vn.received.certificate(OFFICER, number)["lines"][0]["covered"] == "0"
    assert {i["treatment"] for i in _items(vn, lodged["mrn"]).values()} == {"waiting"}


def test_an_amendment_does_not_restart_the_wait(node, clocked):
    vn, clock = clocked
    number, issued = new_number(), _issued(vn)
    doc = claiming(import_document(_lrn()), number, issued)
    lodged = _lodge(vn, doc)
    if lodged["status"] != "lodged":
        pytest.skip("the import went under control")
    hours = vn.settings.origin_wait_hours
    clock.advance(dt.timedelta(hours=hours - 1))
    amended = vn.declarations.amend(_acme(vn), lodged["mrn"], doc)
    assert {p["treatment"] for p in amended["assessment"]["preferences"]} == {"waiting"}
    clock.advance(dt.timedelta(hours=2))
    vn.received.close_overdue()
    items = _items(vn, lodged["mrn"])
    assert {i["reason_code"] for i in items.values()} == {"eco_not_received"}
