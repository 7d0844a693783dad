"""Incidents en route: a seal broken, the goods transhipped, an accident.

The office that finds the incident records it (the office of incident
registration: an office of this administration, on the itinerary or not,
for an accident may happen anywhere on the road); it may affix new seals,
and after a transhipment it names the new means of transport. The incident
goes to the office of departure (NCTS IE180), which forwards it to the
destination. From then on the movement travels under the new seals and
means, and the destination must examine the goods before it gives its
control results (``examined``). The status does not change: the movement is
still on its way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from silkgate.exchange.envelope import Envelope, Refused
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import Conflict, invalid
from silkgate.store import transit as store
from silkgate.transit import messages as msg
from silkgate.transit.document import Incident
from silkgate.transit.movement import DEPARTURE
from silkgate.transit.services.common import Node, aggregate, found, staff
from silkgate.transit.services.departure import _settle
from silkgate.transit.states import Status

KINDS = {"seals_broken": "seal broken", "transhipment": "transhipment", "accident": "accident"}


class Incidents:
    """Incidents recorded at the offices on the route, and as the departure learns them."""

    def __init__(self, node: Node) -> None:
        self.node = node

    def record(self, principal: Principal, mrn: str, command: Incident) -> dict[str, Any]:
        """An officer here records an incident at an office of this administration; the
        departure is told (IE180)."""
        staff(principal, mrn)
        if command.kind == "transhipment" and command.transport is None:
            raise invalid("/transport", "required", "a transhipment names the new means")
        admin = self.node.administration
        if self.node.administration_of(command.office) != admin:
            raise invalid(
                "/office", "not_own_office", f"{command.office} is not an office of {admin}"
            )
        at = self.node.clock()
        with self.node.unit_of_work() as uow:
            conn = uow.connection
            row = found(conn, mrn, for_update=True)
            if row["role"] == DEPARTURE:
                raise Conflict(f"{mrn} was declared here: the offices on its route record "
                               "its incidents")  # fmt: skip
            if Status(row["status"]).is_final:
                raise Conflict(f"{mrn} is {row['status']}: it is no longer on its way")
            payload = {
                "mrn": mrn, "office": command.office, "at": at.isoformat(),
                "number": (row["incidents"] or 0) + 1, "kind": command.kind,
                "note": command.note, "new_seals": command.new_seals,
                "transport": None if command.transport is None
                else command.transport.model_dump(mode="json"),
            }  # fmt: skip
            movement = aggregate(row)
            self._apply(conn, movement, row, payload, at, principal.name,
                        ((row["departure"], msg.INCIDENT, payload),))  # fmt: skip
            uow.collect(*movement.take_events())
            return self.node.shown(found(conn, mrn))

    def receive(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        """IE180 at departure, from the node of the office of incident registration (then
        forwarded to the destination); or at the destination, forwarded by the departure."""
        data = msg.IncidentNotice.model_validate(env.payload)
        row = store.movement(conn, data.mrn, for_update=True)
        if row is None:
            raise Refused("unknown_movement", f"no movement {data.mrn} is known here", 422)
        forward: tuple[Any, ...] = ()
        if row["role"] == DEPARTURE:
            offices = [*row["transit_offices"], row["destination_office"], row["arrival_office"]]
            if env.sender not in {self.node.administration_of(c) for c in offices if c}:
                raise Refused("not_on_itinerary", f"{env.sender} is not on {data.mrn}'s route", 403)
            if self.node.administration_of(data.office) != env.sender:
                raise Refused("not_sender_office",
                              f"{data.office} is not an office of {env.sender}", 403)  # fmt: skip
            destination = self.node.administration_of(row["destination_office"])
            if destination not in (None, env.sender, self.node.administration):
                forward = ((destination, msg.INCIDENT, env.payload),)
        elif row["departure"] != env.sender:
            raise Refused("not_departure", f"{env.sender} is not the departure of {data.mrn}", 403)
        movement = aggregate(row)
        done = self._apply(conn, movement, row, data.model_dump(mode="json"), at, env.sender,
                           forward)  # fmt: skip
        _settle(self.node, conn, movement)
        return {"mrn": data.mrn, "recorded": done}

    def _apply(
        self, conn: sa.Connection, movement: Any, row: dict[str, Any], payload: dict[str, Any],
        at: dt.datetime, actor: str, outgoing: tuple[Any, ...],
    ) -> bool:  # fmt: skip
        """Record the incident once (its number at its office), with its effect on the
        movement: the new seals and means, the examination required at destination."""
        step, office = f"incident{payload['number']}", payload["office"]
        if not store.add_step(conn, row["id"], step, office, at, actor, payload):
            return False
        seals = payload["new_seals"]
        what = KINDS[payload["kind"]]
        reason = f"{what} at {office}: {payload['note']}"[:480]
        if seals:
            reason += f"; new seals {', '.join(seals)}"
        movement.record(at=at, actor=actor, step="incident", reason=reason[:500],
                        outgoing=outgoing)  # fmt: skip
        values: dict[str, Any] = {"incidents": (row["incidents"] or 0) + 1, "updated_at": at}
        if seals:
            values["seals"] = seals
        if payload["transport"] is not None:
            values["transport"] = payload["transport"]
        store.update_movement(conn, row["id"], values)
        return True
