"""The offices of transit and destination: the anticipated records received, what their
officers record (a crossing, the arrival, the control results), and the write-off.

A node acts only on its own offices' steps: an officer here records a
crossing at an office of transit of this administration on the itinerary,
an arrival at one of this administration's offices (another than the
declared destination is a diversion), and each step is reported to the
office of departure's node.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from silkgate.exchange.envelope import Envelope, Refused
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import Conflict, invalid
from silkgate.store import transit as store
from silkgate.transit import messages as msg
from silkgate.transit.document import Arrival, ControlResults, Crossing, TransitDeclaration
from silkgate.transit.movement import DEPARTURE, DESTINATION, TRANSIT, Movement
from silkgate.transit.services.common import Node, aggregate, found, staff
from silkgate.transit.services.departure import _act, _settle
from silkgate.transit.states import Action, Status


class Journey:
    """The use cases of the offices on the route after departure."""

    def __init__(self, node: Node) -> None:
        self.node = node

    # -- the anticipated records (IE050, IE001) ------------------------------------------------

    def receive_record(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        """The departure's record of a released movement: kept here as anticipated."""
        data = msg.MovementRecord.model_validate(env.payload)
        try:
            declaration = TransitDeclaration.model_validate(data.declaration)
        except ValidationError as exc:
            raise Refused("bad_payload", f"the declaration of {data.mrn}: {exc}", 422) from exc
        it = declaration.itinerary
        if self.node.administration_of(it.departure) != env.sender or data.mrn[2:4] != env.sender:
            raise Refused("not_departure", f"{env.sender} is not the departure of {data.mrn}", 403)
        role = self._role(declaration)
        if role is None:
            raise Refused(
                "not_on_itinerary", f"{self.node.administration} is not on {data.mrn}'s route", 403
            )
        if store.movement(conn, data.mrn) is not None:
            return {"mrn": data.mrn, "recorded": False}
        movement = Movement(data.mrn, role, Status.RELEASED)
        movement.record(at=at, actor=env.sender, step="anticipated", reason=f"as {role}")
        store.add_movement(conn, {
            "mrn": data.mrn, "role": role, "departure": env.sender, "lrn": declaration.lrn,
            "holder": declaration.holder.party_id, "status": Status.RELEASED.value,
            "channel": data.channel, "departure_office": it.departure,
            "destination_office": it.destination, "transit_offices": it.transit,
            "routing": it.routing, "time_limit": declaration.time_limit,
            "guarantee": None, "reserved": 0, "stake": None,
            "document": data.declaration, "lodged_at": data.released_at,
            "released_at": data.released_at, "updated_at": at,
        })  # fmt: skip
        _settle(self.node, conn, movement)
        return {"mrn": data.mrn, "recorded": True, "role": role}

    def _role(self, declaration: TransitDeclaration) -> str | None:
        admin = self.node.administration
        if self.node.administration_of(declaration.itinerary.destination) == admin:
            return DESTINATION
        if any(self.node.administration_of(c) == admin for c in declaration.itinerary.transit):
            return TRANSIT
        return None

    # -- what this node's officers record ------------------------------------------------------

    def cross(self, principal: Principal, mrn: str, command: Crossing) -> dict[str, Any]:
        """The goods crossed into this country at an office of transit (IE118 to departure)."""
        staff(principal, mrn)
        return self._record(
            principal,
            mrn,
            "crossed",
            command.office,
            Action.CROSS,
            msg.CROSSING,
            command.model_dump(mode="json"),
            self._transit_office,
        )

    def arrive(self, principal: Principal, mrn: str, command: Arrival) -> dict[str, Any]:
        """The goods presented at an office of this administration (IE006 to departure)."""
        staff(principal, mrn)
        return self._record(
            principal,
            mrn,
            "arrived",
            command.office,
            Action.ARRIVE,
            msg.ARRIVAL,
            command.model_dump(mode="json"),
            self._own_office,
        )

    def control(self, principal: Principal, mrn: str, command: ControlResults) -> dict[str, Any]:
        """The control results at the office the goods arrived at (IE018 to departure)."""
        staff(principal, mrn)
        with self.node.unit_of_work() as uow:
            conn = uow.connection
            row = self._here(conn, mrn)
            office = row["arrival_office"]
            if office is None:
                raise Conflict(f"{mrn} has not arrived: record the arrival first")
            if row["incidents"] and not command.examined:
                raise invalid("/examined", "required", f"{mrn} had an incident en route: the "
                              "goods are examined before the control results")  # fmt: skip
            return self._apply(uow, principal, row, "control", office, Action.CONTROL,
                               msg.CONTROL, command.model_dump(mode="json"))  # fmt: skip

    def _record(self, principal: Principal, mrn: str, step: str, office: str, action: Action,
                kind: str, detail: dict[str, Any], check: Any) -> dict[str, Any]:  # fmt: skip
        with self.node.unit_of_work() as uow:
            row = self._here(uow.connection, mrn)
            check(row, office)
            return self._apply(uow, principal, row, step, office, action, kind, detail)

    def _apply(self, uow: Any, principal: Principal, row: dict[str, Any], step: str, office: str,
               action: Action, kind: str, detail: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
        conn = uow.connection
        at = self.node.clock()
        if not store.add_step(conn, row["id"], step, office, at, principal.name, detail):
            raise Conflict(f"{step} at {office} is recorded already for {row['mrn']}")
        movement = aggregate(row)
        diverted = step == "arrived" and office != row["destination_office"]
        payload = {**detail, "mrn": row["mrn"], "office": office, "at": at.isoformat()}
        if step == "arrived":
            payload["diverted"] = diverted
        _act(movement, action, at=at, actor=principal.name, step=step,
             reason=office + (" (a diversion)" if diverted else ""),
             outgoing=((row["departure"], kind, payload),))  # fmt: skip
        values: dict[str, Any] = {"status": movement.status.value, "updated_at": at}
        if step == "arrived":
            values.update(arrival_office=office, arrived_at=at, diverted=diverted)
        if step == "control":
            values["control_result"] = detail["result"]
        store.update_movement(conn, row["id"], values)
        uow.collect(*movement.take_events())
        return self.node.shown(found(conn, row["mrn"]))

    def _here(self, conn: sa.Connection, mrn: str) -> dict[str, Any]:
        row = found(conn, mrn, for_update=True)
        if row["role"] == DEPARTURE:
            raise Conflict(f"{mrn} was declared here: its offices on the route record its steps")
        return row

    def _transit_office(self, row: dict[str, Any], office: str) -> None:
        if office not in row["transit_offices"]:
            raise invalid("/office", "not_on_itinerary", f"{office} is not an office of transit "
                          f"of {row['mrn']}")  # fmt: skip
        self._own_office(row, office)

    def _own_office(self, row: dict[str, Any], office: str) -> None:
        if (
            self.node.administration_of(office) != self.node.administration
            and office not in self.node.own_offices()
        ):
            raise invalid("/office", "not_own_office",
                          f"{office} is not an office of {self.node.administration}")  # fmt: skip

    # -- the write-off (IE045) -------------------------------------------------------------------

    def receive_write_off(
        self, conn: sa.Connection, env: Envelope, at: dt.datetime
    ) -> dict[str, Any]:
        """The departure discharged the movement (or recovered the duty): it ends here too."""
        data = msg.WriteOff.model_validate(env.payload)
        row = store.movement(conn, data.mrn, for_update=True)
        if row is None or row["role"] == DEPARTURE:
            raise Refused("unknown_movement", f"no movement {data.mrn} is known here", 422)
        if row["departure"] != env.sender:
            raise Refused("not_departure", f"{env.sender} is not the departure of {data.mrn}", 403)
        if Status(row["status"]).is_final:
            return {"mrn": data.mrn, "recorded": False}
        movement = aggregate(row)
        if data.status == "recovered":
            # Ended at departure as not discharged: under enquiry here too, then recovered.
            if movement.status is not Status.ENQUIRY:
                _act(movement, Action.ENQUIRE, at=at, actor=env.sender, step="enquiry",
                     reason="the end not proven at departure", inbound=True)  # fmt: skip
            _act(movement, Action.RECOVER, at=at, actor=env.sender, step="recovered",
                 reason="the duty recovered at departure", inbound=True)  # fmt: skip
        else:
            _act(movement, Action.DISCHARGE, at=at, actor=env.sender, step="discharged",
                 reason="written off at departure", inbound=True)  # fmt: skip
        store.update_movement(conn, row["id"], {
            "status": movement.status.value, "ended_at": data.at, "updated_at": at,
        })  # fmt: skip
        _settle(self.node, conn, movement)
        return {"mrn": data.mrn, "recorded": True}
