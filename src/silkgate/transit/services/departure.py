"""The office of departure: lodging, release (risk, the guarantee reserved, the records sent
to the offices on the route), what the other offices report back, and the write-off.

A report (crossing, arrival, control results) is taken only from the
administration of an office on the itinerary, about that office; one about
a movement this node did not declare is refused. An arrival at an office not
on the itinerary is a diversion: the movement is discharged only once an
officer here accepts it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.exchange.envelope import Envelope, Refused
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidRequest,
    NotFound,
    invalid,
)
from silkgate.store import transit as store
from silkgate.transit import itinerary, risk, tir
from silkgate.transit import messages as msg
from silkgate.transit.document import Cancellation, Release, TransitDeclaration
from silkgate.transit.events import Outgoing
from silkgate.transit.movement import DEPARTURE, Movement
from silkgate.transit.mrn import new_transit_mrn
from silkgate.transit.ports import TransitLicences
from silkgate.transit.services.common import (
    Node,
    aggregate,
    found,
    others,
    readable,
    staff,
)
from silkgate.transit.services.guarantees import Guarantees
from silkgate.transit.states import Action, Status, TransitionRefused


class Departure:
    """The use cases of the office of departure."""

    def __init__(
        self, node: Node, guarantees: Guarantees, licences: TransitLicences | None = None
    ) -> None:
        self.node = node
        self.guarantees = guarantees
        self.licences = licences  # the single window's agencies: LPCOs for transit

    # -- lodging ---------------------------------------------------------------------------

    def lodge(self, principal: Principal, declaration: TransitDeclaration) -> dict[str, Any]:
        """Check and store a transit declaration (its holder); accepted, with its own MRN."""
        if principal.role is not Role.DECLARANT:
            raise Forbidden("a transit declaration is lodged by its holder")
        if declaration.holder.party_id != principal.party_id:
            raise invalid(
                "/holder/party_id", "not_holder", "the holder must be the trader who lodges"
            )
        at = self.node.clock()
        errors = itinerary.check(
            declaration.itinerary,
            self.node.offices,
            self.node.administration,
            set(self.node.partners()),
        )
        if declaration.time_limit < self.node.today(at):
            errors.append(FieldError("/time_limit", "past", "the time limit is in the past"))
        if errors:
            raise InvalidRequest(errors)
        amount, stakes = self.guarantees.stake(declaration, self.node.today(at))
        selection = risk.select(declaration)
        mrn = new_transit_mrn(self.node.administration, at)
        movement = Movement(mrn, DEPARTURE, Status.LODGED)
        movement.lodge(at, principal.name)
        with self.node.unit_of_work() as uow:
            conn = uow.connection
            self._check_guarantee(conn, declaration, amount)
            selection = self._licensed(conn, declaration, selection, self.node.today(at))
            it = declaration.itinerary
            row_id = store.add_movement(conn, {
                "mrn": mrn, "role": DEPARTURE, "departure": self.node.administration,
                "lrn": declaration.lrn, "holder": declaration.holder.party_id,
                "status": movement.status.value, "channel": selection.channel,
                "departure_office": it.departure, "destination_office": it.destination,
                "transit_offices": it.transit, "routing": it.routing,
                "time_limit": declaration.time_limit, "guarantee": declaration.guarantee,
                "reserved": 0, "stake": {
                    "amount": str(amount), "items": [s.as_json() for s in stakes],
                    "reasons": list(selection.reasons),
                },
                "document": declaration.model_dump(mode="json"),
                "lodged_at": at, "updated_at": at,
            })  # fmt: skip
            uow.collect(*movement.take_events())
            row = store.movement(conn, mrn)
            assert row is not None and row["id"] == row_id
            return self.node.shown(row)

    def _licensed(
        self, conn: sa.Connection, declaration: TransitDeclaration, selection: Any, on: dt.date
    ) -> Any:
        """The selection once the goods' LPCOs are checked (requirements of the transit flow,
        by the country of destination): a bad or missing one the requirement refuses is a
        field error; one it holds raises the channel to at least yellow, with the reason."""
        if self.licences is None:
            return selection
        country = self.node.administration_of(declaration.itinerary.destination) or ""
        answer = self.licences.check_transit(conn, declaration, country, on)
        if answer.refusals:
            raise InvalidRequest(list(answer.refusals))
        if not answer.holds:
            return selection
        channel = "yellow" if selection.channel == "green" else selection.channel
        reasons = (*selection.reasons, *(f"LPCO: {h}" for h in answer.holds))
        return dataclasses.replace(selection, channel=channel, reasons=reasons)

    def _check_guarantee(
        self, conn: sa.Connection, declaration: TransitDeclaration, amount: Any
    ) -> None:
        row = store.guarantee(conn, declaration.guarantee)
        if row is None or row["holder"] != declaration.holder.party_id:
            raise invalid(
                "/guarantee",
                "not_holder",
                f"no guarantee {declaration.guarantee} of {declaration.holder.party_id}",
            )
        if row["kind"] != "comprehensive" and row["uses"] > 0:
            raise invalid("/guarantee", "used", f"a{'' if row['kind'] == 'tir' else 'n'} "
                          f"{row['kind']} guarantee covers one movement")  # fmt: skip
        if row["kind"] == "tir":
            refused = tir.check(declaration.itinerary.routing, row["vouchers"], row["carnet"])
            if refused:
                raise InvalidRequest(refused)
        if row["balance"] < amount:
            raise invalid(
                "/guarantee",
                "insufficient",
                f"the balance {row['balance']} does not cover the duties at stake {amount}",
            )

    # -- release -----------------------------------------------------------------------------

    def release(self, principal: Principal, mrn: str, command: Release) -> dict[str, Any]:
        """Release for transit: the duties at stake reserved on the guarantee, the anticipated
        records queued for the offices of transit (IE050) and destination (IE001)."""
        staff(principal, mrn)
        with self.node.unit_of_work() as uow:
            return self._release(uow, principal, mrn, command, self.node.clock())

    def release_many(
        self, principal: Principal, items: list[tuple[str, Release]]
    ) -> list[dict[str, Any] | Exception]:
        """Release several movements in one transaction (one commit, one sync): each in a
        savepoint of its own, so one refused (its answer is the exception) leaves the others
        and the balance as they were. The answers in the order given."""
        staff(principal)
        at = self.node.clock()
        answers: list[dict[str, Any] | Exception] = []
        with self.node.unit_of_work() as uow:
            for mrn, command in items:
                savepoint = uow.connection.begin_nested()
                try:
                    answers.append(self._release(uow, principal, mrn, command, at))
                except (Conflict, InvalidRequest, NotFound) as exc:
                    savepoint.rollback()
                    answers.append(exc)
                else:
                    savepoint.commit()
        return answers

    def _release(
        self, uow: Any, principal: Principal, mrn: str, command: Release, at: dt.datetime
    ) -> dict[str, Any]:
        conn = uow.connection
        row = found(conn, mrn, for_update=True)
        if row["role"] != DEPARTURE:
            raise Conflict(f"{mrn} was not declared at this office of departure")
        if row["channel"] != "green" and not command.seals_checked:
            raise invalid(
                "/seals_checked", "required", f"the {row['channel']} channel asks a seal check"
            )
        movement = aggregate(row)
        amount = Decimal(row["stake"]["amount"])
        if movement.status is Status.ACCEPTED and not store.reserve(
            conn, row["guarantee"], row["holder"], mrn, amount, at
        ):
            raise invalid(
                "/guarantee",
                "insufficient",
                f"guarantee {row['guarantee']} does not cover {amount} (balance unchanged)",
            )
        record = {"mrn": mrn, "declaration": row["document"],
                  "released_at": at.isoformat(), "channel": row["channel"]}  # fmt: skip
        _act(movement, Action.RELEASE, at=at, actor=principal.name, step="released",
             reason=command.note, outgoing=self._records(row, record))  # fmt: skip
        values = {"status": movement.status.value, "released_at": at, "reserved": amount,
                  "updated_at": at}  # fmt: skip
        store.update_movement(conn, row["id"], values)
        uow.collect(*movement.take_events())
        # The answer from what was written: the movement is not read back.
        return self.node.shown({**row, **values})

    def _records(self, row: dict[str, Any], record: dict[str, Any]) -> tuple[Outgoing, ...]:
        destination = self.node.administration_of(row["destination_office"])
        out: list[Outgoing] = []
        for code in row["transit_offices"]:
            admin = self.node.administration_of(code)
            if admin and admin != destination and all(o[0] != admin for o in out):
                out.append((admin, msg.RECORD, record))
        if destination:
            out.append((destination, msg.ARRIVAL_RECORD, record))
        return tuple(out)

    # -- cancellation before release ----------------------------------------------------------

    def cancel(self, principal: Principal, mrn: str, command: Cancellation) -> dict[str, Any]:
        """Withdraw a movement not yet released (its holder, or an officer here). Nothing was
        reserved or sent before release, so nothing else changes; a released movement ends by
        discharge or recovery only (409)."""
        if principal.role is not Role.DECLARANT:
            staff(principal, mrn)
        at = self.node.clock()
        with self.node.unit_of_work() as uow:
            conn = uow.connection
            row = found(conn, mrn, for_update=True)
            readable(principal, row)
            if row["role"] != DEPARTURE:
                raise Conflict(f"{mrn} was not declared at this office of departure")
            movement = aggregate(row)
            _act(movement, Action.CANCEL, at=at, actor=principal.name, step="cancelled",
                 reason=command.reason)  # fmt: skip
            # Belt and braces: a reservation is taken at release only, so there is none.
            store.free(conn, mrn, at)
            store.update_movement(conn, row["id"], {
                "status": movement.status.value, "ended_at": at, "updated_at": at,
            })  # fmt: skip
            uow.collect(*movement.take_events())
            return self.node.shown(found(conn, mrn))

    # -- a diversion accepted ----------------------------------------------------------------

    def accept_diversion(self, principal: Principal, mrn: str) -> dict[str, Any]:
        """Accept the arrival at an office not on the itinerary; discharges the movement if its
        control results are in and satisfactory."""
        staff(principal, mrn)
        at = self.node.clock()
        with self.node.unit_of_work() as uow:
            conn = uow.connection
            row = found(conn, mrn, for_update=True)
            if row["role"] != DEPARTURE or not row["diverted"] or row["diversion_accepted"]:
                raise Conflict(f"{mrn} has no diversion waiting for acceptance")
            movement = aggregate(row)
            movement.record(at=at, actor=principal.name, step="diversion_accepted",
                            reason=f"arrived at {row['arrival_office']}")  # fmt: skip
            values: dict[str, Any] = {"diversion_accepted": True, "updated_at": at}
            if row["control_result"] == "satisfactory":
                values.update(self._discharge(conn, movement, row, at, principal.name))
            store.update_movement(conn, row["id"], values)
            uow.collect(*movement.take_events())
            return self.node.shown(found(conn, mrn))

    def _discharge(
        self, conn: sa.Connection, movement: Movement, row: dict[str, Any], at: dt.datetime,
        actor: str, inbound: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """Write the movement off: its reservation freed, the write-off (IE045) to the others."""
        freed = store.free(conn, row["mrn"], at)
        payload = {"mrn": row["mrn"], "at": at.isoformat(), "status": "discharged"}
        outgoing = tuple((a, msg.WRITE_OFF, payload) for a in others(self.node, row))
        _act(movement, Action.DISCHARGE, at=at, actor=actor, step="discharged",
             reason=f"guarantee {row['guarantee']}: {freed} freed", outgoing=outgoing,
             inbound=inbound)  # fmt: skip
        return {"status": movement.status.value, "ended_at": at}

    # -- what the other offices report (inbox) -------------------------------------------------

    def receive_crossing(
        self, conn: sa.Connection, env: Envelope, at: dt.datetime
    ) -> dict[str, Any]:
        """IE118: an office of transit saw the goods cross into its country."""
        data = msg.CrossingNotice.model_validate(env.payload)
        row = self._reported(conn, env, data.mrn, data.office)
        if data.office not in row["transit_offices"]:
            raise Refused(
                "not_on_itinerary", f"{data.office} is not an office of transit of {data.mrn}", 403
            )
        return self._step(conn, row, env, "crossed", data.office, data.model_dump(mode="json"),
                          Action.CROSS, at)  # fmt: skip

    def receive_arrival(
        self, conn: sa.Connection, env: Envelope, at: dt.datetime
    ) -> dict[str, Any]:
        """IE006: the goods presented at an office of the sender (a diversion if not declared)."""
        data = msg.ArrivalAdvice.model_validate(env.payload)
        row = self._reported(conn, env, data.mrn, data.office)
        diverted = data.office != row["destination_office"]
        result = self._step(conn, row, env, "arrived", data.office, data.model_dump(mode="json"),
                            Action.ARRIVE, at)  # fmt: skip
        if result.get("recorded"):
            store.update_movement(conn, row["id"], {
                "arrival_office": data.office, "arrived_at": data.at, "diverted": diverted,
            })  # fmt: skip
        return {**result, "diverted": diverted}

    def receive_control(
        self, conn: sa.Connection, env: Envelope, at: dt.datetime
    ) -> dict[str, Any]:
        """IE018: the destination's control results; satisfactory discharges the movement
        (unless a diversion waits for acceptance), unsatisfactory opens an enquiry."""
        data = msg.ControlResult.model_validate(env.payload)
        row = self._reported(conn, env, data.mrn, data.office)
        if not store.add_step(conn, row["id"], "control", data.office, at, env.sender,
                              data.model_dump(mode="json")):  # fmt: skip
            return {"mrn": data.mrn, "recorded": False}
        movement = aggregate(row)
        values: dict[str, Any] = {"control_result": data.result, "updated_at": at}
        diverted = row["diverted"] or (
            row["arrival_office"] not in (None, row["destination_office"])
        )
        if data.result == "unsatisfactory":
            _act(movement, Action.ENQUIRE, at=at, actor=env.sender, step="enquiry",
                 reason=data.note or "unsatisfactory control results", inbound=True)  # fmt: skip
            values.update(
                status=movement.status.value, enquiry_due=self.node.enquiry.answer_due(at)
            )
        elif not diverted or row["diversion_accepted"]:
            values.update(self._discharge(conn, movement, row, at, env.sender, inbound=True))
        else:
            waits = "satisfactory; the diversion waits for acceptance"
            _act(movement, Action.CONTROL, at=at, actor=env.sender, step="control",
                 reason=waits, inbound=True)  # fmt: skip
            values["status"] = movement.status.value
        store.update_movement(conn, row["id"], values)
        _settle(self.node, conn, movement)
        return {"mrn": data.mrn, "recorded": True, "status": movement.status.value}

    def _reported(
        self, conn: sa.Connection, env: Envelope, mrn: str, office: str
    ) -> dict[str, Any]:
        row = store.movement(conn, mrn, for_update=True)
        if row is None or row["role"] != DEPARTURE:
            raise Refused("unknown_movement", f"no movement {mrn} was declared here", 422)
        on_route = {self.node.administration_of(c) for c in
                    [*row["transit_offices"], row["destination_office"]]}  # fmt: skip
        if env.sender not in on_route:
            raise Refused("not_on_itinerary", f"{env.sender} is not on the itinerary of {mrn}", 403)
        if self.node.administration_of(office) != env.sender:
            raise Refused("not_sender_office", f"{office} is not an office of {env.sender}", 403)
        return row

    def _step(
        self, conn: sa.Connection, row: dict[str, Any], env: Envelope, step: str, office: str,
        detail: dict[str, Any], action: Action, at: dt.datetime,
    ) -> dict[str, Any]:  # fmt: skip
        if not store.add_step(conn, row["id"], step, office, at, env.sender, detail):
            return {"mrn": row["mrn"], "recorded": False}
        movement = aggregate(row)
        _act(movement, action, at=at, actor=env.sender, step=step, reason=office, inbound=True)
        store.update_movement(conn, row["id"], {"status": movement.status.value, "updated_at": at})
        _settle(self.node, conn, movement)
        return {"mrn": row["mrn"], "recorded": True, "status": movement.status.value}


def _act(movement: Movement, action: Action, *, inbound: bool = False, **kwargs: Any) -> bool:
    """Do ``action``; refused as a conflict (an officer's request) or, for a partner's
    message, as a refused message (the inbox parks it rather than failing)."""
    try:
        return movement.act(action, **kwargs)
    except TransitionRefused as exc:
        if inbound:
            raise Refused("out_of_order", f"{movement.mrn}: {exc}", 409) from exc
        raise Conflict(str(exc)) from exc


def _settle(node: Node, conn: sa.Connection, movement: Movement) -> None:
    """Journal a step applied from the inbox, and queue what it sends, in the inbox's
    transaction."""
    uow = node.attached(conn)
    uow.collect(*movement.take_events())
    uow.settle()
