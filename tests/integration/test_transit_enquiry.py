"""Overdue movements from Horgos to Tashkent: the enquiry to the destination (IE142) and its
answer (IE143), then recovery from the guarantee; the time moved by a manual clock, the
messages carried through the real outbox and inbox of three nodes (as test_transit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import ManualClock
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Forbidden
from silkgate.node import Node
from silkgate.store.db import reading
from silkgate.store.tables import journal
from silkgate.transit.document import Arrival, ControlResults, Crossing, Release, TransitDeclaration
from tests.integration.test_transit import (
    HOLDER,
    KZ_OFFICER,
    OFFICER,
    UZ_OFFICER,
    _balance,
    _database,
    _declaration,
    _guarantee,
    _partner_node,
    deliver,
    link,
)


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    """The one clock of the three nodes (an envelope from a node ahead of its receiver's
    clock is refused, so the three move together)."""
    return ManualClock(dt.datetime.now(dt.UTC))


@pytest.fixture(scope="module")
def cn(settings: Settings, node: Node, clock: ManualClock) -> Iterator[Node]:
    """China's node on the tests' database, on the clock the test moves."""
    n = open_node(settings, clock=clock)
    yield n
    n.close()


@pytest.fixture(scope="module")
def kz(tmp_path_factory: pytest.TempPathFactory, clock: ManualClock) -> Iterator[Node]:
    for url in _database(tmp_path_factory, "kz"):
        n = _partner_node("KZ", url, "KZT", "Asia/Almaty", clock)
        yield n
        n.close()


@pytest.fixture(scope="module")
def uz(tmp_path_factory: pytest.TempPathFactory, clock: ManualClock) -> Iterator[Node]:
    for url in _database(tmp_path_factory, "uz"):
        n = _partner_node("UZ", url, "UZS", "Asia/Tashkent", clock)
        yield n
        n.close()


@pytest.fixture(scope="module")
def trio(cn: Node, kz: Node, uz: Node) -> dict[str, Any]:
    return link(cn, kz, uz)


def _released(cn: Node, reference: str, days: int = 3) -> str:
    limit = cn.transit.node.today() + dt.timedelta(days=days)
    doc = _declaration(reference, time_limit=limit.isoformat())
    mrn = cn.transit.departure.lodge(HOLDER, parse(TransitDeclaration, doc))["mrn"]
    cn.transit.departure.release(OFFICER, mrn, Release())
    return str(mrn)


def _events(node: Node, mrn: str) -> list[str]:
    with reading(node.engine) as conn:
        query = sa.select(journal.c.event).where(journal.c.mrn == mrn).order_by(journal.c.seq)
        return list(conn.execute(query).scalars())


def test_an_unanswered_enquiry_ends_in_recovery_from_the_guarantee(
    cn: Node, kz: Node, uz: Node, trio: dict[str, Any], clock: ManualClock
) -> None:
    reference = _guarantee(cn)
    mrn = _released(cn, reference)
    deliver(trio)
    kz.transit.journey.cross(KZ_OFFICER, mrn, Crossing(office="KZHOR"))
    deliver(trio)
    held = Decimal(cn.transit.show(OFFICER, mrn)["reserved"])
    assert held > 0

    clock.advance(dt.timedelta(days=3 + 7))  # the last day of the grace period
    assert mrn not in cn.transit.enquiries.sweep(OFFICER)["enquiries"]
    clock.advance(dt.timedelta(days=1))
    assert mrn in cn.transit.enquiries.sweep(OFFICER)["enquiries"]
    assert cn.transit.enquiries.sweep(OFFICER)["enquiries"] == []  # opened once
    shown = cn.transit.show(HOLDER, mrn)  # the holder sees the enquiry and its deadline
    assert shown["status"] == "enquiry" and shown["enquiry_due"] is not None
    assert mrn in [m["mrn"] for m in cn.transit.listing(HOLDER, view="enquiry")]

    deliver(trio)  # IE142 to Tashkent, answered at once: not presented there (IE143)
    steps = {s["step"]: s for s in cn.transit.show(OFFICER, mrn)["steps"]}
    assert steps["enquiry_answer"]["detail"]["arrived"] is False
    assert "enquiry" in [s["step"] for s in uz.transit.show(UZ_OFFICER, mrn)["steps"]]
    assert cn.transit.show(OFFICER, mrn)["status"] == "enquiry"

    clock.advance(dt.timedelta(days=27))
    assert mrn not in cn.transit.enquiries.sweep(OFFICER)["recovered"]
    clock.advance(dt.timedelta(days=1))
    assert mrn in cn.transit.enquiries.sweep(OFFICER)["recovered"]
    assert mrn not in cn.transit.enquiries.sweep()["recovered"]  # recovered once

    assert cn.transit.show(OFFICER, mrn)["status"] == "recovered"
    g = cn.transit.guarantees.balance(HOLDER, reference)
    assert Decimal(g["recovered"]) == held and Decimal(g["reserved"]) == 0
    assert _balance(cn, reference) == Decimal("5000000.00") - held  # not given back
    assert [m["state"] for m in g["movements"] if m["mrn"] == mrn] == ["recovered"]
    # Amounts to the yuan's minor unit, not the store's thousandths.
    shown_amounts = [g["balance"], g["reference_amount"], g["recovered"], g["reserved"]]
    assert all(a.split(".")[1:] and len(a.split(".")[1]) == 2 for a in shown_amounts), g
    assert len(cn.transit.show(OFFICER, mrn)["reserved"].split(".")[1]) == 2
    deliver(trio)  # the write-off (IE045, recovered) ends it on the route too
    assert kz.transit.show(KZ_OFFICER, mrn)["status"] == "recovered"
    assert uz.transit.show(UZ_OFFICER, mrn)["status"] == "recovered"
    assert _events(cn, mrn) == [
        "transit_lodged",
        "transit_accepted",
        "transit_released",
        "transit_crossed",
        "transit_enquiry",
        "transit_enquiry_answer",
        "transit_recovered",
    ]


def test_an_answer_proving_the_arrival_discharges_the_movement_under_enquiry(
    cn: Node, kz: Node, uz: Node, trio: dict[str, Any], clock: ManualClock
) -> None:
    reference = _guarantee(cn)
    mrn = _released(cn, reference)
    deliver(trio)
    uz.transit.journey.arrive(UZ_OFFICER, mrn, Arrival(office="UZTAS"))
    uz.transit.journey.control(UZ_OFFICER, mrn, ControlResults(result="satisfactory"))
    # Tashkent's messages have not reached China when its sweep runs.
    clock.advance(dt.timedelta(days=11))
    assert mrn in cn.transit.enquiries.sweep(OFFICER)["enquiries"]
    trio["CN"].deliver_once()  # only China's outbox: the enquiry reaches Tashkent
    answer = [s for s in uz.transit.show(UZ_OFFICER, mrn)["steps"] if s["step"] == "enquiry"]
    assert len(answer) == 1
    deliver(trio)
    shown = cn.transit.show(OFFICER, mrn)
    assert shown["status"] == "discharged"
    assert _balance(cn, reference) == Decimal("5000000.00")
    assert uz.transit.show(UZ_OFFICER, mrn)["status"] == "discharged"
    clock.advance(dt.timedelta(days=40))
    assert mrn not in cn.transit.enquiries.sweep(OFFICER)["recovered"]


def test_unsatisfactory_results_open_the_enquiry_with_its_deadline(
    cn: Node, kz: Node, uz: Node, trio: dict[str, Any], clock: ManualClock
) -> None:
    reference = _guarantee(cn)
    mrn = _released(cn, reference, days=10)
    deliver(trio)
    uz.transit.journey.arrive(UZ_OFFICER, mrn, Arrival(office="UZTAS"))
    uz.transit.journey.control(
        UZ_OFFICER, mrn, ControlResults(result="unsatisfactory", note="two pallets missing")
    )
    deliver(trio)
    shown = cn.transit.show(OFFICER, mrn)
    assert shown["status"] == "enquiry" and shown["enquiry_due"] is not None
    clock.advance(dt.timedelta(days=29))
    assert mrn in cn.transit.enquiries.sweep(OFFICER)["recovered"]
    assert Decimal(cn.transit.guarantees.balance(OFFICER, reference)["recovered"]) > 0


def test_only_staff_run_the_sweep(node: Node) -> None:
    broker = Principal(0, "lotus-broker", Role.DECLARANT, "91450100MA5LDEMO02")
    with pytest.raises(Forbidden):
        node.transit.enquiries.sweep(broker)
