"""Transit from Horgos (China) through Kazakhstan to Tashkent (Uzbekistan): three nodes, each
on its own real database; messages travel through the real outbox, envelope and inbox, only
the HTTP hop replaced by a direct call (tests/e2e/test_transit_trio.py runs real processes)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import os
import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from silkgate import demo
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.exchange.commands import PartnerRegistration
from silkgate.exchange.services.dispatcher import Dispatcher
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock, ManualClock, system_clock
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Conflict, InvalidRequest, NotFound
from silkgate.node import Node
from silkgate.store import migrate, refdata
from silkgate.store.db import make_engine, reading, writing
from silkgate.store.tables import exchange_inbox, journal, lpco_requirement_sets
from silkgate.transit.document import (
    Arrival,
    Cancellation,
    ControlResults,
    Crossing,
    GuaranteeRegistration,
    Release,
    TransitDeclaration,
)
from silkgate.transit.services import TransitService
from tests.conftest import ROOT, SECRET, _postgres_database

HOLDER = Principal(0, "acme-trading", Role.DECLARANT, "91310115MA1K4DEMO1")
OTHER = Principal(0, "lotus-broker", Role.DECLARANT, "91450100MA5LDEMO02")
OFFICER = Principal(0, "officer.li", Role.OFFICER, None)
KZ_OFFICER = Principal(0, "officer.nurlan", Role.OFFICER, None)
UZ_OFFICER = Principal(0, "officer.dilnoza", Role.OFFICER, None)
EXAMPLE = ROOT / "examples" / "transit" / "horgos-tashkent.json"


def _partner_node(
    admin: str, url: str, currency: str, zone: str, clock: Clock = system_clock
) -> Node:
    settings = Settings(
        mode="test", database_url=url, secret_key=f"{SECRET}-{admin.lower()}",
        administration=admin, currency=currency, timezone=zone, exchange_dispatch=False,
        public_url=f"http://{admin.lower()}.test",
    )  # fmt: skip
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=1)
    refdata.load(engine)
    demo.setup(engine, settings.secret_key, admin)
    engine.dispose()
    return open_node(settings, clock=clock)


def _database(tmp: pytest.TempPathFactory, name: str) -> Iterator[str]:
    base = os.environ.get("SILKGATE_TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp.mktemp(name) / f'{name}.db'}"


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    for url in _database(tmp_path_factory, "kz"):
        n = _partner_node("KZ", url, "KZT", "Asia/Almaty")
        yield n
        n.close()


@pytest.fixture(scope="module")
def uz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    for url in _database(tmp_path_factory, "uz"):
        n = _partner_node("UZ", url, "UZS", "Asia/Tashkent")
        yield n
        n.close()


@pytest.fixture(scope="module")
def trio(node: Node, kz: Node, uz: Node) -> dict[str, Any]:
    return link(node, kz, uz)


def link(node: Node, kz: Node, uz: Node) -> dict[str, Any]:
    """Three nodes, each the others' partner under the transit agreement; their dispatchers."""
    node.exchange.endpoint = "http://cn.test"
    nodes = {"http://cn.test": node, "http://kz.test": kz, "http://uz.test": uz}
    for n in nodes.values():
        n.exchange.ensure_key()
    for n in nodes.values():
        for other in nodes.values():
            if other is not n:
                card = other.exchange.card().as_json()
                n.exchange.add_partner(PartnerRegistration(card=card, agreements=["transit"]))

    def transport(endpoint: str, tokens: list[str]) -> dict[str, Any]:
        if endpoint not in nodes:
            raise ValueError(f"{endpoint} is unreachable")
        return nodes[endpoint].exchange.answer_batch(tokens, "127.0.0.1")

    return {
        admin: Dispatcher(n.exchange, transport=transport)
        for admin, n in (("CN", node), ("KZ", kz), ("UZ", uz))
    }


def deliver(trio: dict[str, Any]) -> int:
    total = 0
    for _ in range(10):
        done = sum(d.deliver_once() for d in trio.values())
        total += done
        if not done:
            break
    return total


