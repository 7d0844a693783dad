"""What the transit use cases share: the node's facts they need, who may do what, and how a
stored movement becomes the aggregate and a shown answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.journal_keys import JournalKeys
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import Forbidden, NotFound
from silkgate.kernel.events import MessageBus
from silkgate.store import transit as store
from silkgate.store.uow import AttachedUnitOfWork, SqlUnitOfWork
from silkgate.transit.enquiry import EnquiryTerms
from silkgate.transit.movement import Movement
from silkgate.transit.offices import OfficeList
from silkgate.transit.states import Status

STAFF = (Role.OFFICER, Role.ADMIN)


@dataclass(frozen=True)
class Node:
    """The node's facts the transit use cases need (built once by the bootstrap)."""

    engine: sa.Engine
    bus: MessageBus
    journal_keys: JournalKeys
    administration: str
    offices: OfficeList
    partners: Callable[[], Collection[str]]  # those with the ``transit`` agreement
    own_offices: Callable[[], Collection[str]]  # this administration's offices
    zone: dt.tzinfo = dt.UTC
    clock: Clock = system_clock
    minor_unit: int = 2  # of the national currency: how amounts are shown
    enquiry: EnquiryTerms = field(default_factory=EnquiryTerms)

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.bus, self.journal_keys)

    def attached(self, conn: sa.Connection) -> AttachedUnitOfWork:
        return AttachedUnitOfWork(conn, self.bus, self.journal_keys)

    def today(self, at: dt.datetime | None = None) -> dt.date:
        return (at or self.clock()).astimezone(self.zone).date()

    def shown(
        self, row: dict[str, Any], steps: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        return shown(row, steps, minor_unit=self.minor_unit)

    def administration_of(self, office: str) -> str | None:
        found = self.offices.get(office)
        return None if found is None else found.administration


def others(node: Node, row: dict[str, Any]) -> list[str]:
    """The administrations on a movement's route other than the departure's (the offices of
    transit, the destination, and where the goods arrived if elsewhere)."""
    offices = [*row["transit_offices"], row["destination_office"], row["arrival_office"]]
    found = {node.administration_of(c) for c in offices if c}
    return sorted(a for a in found if a and a != node.administration)


def staff(principal: Principal, mrn: str | None = None) -> None:
    """Only officers record a movement's steps; a holder is told no more than that the
    movement is not found (as one of another holder's, or one that does not exist)."""
    if principal.role is Role.DECLARANT and mrn is not None:
        raise NotFound(f"no transit movement {mrn}")
    if principal.role not in STAFF:
        raise Forbidden("only customs officers record the steps of a transit movement")


def found(conn: sa.Connection, mrn: str, *, for_update: bool = False) -> dict[str, Any]:
    row = store.movement(conn, mrn, for_update=for_update)
    if row is None:
        raise NotFound(f"no transit movement {mrn}")
    return row


def readable(principal: Principal, row: dict[str, Any]) -> None:
    """A holder reads its own movements only; another's is not found, as one that is not."""
    if principal.role is Role.DECLARANT:
        if principal.party_id is None or principal.party_id != row["holder"]:
            raise NotFound(f"no transit movement {row['mrn']}")
    elif principal.role not in STAFF:
        raise Forbidden("transit movements are read by officers and their holders")


def aggregate(row: dict[str, Any]) -> Movement:
    return Movement(row["mrn"], row["role"], Status(row["status"]))


def money(amount: Any, minor_unit: int) -> str:
    """An amount as shown: to the currency's minor unit (the store keeps thousandths)."""
    return str(Decimal(amount).quantize(Decimal(1).scaleb(-minor_unit)))


def shown(
    row: dict[str, Any], steps: list[dict[str, Any]] | None = None, *, minor_unit: int = 2
) -> dict[str, Any]:
    """A movement as the API answers it."""
    out: dict[str, Any] = {
        "mrn": row["mrn"],
        "lrn": row["lrn"],
        "role": row["role"],
        "status": row["status"],
        "channel": row["channel"],
        "holder": row["holder"],
        "departure": row["departure"],
        "itinerary": {
            "departure": row["departure_office"],
            "transit": row["transit_offices"],
            "destination": row["destination_office"],
            "routing": row["routing"],
        },
        "time_limit": row["time_limit"].isoformat(),
        "guarantee": row["guarantee"],
        "reserved": money(row["reserved"], minor_unit),
        "lodged_at": _iso(row["lodged_at"]),
        "released_at": _iso(row["released_at"]),
        "arrival_office": row["arrival_office"],
        "arrived_at": _iso(row["arrived_at"]),
        "diverted": bool(row["diverted"]),
        "diversion_accepted": row["diversion_accepted"],
        "control_result": row["control_result"],
        "ended_at": _iso(row["ended_at"]),
        "enquiry_due": _iso(row.get("enquiry_due")),
        "incidents": row.get("incidents") or 0,
        # After an incident the goods travel under new seals or means; the destination
        # examines them.
        "seals": row.get("seals") if row.get("seals") is not None else row["document"]["seals"],
        "transport": row.get("transport") or row["document"]["transport"],
        "control_required": bool(row.get("incidents")),
    }
    if steps is not None:
        out["steps"] = [
            {
                "step": s["step"],
                "office": s["office"] or None,
                "at": _iso(s["at"]),
                "actor": s["actor"],
                "detail": s["detail"],
            }
            for s in steps
        ]
        out["declaration"] = row["document"]
        out["stake"] = row["stake"]
    return out


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()
