"""Incidents en route from Horgos to Tashkent: recorded by the office that finds them, sent to
the departure (IE180) and forwarded to the destination, which then examines the goods; three
nodes, the messages through the real outbox and inbox (as test_transit)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Conflict, InvalidRequest
from silkgate.node import Node
from silkgate.store.db import reading
from silkgate.store.tables import journal
from silkgate.transit.document import Arrival, ControlResults, Incident, Release
from tests.integration.test_transit import (
    KZ_OFFICER,
    OFFICER,
    UZ_OFFICER,
    _balance,
    _database,
    _declaration,
    _guarantee,
    _lodge,
    _partner_node,
    _pointers,
    deliver,
    link,
)


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


def _released(node: Node, trio: dict[str, Any]) -> tuple[str, str]:
    reference = _guarantee(node)
    mrn = _lodge(node, _declaration(reference))["mrn"]
    node.transit.departure.release(OFFICER, mrn, Release())
    deliver(trio)
    return str(mrn), reference


def _events(node: Node, mrn: str) -> list[str]:
    with reading(node.engine) as conn:
        query = sa.select(journal.c.event).where(journal.c.mrn == mrn).order_by(journal.c.seq)
        return list(conn.execute(query).scalars())


def test_a_transhipment_under_new_seals_reaches_departure_and_the_destination_examines(
    node: Node, kz: Node, uz: Node, trio: dict[str, Any]
) -> None:
    mrn, reference = _released(node, trio)
    incident = parse(Incident, {
        "office": "KZHOR", "kind": "transhipment", "note": "trailer axle broken, reloaded",
        "new_seals": ["KZ-0001", "KZ-0002"],
        "transport": {"mode": "road", "identity": "KZ 777 ABC 02", "nationality": "KZ"},
    })  # fmt: skip
    shown = kz.transit.incidents.record(KZ_OFFICER, mrn, incident)
    assert shown["seals"] == ["KZ-0001", "KZ-0002"] and shown["control_required"]
    deliver(trio)

    at_departure = node.transit.show(OFFICER, mrn)
    assert at_departure["status"] == "released"  # still on its way
    assert at_departure["incidents"] == 1 and at_departure["control_required"]
    assert at_departure["seals"] == ["KZ-0001", "KZ-0002"]
    assert at_departure["transport"]["identity"] == "KZ 777 ABC 02"
    step = next(s for s in at_departure["steps"] if s["step"] == "incident1")
    assert step["office"] == "KZHOR" and step["detail"]["kind"] == "transhipment"
    at_destination = uz.transit.show(UZ_OFFICER, mrn)  # forwarded by the departure
    assert at_destination["control_required"] and at_destination["seals"] == ["KZ-0001", "KZ-0002"]

    uz.transit.journey.arrive(UZ_OFFICER, mrn, Arrival(office="UZTAS"))
    with pytest.raises(InvalidRequest) as exc:
        uz.transit.journey.control(UZ_OFFICER, mrn, ControlResults(result="satisfactory"))
    assert _pointers(exc) == ["/examined"]
    uz.transit.journey.control(
        UZ_OFFICER, mrn, ControlResults(result="satisfactory", examined=True)
    )
    deliver(trio)
    assert node.transit.show(OFFICER, mrn)["status"] == "discharged"
    assert _balance(node, reference) == Decimal("5000000.00")
    assert "transit_incident" in _events(node, mrn)
    assert "transit_incident" in _events(kz, mrn)
    assert "transit_incident" in _events(uz, mrn)
    assert deliver(trio) == 0  # nothing more to send: each incident applied once


def test_an_incident_is_refused_with_the_field_and_changes_nothing(
    node: Node, kz: Node, uz: Node, trio: dict[str, Any]
) -> None:
    mrn, _ = _released(node, trio)
    cases = [
        ({"office": "KZHOR", "kind": "transhipment", "note": "reloaded"}, "/transport"),
        ({"office": "UZTAS", "kind": "accident", "note": "collision"}, "/office"),
    ]
    for body, pointer in cases:
        with pytest.raises(InvalidRequest) as exc:
            kz.transit.incidents.record(KZ_OFFICER, mrn, parse(Incident, body))
        assert _pointers(exc) == [pointer]
    with pytest.raises(InvalidRequest) as exc:
        parse(Incident, {"office": "KZHOR", "kind": "accident", "note": "x",
                         "new_seals": ["S-1", "S-1"]})  # fmt: skip
    assert _pointers(exc) == ["/new_seals"]
    with pytest.raises(Conflict):  # the departure does not record its route's incidents
        cn_office = {"office": "CNHRS", "kind": "accident", "note": "collision"}
        node.transit.incidents.record(OFFICER, mrn, parse(Incident, cn_office))
    assert kz.transit.show(KZ_OFFICER, mrn)["incidents"] == 0
    kz.transit.incidents.record(
        KZ_OFFICER, mrn, parse(Incident, {"office": "KZSRY", "kind": "accident", "note": "x"})
    )
    deliver(trio)
    shown = node.transit.show(OFFICER, mrn)
    assert shown["incidents"] == 1 and shown["seals"] == shown["declaration"]["seals"]


def test_the_console_draws_the_route_with_the_incident_and_offers_this_node_its_steps(
    node: Node, kz: Node, uz: Node, trio: dict[str, Any], client: Any, tokens: dict[str, str]
) -> None:
    mrn, reference = _released(node, trio)
    kz.transit.incidents.record(KZ_OFFICER, mrn, parse(Incident, {
        "office": "KZHOR", "kind": "seals_broken", "note": "seal 2 cut", "new_seals": ["KZ-9"],
    }))  # fmt: skip
    deliver(trio)
    opened = node.sessions.open(tokens["officer.li"])
    assert opened is not None
    client.cookies.set("sg_session_cn", opened[0], path="/console")
    try:
        page = client.get(f"/console/transit/movements/{mrn}")
        listing = client.get("/console/transit?office=CNHRS&view=en_route")
    finally:
        client.cookies.clear()
    assert page.status_code == 200, page.text
    html = page.text
    assert html.count("<circle") == 3 and 'id="stop-KZHOR"' in html
    assert 'class="incident">!</text>' in html  # where the incident was recorded
    assert "KZ-9" in html and "<script>" not in html and "style=" not in html
    assert 'id="crossing-form"' not in html  # China records no crossing of Kazakhstan's
    assert listing.status_code == 200 and f'id="movement-{mrn}"' in listing.text
    holder = node.sessions.open(tokens["acme-trading"])
    assert holder is not None
    client.cookies.set("sg_session_cn", holder[0], path="/console")
    try:
        g = client.get(f"/console/transit/guarantees/{reference}")
    finally:
        client.cookies.clear()
    assert g.status_code == 200 and mrn in g.text
    assert "5000000.00 CNY" not in g.text.split('id="balance"')[1][:80]  # part of it is held