def _declaration(guarantee: str, **changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(json.loads(EXAMPLE.read_text()))
    doc["lrn"] = "TR-" + uuid.uuid4().hex[:10].upper()
    doc["guarantee"] = guarantee
    doc.update(changes)
    return doc


def _guarantee(node: Node, amount: str = "5000000.00", kind: str = "comprehensive") -> str:
    reference = "G-" + uuid.uuid4().hex[:12].upper()
    node.transit.guarantees.register(OFFICER, GuaranteeRegistration(
        reference=reference, holder=HOLDER.party_id or "", kind=kind, amount=Decimal(amount),
    ))  # fmt: skip
    return reference


def _lodge(node: Node, doc: dict[str, Any]) -> dict[str, Any]:
    return node.transit.departure.lodge(HOLDER, parse(TransitDeclaration, doc))


def _balance(node: Node, reference: str) -> Decimal:
    return Decimal(node.transit.guarantees.balance(HOLDER, reference)["balance"])


def _pointers(exc: pytest.ExceptionInfo[InvalidRequest]) -> list[str]:
    return [e.pointer for e in exc.value.errors]


def test_a_movement_runs_from_horgos_through_kazakhstan_to_discharge_in_tashkent(
    node: Node, kz: Node, uz: Node, trio: dict[str, Any]
) -> None:
    reference = _guarantee(node)
    lodged = _lodge(node, _declaration(reference))
    mrn = lodged["mrn"]
    assert lodged["status"] == "accepted" and mrn[4] == "T"
    released = node.transit.departure.release(OFFICER, mrn, Release())
    assert released["status"] == "released"
    reserved = Decimal(released["reserved"])
    assert reserved > 0
    assert _balance(node, reference) == Decimal("5000000.00") - reserved
    deliver(trio)
    assert kz.transit.show(KZ_OFFICER, mrn)["role"] == "transit"
    expected = uz.transit.listing(UZ_OFFICER, office="UZTAS", view="expected")
    assert mrn in [m["mrn"] for m in expected]

    kz.transit.journey.cross(KZ_OFFICER, mrn, Crossing(office="KZHOR"))
    deliver(trio)
    assert node.transit.show(OFFICER, mrn)["status"] == "en_route"
    uz.transit.journey.arrive(UZ_OFFICER, mrn, Arrival(office="UZTAS"))
    uz.transit.journey.control(UZ_OFFICER, mrn, ControlResults(result="satisfactory"))
    deliver(trio)

    shown = node.transit.show(OFFICER, mrn)
    assert shown["status"] == "discharged"
    assert [s["step"] for s in shown["steps"]] == ["crossed", "arrived", "control"]
    assert _balance(node, reference) == Decimal("5000000.00")
    assert kz.transit.show(KZ_OFFICER, mrn)["status"] == "discharged"
    assert uz.transit.show(UZ_OFFICER, mrn)["status"] == "discharged"
    discharged = node.transit.listing(OFFICER, office="CNHRS", view="discharged")
    assert mrn in [m["mrn"] for m in discharged]
    with reading(node.engine) as conn:
        events = (
            conn.execute(
                sa.select(journal.c.event).where(journal.c.mrn == mrn).order_by(journal.c.seq)
            )
            .scalars()
            .all()
        )
    assert events == [
        "transit_lodged",
        "transit_accepted",
        "transit_released",
        "transit_crossed",
        "transit_arrived",
        "transit_discharged",
    ]


def test_bad_input_is_refused_with_the_field_and_the_balance_unchanged(node: Node, trio) -> None:
    reference = _guarantee(node, "100.00")
    doc = _declaration(reference)
    with pytest.raises(InvalidRequest) as exc:
        _lodge(node, doc)
    assert _pointers(exc) == ["/guarantee"]  # no balance for the duties at stake
    big = _guarantee(node)
    bad_route = _declaration(big)
    bad_route["itinerary"]["transit"] = ["CNSGH"]  # on the office list, not an office of transit
    with pytest.raises(InvalidRequest) as exc:
        _lodge(node, bad_route)
    assert _pointers(exc) == ["/itinerary/transit/0"]
    # Viet Nam's Lang Son: refused whether or not the session's other tests made Viet Nam a
    # partner (not a transit partner, or not a country on this routing).
    bad_route["itinerary"]["transit"] = ["VNLGS"]
    with pytest.raises(InvalidRequest) as exc:
        _lodge(node, bad_route)
    assert _pointers(exc)[0] == "/itinerary/transit/0"
    with pytest.raises(InvalidRequest) as exc:
        _lodge(node, _declaration(big, time_limit="2020-01-01"))
    assert _pointers(exc) == ["/time_limit"]
    with pytest.raises(InvalidRequest) as exc:
        _lodge(node, _declaration(big, seals=["S-1", "S-1"]))
    assert _pointers(exc) == ["/seals"]
    with pytest.raises(InvalidRequest) as exc:
        node.transit.departure.lodge(
            OTHER, parse(TransitDeclaration, {**_declaration(big), "holder": {
                "party_id": OTHER.party_id, "name": "Lotus (demo)"}}),
        )  # fmt: skip
    assert _pointers(exc) == ["/guarantee"]  # a guarantee of another holder
    assert _balance(node, big) == Decimal("5000000.00")
    assert _balance(node, reference) == Decimal("100.00")


def test_a_guarantee_drained_by_two_concurrent_releases_lets_only_one_pass(node: Node, trio):
    first = _lodge(node, _declaration(_guarantee(node)))
    shown = node.transit.show(OFFICER, first["mrn"])
    stake = Decimal(shown["stake"]["amount"])
    # A guarantee that covers exactly one of two identical movements.
    reference = _guarantee(node, str(stake + Decimal("1.00")))
    mrns = [_lodge(node, _declaration(reference))["mrn"] for _ in range(2)]
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def release(mrn: str) -> None:
        barrier.wait()
        try:
            node.transit.departure.release(OFFICER, mrn, Release())
            results[mrn] = "released"
        except InvalidRequest as exc:
            results[mrn] = exc.errors[0].pointer

    threads = [threading.Thread(target=release, args=(m,)) for m in mrns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["/guarantee", "released"]
    assert _balance(node, reference) == Decimal("1.00")


def test_a_node_acts_only_on_its_own_offices_and_messages_are_checked(node, kz, uz, trio):
    reference = _guarantee(node)
    mrn = _lodge(node, _declaration(reference))["mrn"]
    node.transit.departure.release(OFFICER, mrn, Release())
    deliver(trio)
    with pytest.raises(InvalidRequest) as exc:
        kz.transit.journey.cross(KZ_OFFICER, mrn, Crossing(office="UZTAS"))
    assert _pointers(exc) == ["/office"]
    with pytest.raises(Conflict):
        node.transit.journey.cross(OFFICER, mrn, Crossing(office="KZHOR"))
    with pytest.raises(NotFound):
        node.transit.show(OTHER, mrn)
    # Arrival at another Uzbek office: a diversion the departure must accept.
    uz.transit.journey.arrive(UZ_OFFICER, mrn, Arrival(office="UZSYA"))
    uz.transit.journey.control(UZ_OFFICER, mrn, ControlResults(result="satisfactory"))
    deliver(trio)
    shown = node.transit.show(OFFICER, mrn)
    assert shown["diverted"] and shown["status"] == "under_control"
    assert node.transit.departure.accept_diversion(OFFICER, mrn)["status"] == "discharged"
    assert _balance(node, reference) == Decimal("5000000.00")


def test_a_write_off_for_an_unknown_movement_is_refused(node, kz, trio) -> None:
    with reading(kz.engine) as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(exchange_inbox)).scalar()
    token = _signed_write_off(node, "KZ", "26CNT00000000000AA")
    answer = kz.exchange.answer_batch([token], "127.0.0.1")
    assert answer["results"][0]["status"] == "refused"
    assert answer["results"][0]["code"] == "unknown_movement"
    with reading(kz.engine) as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(exchange_inbox)).scalar()
    assert after == before


