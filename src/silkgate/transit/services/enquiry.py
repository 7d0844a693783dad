"""Overdue movements at the office of departure: the enquiry (IE142) and its answer (IE143),
then recovery from the guarantee when the end of the movement is not proven.

The :meth:`Enquiries.sweep` runs on the node's clock (``silkgate transit
sweep``, ``POST /v1/transit/sweep``, run periodically): it opens an enquiry
for each movement declared here that is past its time limit plus the grace
period without proof of its end, and recovers the duty on each enquiry whose
answer deadline passed. Each movement is changed in its own transaction,
under its lock, with its status checked again, so a sweep racing an arriving
message or another sweep changes a movement once.

The node of the office of destination answers an enquiry from its own
records, at once: where and when the goods arrived and the control results,
or that it has no record of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from silkgate.exchange.envelope import Envelope, Refused
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import Forbidden
from silkgate.store import transit as store
from silkgate.transit import messages as msg
from silkgate.transit.enquiry import UNPROVEN, proves_the_end
from silkgate.transit.movement import DEPARTURE, DESTINATION, Movement
from silkgate.transit.services.common import STAFF, Node, aggregate, others
from silkgate.transit.services.departure import Departure, _act, _settle
from silkgate.transit.states import Action, Status

SWEEPER = "transit-sweep"  # the journal's actor when the node sweeps by itself


class Enquiries:
    """The enquiry and recovery procedure, at departure and at destination."""

    def __init__(self, node: Node, departure: Departure) -> None:
        self.node = node
        self.departure = departure

    # -- the sweep at departure ----------------------------------------------------------------

    def sweep(self, principal: Principal | None = None, limit: int = 1000) -> dict[str, Any]:
        """Open the enquiries that are due and recover the duty on those left unanswered;
        ``principal`` None: the node itself. The MRNs changed, by what was done."""
        if principal is not None and principal.role not in STAFF:
            raise Forbidden("the transit sweep is run by customs staff")
        actor = SWEEPER if principal is None else principal.name
        at = self.node.clock()
        before = self.node.enquiry.opens_before(self.node.today(at))
        with self.node.unit_of_work() as uow:
            due = store.overdue(uow.connection, UNPROVEN, before, limit)
            unanswered = store.unanswered(uow.connection, at, limit)
        opened = [m for m in due if self._open(m, at, actor)]
        recovered = [m for m in unanswered if self._recover(m, at, actor)]
        return {"at": at.isoformat(), "enquiries": opened, "recovered": recovered}

    def _open(self, mrn: str, at: dt.datetime, actor: str) -> bool:
        terms = self.node.enquiry
        with self.node.unit_of_work() as uow:
            conn = uow.connection
            row = store.movement(conn, mrn, for_update=True)
            if (
                row is None
                or row["status"] not in UNPROVEN
                or row["time_limit"] >= terms.opens_before(self.node.today(at))
            ):
                return False  # changed since it was listed
            due = terms.answer_due(at)
            reason = (
                f"not proven ended by the time limit {row['time_limit'].isoformat()} and "
                f"{terms.grace_days} days' grace; answer due {due.date().isoformat()}"
            )
            offices = {row["destination_office"], row["arrival_office"] or ""}
            admins = {self.node.administration_of(c) for c in offices if c}
            asked = sorted(a for a in admins if a and a != self.node.administration)
            payload = {"mrn": mrn, "at": at.isoformat(), "reason": reason}
            store.add_step(conn, row["id"], "enquiry", "", at, actor,
                           {"due": due.isoformat(), "asked": asked})  # fmt: skip
            movement = aggregate(row)
            _act(movement, Action.ENQUIRE, at=at, actor=actor, step="enquiry", reason=reason,
                 outgoing=tuple((a, msg.ENQUIRY, payload) for a in asked))  # fmt: skip
            store.update_movement(conn, row["id"], {
                "status": movement.status.value, "enquiry_due": due, "updated_at": at,
            })  # fmt: skip
            uow.collect(*movement.take_events())
            return True

    def _recover(self, mrn: str, at: dt.datetime, actor: str) -> bool:
        """The end not proven by the deadline: the reservation kept as the duty recovered, the
        movement ended as not discharged, the others on the route told (IE045)."""
        with self.node.unit_of_work() as uow:
            conn = uow.connection
            row = store.movement(conn, mrn, for_update=True)
            if row is None or row["status"] != Status.ENQUIRY.value or row["enquiry_due"] > at:
                return False
            amount = store.recover(conn, mrn, at)
            reason = (
                f"no proof of the end by {row['enquiry_due'].date().isoformat()}: "
                f"{amount} recovered from guarantee {row['guarantee']}"
            )
            store.add_step(conn, row["id"], "recovered", "", at, actor,
                           {"amount": str(amount), "guarantee": row["guarantee"]})  # fmt: skip
            payload = {"mrn": mrn, "at": at.isoformat(), "status": "recovered"}
            told = tuple((a, msg.WRITE_OFF, payload) for a in others(self.node, row))
            movement = aggregate(row)
            _act(movement, Action.RECOVER, at=at, actor=actor, step="recovered", reason=reason,
                 outgoing=told)  # fmt: skip
            store.update_movement(conn, row["id"], {
                "status": movement.status.value, "ended_at": at, "updated_at": at,
            })  # fmt: skip
            uow.collect(*movement.take_events())
            return True

    # -- the enquiry received (IE142), answered from this node's records (IE143) -----------------

    def receive_enquiry(
        self, conn: sa.Connection, env: Envelope, at: dt.datetime
    ) -> dict[str, Any]:
        """The departure asks what became of a movement: answered at once from the records."""
        data = msg.Enquiry.model_validate(env.payload)
        row = store.movement(conn, data.mrn, for_update=True)
        if row is not None and row["role"] == DEPARTURE:
            raise Refused("unknown_movement", f"{data.mrn} was declared here", 422)
        if (row["departure"] if row else data.mrn[2:4]) != env.sender:
            raise Refused("not_departure", f"{env.sender} is not the departure of {data.mrn}", 403)
        answer: dict[str, Any] = {"mrn": data.mrn, "at": at.isoformat(), "arrived": False}
        if row is None:
            # Never anticipated here (the record lost, or the route changed): say so.
            answer["note"] = "no record of this movement at this administration"
            movement = Movement(data.mrn, DESTINATION, Status.RELEASED)
        else:
            if not store.add_step(conn, row["id"], "enquiry", "", at, env.sender,
                                  data.model_dump(mode="json")):  # fmt: skip
                return {"mrn": data.mrn, "recorded": False}
            movement = aggregate(row)
            if row["arrival_office"] is not None:
                answer.update(arrived=True, office=row["arrival_office"],
                              arrived_at=row["arrived_at"].isoformat(),
                              control_result=row["control_result"])  # fmt: skip
            else:
                answer["note"] = "the goods have not been presented at this administration"
        told = "arrived at " + answer["office"] if answer["arrived"] else answer["note"]
        movement.record(at=at, actor=env.sender, step="enquiry_answered",
                        reason=f"{data.reason} / answered: {told}",
                        outgoing=((env.sender, msg.ENQUIRY_ANSWER, answer),))  # fmt: skip
        _settle(self.node, conn, movement)
        return {"mrn": data.mrn, "recorded": True, "arrived": answer["arrived"]}

    # -- the answer received at departure ------------------------------------------------------

    def receive_answer(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        """IE143: an answer proving the end (arrived, control satisfactory) discharges the
        movement; any other is recorded and the enquiry runs on to its deadline."""
        data = msg.EnquiryAnswer.model_validate(env.payload)
        row = store.movement(conn, data.mrn, for_update=True)
        if row is None or row["role"] != DEPARTURE:
            raise Refused("unknown_movement", f"no movement {data.mrn} was declared here", 422)
        asked = {self.node.administration_of(c) for c in
                 [row["destination_office"], row["arrival_office"]] if c}  # fmt: skip
        if env.sender not in asked:
            raise Refused("not_on_itinerary", f"{env.sender} was not asked about {data.mrn}", 403)
        if data.office is not None and self.node.administration_of(data.office) != env.sender:
            raise Refused(
                "not_sender_office", f"{data.office} is not an office of {env.sender}", 403
            )
        if not store.add_step(conn, row["id"], "enquiry_answer", data.office or "", at,
                              env.sender, data.model_dump(mode="json")):  # fmt: skip
            return {"mrn": data.mrn, "recorded": False}
        movement = aggregate(row)
        values: dict[str, Any] = {"updated_at": at}
        ends = proves_the_end(data.arrived, data.control_result)
        if ends and data.office is not None:
            diverted = data.office != row["destination_office"]
            values.update(arrival_office=data.office, arrived_at=data.arrived_at or data.at,
                          diverted=diverted, control_result=data.control_result)  # fmt: skip
            ends = not diverted or bool(row["diversion_accepted"])
        told = (
            f"arrived at {data.office}, control {data.control_result}"
            if data.arrived
            else (data.note or "not arrived")
        )
        movement.record(at=at, actor=env.sender, step="enquiry_answer", reason=told)
        if movement.status is Status.ENQUIRY and ends:
            values.update(self.departure._discharge(conn, movement, {**row, **values}, at,
                                                    env.sender, inbound=True))  # fmt: skip
        store.update_movement(conn, row["id"], values)
        _settle(self.node, conn, movement)
        return {"mrn": data.mrn, "recorded": True, "status": movement.status.value}
