"""The AEO register of this administration, and partners' registers under mutual recognition.

Every change to the register is journaled in ``aeo_events`` and, in the same
transaction, the complete list of operators whose status a partner must know
(granted, suspended, revoked) is queued for each partner with a mutual
recognition arrangement (``aeo_mra``). A partner's list replaces the one
held before, unless it is older (versions are the sender's time of change).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import sqlalchemy as sa

from silkgate.exchange import messages as m
from silkgate.exchange.aeo import AeoAction, AeoStatus, IllegalAeoTransition, next_status
from silkgate.exchange.commands import AeoCommand, aeo_command
from silkgate.exchange.envelope import Envelope, iso
from silkgate.exchange.services import ExchangeService
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.kernel.text import CODE, refused, why
from silkgate.store import exchange_aeo as store
from silkgate.store.db import reading, writing

SHARED = ("granted", "suspended", "revoked")


class Selectivity(Protocol):
    """What the register needs of risk management: to know that AEO statuses changed."""

    def refresh(self) -> None: ...


class AeoRegister:
    """This administration's AEO register, and the registers partners share with it.

    ``risk`` is refreshed whenever the operators recognised here change (a
    status granted or withdrawn, a partner's list received); ``clock`` and
    ``zone`` default to the exchange's.
    """

    def __init__(
        self,
        exchange: ExchangeService,
        *,
        risk: Selectivity | None = None,
        clock: Clock | None = None,
        zone: dt.tzinfo | None = None,
    ) -> None:
        self.exchange = exchange
        self.risk = risk
        self.clock: Clock = clock if clock is not None else exchange.clock
        self.zone = zone
        exchange.handle(m.AEO_LIST, self.receive_list)

    def today(self) -> dt.date:
        """The administration's local date (AEO validity is in local dates)."""
        zone = self.zone if self.zone is not None else self.exchange.zone
        return self.clock().astimezone(zone).date()

    def act(
        self, principal: Principal, party_id: str, action: str, command: AeoCommand
    ) -> dict[str, Any]:
        """Apply, validate, grant, suspend, reinstate, revoke or refuse an operator.

        ``command`` is the body parsed with the action's model (:func:`aeo_command`).
        """
        if not principal.is_staff:
            raise Forbidden("the AEO register is kept by customs officers")
        try:
            act = AeoAction(action)
        except ValueError:
            raise NotFound(f"no AEO action {action}") from None
        expected = aeo_command(act)
        if not isinstance(command, expected):
            raise TypeError(f"{act.value} takes {expected.__name__}, not {type(command).__name__}")
        char = refused(party_id)
        if char is not None:
            raise InvalidRequest([FieldError("/party_id", CODE, why(char))])
        if not (1 <= len(party_id) <= 35):
            raise InvalidRequest(
                [FieldError("/party_id", "invalid", "a trader identifier, 1 to 35 characters")]
            )
        at = self.clock()
        with writing(self.exchange.engine) as conn:
            row = store.aeo(conn, party_id, for_update=True)
            current = AeoStatus(row["status"]) if row else None
            try:
                status = next_status(current, act)
            except IllegalAeoTransition as exc:
                raise Conflict(str(exc)) from exc
            values: dict[str, Any] = {"status": status.value, "updated_at": at}
            if act is AeoAction.APPLY:
                values.update(name=command.name, valid_from=self.today(), valid_to=None)
            if act is AeoAction.GRANT:
                values.update(valid_from=command.valid_from, valid_to=command.valid_to)
            store.save_aeo(
                conn, party_id, values, self.exchange.administration, exists=row is not None
            )
            store.aeo_event(
                conn,
                party_id=party_id,
                at=at,
                action=act.value,
                from_status=current.value if current else None,
                to_status=status.value,
                actor=principal.name,
                reason=command.reason,
            )
            if status.value in SHARED or (current and current.value in SHARED):
                self.changed(conn, at)
        if self.risk is not None:
            self.risk.refresh()
        return self.operator(principal, party_id)

    def changed(self, conn: sa.Connection, at: dt.datetime) -> None:
        """Queue the register for every partner under mutual recognition."""
        partners = self.exchange.partners_with("aeo_mra")
        if not partners:
            return
        operators = [
            {
                "party_id": r["party_id"],
                "name": r["name"],
                "status": r["status"],
                "valid_from": r["valid_from"].isoformat(),
                "valid_to": None if r["valid_to"] is None else r["valid_to"].isoformat(),
            }
            for r in store.aeo_register(conn)
            if r["status"] in SHARED
        ]
        payload = {"version": iso(at), "operators": operators}
        for partner in partners:
            self.exchange.enqueue(conn, partner, m.AEO_LIST, "aeo-list", payload, at)

    def receive_list(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        data = m.parse(m.AEO_LIST, env.payload)
        assert isinstance(data, m.AeoList)
        version = data.version.astimezone(dt.UTC)
        replaced = store.replace_partner_aeo(
            conn,
            env.sender,
            version,
            [
                {
                    "administration": env.sender,
                    "party_id": o.party_id,
                    "name": o.name,
                    "status": o.status,
                    "valid_from": o.valid_from,
                    "valid_to": o.valid_to,
                    "list_version": version,
                    "received_at": at,
                }
                for o in data.operators
            ],
        )
        if self.risk is not None:
            self.risk.refresh()
        return {"operators": len(data.operators), "replaced": replaced}

    # -- reading -----------------------------------------------------------------------------

    def operator(self, principal: Principal, party_id: str) -> dict[str, Any]:
        _reader(principal)
        with reading(self.exchange.engine) as conn:
            row = store.aeo(conn, party_id)
            if row is None:
                raise NotFound(f"no operator {party_id} in the AEO register")
            return {**_json(row), "history": [_event(e) for e in store.aeo_history(conn, party_id)]}

    def register(self, principal: Principal) -> list[dict[str, Any]]:
        _reader(principal)
        with reading(self.exchange.engine) as conn:
            return [_json(r) for r in store.aeo_register(conn)]

    def partner_operators(
        self, principal: Principal, administration: str | None = None
    ) -> list[dict[str, Any]]:
        _reader(principal)
        today = self.today()
        mra = set(self.exchange.partners_with("aeo_mra"))
        with reading(self.exchange.engine) as conn:
            rows = store.partner_aeo_list(conn, administration)
        return [
            {
                **_json(r),
                "list_version": iso(r["list_version"]),
                "received_at": iso(r["received_at"]),
                # What selectivity honours: granted, valid today, under an arrangement in force.
                "recognised": r["administration"] in mra
                and r["status"] == "granted"
                and r["valid_from"] <= today
                and (r["valid_to"] is None or r["valid_to"] >= today),
            }
            for r in rows
        ]


def _reader(principal: Principal) -> None:
    if not (principal.is_staff or principal.role is Role.ANALYST):
        raise Forbidden("the AEO register is read by customs officers and risk analysts")


def _json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "party_id": r["party_id"],
        "name": r["name"],
        "administration": r["administration"],
        "status": r["status"],
        "valid_from": r["valid_from"].isoformat(),
        "valid_to": None if r["valid_to"] is None else r["valid_to"].isoformat(),
    }


def _event(e: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": iso(e["at"]),
        "action": e["action"],
        "from_status": e["from_status"],
        "to_status": e["to_status"],
        "actor": e["actor"],
        "reason": e["reason"],
    }