def _signed_write_off(node: Node, to: str, mrn: str) -> str:
    from silkgate.exchange import envelope
    from silkgate.exchange.envelope import Envelope

    at = node.clock()
    payload = {"mrn": mrn, "at": at.isoformat(), "status": "discharged"}
    env = Envelope.new("transit_write_off", "CN", to, mrn, payload, at)
    kid, key = node.exchange.signer()
    return envelope.sign(env, key, kid, at)


def test_over_http_the_holder_lodges_an_officer_releases_and_the_holder_reads_its_balance(
    client, tokens, node: Node, trio
) -> None:
    reference = _guarantee(node)
    holder = {"Authorization": f"Bearer {tokens['acme-trading']}"}
    officer = {"Authorization": f"Bearer {tokens['officer.li']}"}
    r = client.post("/v1/transit/movements", json=_declaration(reference), headers=holder)
    assert r.status_code == 201, r.text
    mrn = r.json()["mrn"]
    r = client.post(f"/v1/transit/movements/{mrn}/release", headers=officer)
    assert r.status_code == 200, r.text
    reserved = Decimal(r.json()["reserved"])
    r = client.get(f"/v1/transit/guarantees/{reference}", headers=holder)
    assert Decimal(r.json()["balance"]) == Decimal("5000000.00") - reserved
    r = client.get("/v1/transit/movements", headers=holder)
    assert mrn in [m["mrn"] for m in r.json()["items"]]
    bad = _declaration(reference, seals=["S-1", "S-1"])
    r = client.post("/v1/transit/movements", json=bad, headers=holder)
    assert r.status_code == 422
    assert [e["pointer"] for e in r.json()["errors"]] == ["/seals"]


def test_a_movement_past_its_time_limit_is_on_the_overdue_list(node: Node, trio) -> None:
    clock = ManualClock(dt.datetime.now(dt.UTC))
    late = TransitService(
        dataclasses.replace(node.transit.node, clock=clock), node.transit.guarantees
    )
    limit = late.node.today() + dt.timedelta(days=3)
    doc = _declaration(_guarantee(node), time_limit=limit.isoformat())
    mrn = late.departure.lodge(HOLDER, parse(TransitDeclaration, doc))["mrn"]
    late.departure.release(OFFICER, mrn, Release())

    def overdue() -> list[str]:
        return [m["mrn"] for m in late.listing(OFFICER, office="CNHRS", view="overdue", limit=500)]

    assert mrn not in overdue()
    clock.advance(dt.timedelta(days=3))
    assert mrn not in overdue()  # due today: not late yet
    clock.advance(dt.timedelta(days=1))
    assert mrn in overdue()


def test_a_movement_is_cancelled_before_release_and_not_after(node: Node, trio) -> None:
    reference = _guarantee(node, kind="individual")
    mrn = _lodge(node, _declaration(reference))["mrn"]
    with pytest.raises(NotFound):  # another holder's movement is not found
        node.transit.departure.cancel(OTHER, mrn, Cancellation(reason="not mine"))
    cancelled = node.transit.departure.cancel(HOLDER, mrn, Cancellation(reason="order lost"))
    assert cancelled["status"] == "cancelled" and cancelled["ended_at"]
    with pytest.raises(Conflict):
        node.transit.departure.release(OFFICER, mrn, Release())
    assert _balance(node, reference) == Decimal("5000000.00")  # nothing held: still unused
    released = _lodge(node, _declaration(_guarantee(node)))["mrn"]
    node.transit.departure.release(OFFICER, released, Release())
    with pytest.raises(Conflict):  # released: it ends by discharge or recovery only
        node.transit.departure.cancel(OFFICER, released, Cancellation(reason="too late"))
    assert deliver(trio) > 0  # the released one's records; the cancelled one sent nothing
    with reading(node.engine) as conn:
        events = conn.execute(sa.select(journal.c.event).where(journal.c.mrn == mrn)).scalars()
        assert list(events) == ["transit_lodged", "transit_accepted", "transit_cancelled"]


def test_releases_committed_together_refuse_one_and_keep_the_others(node: Node, trio) -> None:
    reference = _guarantee(node)
    used = _guarantee(node, kind="individual")
    mrns = [_lodge(node, _declaration(g))["mrn"] for g in (reference, used, used, reference)]
    node.transit.departure.release(OFFICER, mrns[1], Release())  # the individual one is used
    answers = node.transit.departure.release_many(OFFICER, [(mrns[2], Release())])
    assert isinstance(answers[0], InvalidRequest)
    assert answers[0].errors[0].pointer == "/guarantee"
    answers = node.transit.departure.release_many(
        OFFICER, [(mrns[0], Release()), (mrns[2], Release()), (mrns[3], Release())]
    )
    assert [a["status"] if isinstance(a, dict) else "refused" for a in answers] == [
        "released", "refused", "released",
    ]  # fmt: skip
    held = sum(Decimal(a["reserved"]) for a in answers if isinstance(a, dict))
    assert _balance(node, reference) == Decimal("5000000.00") - held
    assert node.transit.show(OFFICER, mrns[2])["status"] == "accepted"
    with reading(node.engine) as conn:
        released = conn.execute(
            sa.select(sa.func.count()).where(
                journal.c.mrn.in_(mrns), journal.c.event == "transit_released"
            )
        ).scalar()
    assert released == 3
    assert deliver(trio) == 6  # two records each, for the three released


_TRANSIT_REQUIREMENTS = b"""
title = "Transit requirements (test, illustrative)"
illustrative = true

[[requirement]]
hs = "851712"
flow = "transit"
lpco = "permit"
document = "T100"
agency = "RADIO"
missing = "hold"
description = "Radio telephones in transit (test)"
valid_from = 2024-01-01
"""


def _radio_permit(node: Node, **changes: Any) -> str:
    from silkgate.lpco.commands import IssueLpco

    today = dt.date.today()
    body = {
        "kind": "permit", "holder": HOLDER.party_id, "holder_name": "Acme (demo)",
        "hs": "851712", "description": "Mobile telephones", "flow": "transit",
        "country": "UZ", "quantity": "1000", "unit": "KGM",
        "valid_from": today.isoformat(), "valid_until": (today + dt.timedelta(days=90)).isoformat(),
        **changes,
    }  # fmt: skip
    radio = Principal(0, "agency.radio", Role.AGENCY_OFFICER, "RADIO")
    number: str = node.lpco.register.issue(radio, parse(IssueLpco, body))["number"]
    return number


def _citing(guarantee: str, number: str | None) -> dict[str, Any]:
    doc = _declaration(guarantee)
    doc["goods"][1]["documents"] = [{"code": "T100", "reference": number}] if number else []
    return doc


def _reasons(node: Node, lodged: dict[str, Any]) -> list[str]:
    """Why the movement was selected, as the officer reads it."""
    reasons: list[str] = node.transit.show(OFFICER, lodged["mrn"])["stake"]["reasons"]
    return reasons


def test_transit_requirements_are_checked_at_the_transit_declaration(node: Node, trio) -> None:
    """Goods in transit that a requirement names need their LPCO (by the country of
    destination): missing, it holds them (yellow, with the reason); a bad one is refused with
    the field; nothing is drawn down."""
    node.lpco.requirements.load(_TRANSIT_REQUIREMENTS, source="transit.toml", actor="test")
    try:
        _check_transit_requirements(node)
    finally:
        # The node is shared: leave no requirement in force for the other tests' goods.
        with writing(node.engine) as conn:
            conn.execute(lpco_requirement_sets.update().values(active=False))
        node.lpco.requirements._in_force.forget()


def _check_transit_requirements(node: Node) -> None:
    guarantee = _guarantee(node)
    held = _lodge(node, _citing(guarantee, None))
    assert held["channel"] in ("yellow", "red")
    assert any("no document T100" in r for r in _reasons(node, held))
    number = _radio_permit(node)
    clear = _lodge(node, _citing(guarantee, number))
    assert not any("LPCO" in r for r in _reasons(node, clear))
    assert node.lpco.register.get(OFFICER, number)["balance"] == "1000"
    short = _radio_permit(node, quantity="200")
    assert any("200 KGM left" in r for r in _reasons(node, _lodge(node, _citing(guarantee, short))))
    for bad, code in (
        (_radio_permit(node, flow="import"), "lpco_flow"),
        (_radio_permit(node, country="KZ"), "lpco_country"),
        (_radio_permit(node, holder=OTHER.party_id), "lpco_holder"),
    ):
        with pytest.raises(InvalidRequest) as exc:
            _lodge(node, _citing(guarantee, bad))
        assert [(e.pointer, e.code) for e in exc.value.errors] == [
            ("/goods/1/documents/0/reference", code)
        ]


def _carnet(node: Node, carnet: str, vouchers: int) -> str:
    reference = "TIR-" + uuid.uuid4().hex[:10].upper()
    node.transit.guarantees.register(OFFICER, parse(GuaranteeRegistration, {
        "reference": reference, "holder": HOLDER.party_id, "kind": "tir",
        "amount": "5000000.00", "carnet": carnet, "vouchers": vouchers,
    }))  # fmt: skip
    return reference


def test_a_tir_carnet_stands_in_for_the_guarantee_on_a_route_that_accepts_it(
    node: Node, trio
) -> None:
    carnet = _carnet(node, "XC12345678", 6)  # three countries: two vouchers each
    mrn = _lodge(node, _declaration(carnet))["mrn"]
    node.transit.departure.release(OFFICER, mrn, Release())
    shown = node.transit.guarantees.balance(HOLDER, carnet)
    assert shown["kind"] == "tir" and shown["carnet"] == "XC12345678"
    assert Decimal(shown["reserved"]) > 0
    with pytest.raises(InvalidRequest) as exc:  # one transport per carnet
        _lodge(node, _declaration(carnet))
    assert _pointers(exc) == ["/guarantee"]
    short = _carnet(node, "XC12345679", 4)
    with pytest.raises(InvalidRequest) as exc:
        _lodge(node, _declaration(short))
    assert [e.code for e in exc.value.errors] == ["vouchers"]
    with pytest.raises(InvalidRequest) as exc:
        node.transit.guarantees.register(OFFICER, parse(GuaranteeRegistration, {
            "reference": "TIR-NONE", "holder": HOLDER.party_id, "kind": "tir", "amount": "1.00",
        }))  # fmt: skip
    assert _pointers(exc) == ["/carnet"]
