"""Mutual administrative assistance: alerts and verification requests, kept as case threads.

A case is opened by one administration (an enforcement alert, a request to
verify a shipment or an operator) and shared with one partner under a
``mutual_assistance`` agreement; each side's officers add to the same thread
and either side may close it. The reference is the opener's
(``CN-MAA-2026-000001``) and names the case on both nodes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from silkgate.exchange import messages as m
from silkgate.exchange.commands import AssistanceCase, AssistanceReply
from silkgate.exchange.envelope import Envelope, iso
from silkgate.exchange.services import ExchangeService
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.store import exchange_assistance as store
from silkgate.store import exchange_outbox as outbox_store
from silkgate.store.db import reading, writing

KINDS = {
    "alert": "enforcement alert",
    "verify_shipment": "request to verify a shipment",
    "verify_operator": "request to verify an operator",
}


class Assistance:
    """Assistance cases with partners under a ``mutual_assistance`` agreement.

    ``clock`` defaults to the exchange's.
    """

    def __init__(self, exchange: ExchangeService, *, clock: Clock | None = None) -> None:
        self.exchange = exchange
        self.clock: Clock = clock if clock is not None else exchange.clock
        exchange.handle(m.ASSISTANCE, self.receive)

    def open(self, principal: Principal, case: AssistanceCase) -> dict[str, Any]:
        """Open a case with a partner under a ``mutual_assistance`` agreement."""
        _officer(principal)
        self._require_agreement(case.partner)
        at = self.clock()
        with writing(self.exchange.engine) as conn:
            prefix = f"{self.exchange.administration}-MAA-{at.year}-"
            reference = f"{prefix}{store.last_number(conn, prefix) + 1:06d}"
            case_id = store.open_case(
                conn,
                reference=reference,
                partner=case.partner,
                direction="outgoing",
                kind=case.kind,
                subject=case.subject,
                status="open",
                mrn=case.mrn,
                opened_at=at,
                opened_by=principal.name,
                updated_at=at,
            )
            self._post(
                conn,
                case_id,
                reference,
                case.partner,
                "open",
                principal.name,
                case.body,
                at,
                kind=case.kind,
                subject=case.subject,
                mrn=case.mrn,
            )
        return self.case(principal, reference)

    def _require_agreement(self, partner: str) -> None:
        if not self.exchange.agreed(partner, "mutual_assistance"):
            agreed = ", ".join(self.exchange.partners_with("mutual_assistance")) or "none yet"
            raise InvalidRequest(
                [
                    FieldError(
                        "/partner",
                        "invalid",
                        f"a partner with a mutual assistance agreement: {agreed}",
                    )
                ]
            )

    def reply(
        self, principal: Principal, reference: str, message: AssistanceReply
    ) -> dict[str, Any]:
        """Add to a case's thread; ``close: true`` closes it on both sides."""
        _officer(principal)
        body, close = message.body, message.close
        at = self.clock()
        with writing(self.exchange.engine) as conn:
            c = store.case(conn, reference)
            if c is None:
                raise NotFound(f"no assistance case {reference}")
            if c["status"] == "closed":
                raise Conflict(f"case {reference} is closed")
            action = "close" if close else "reply"
            self._post(conn, c["id"], reference, c["partner"], action, principal.name, body, at)
            store.update_case(
                conn, c["id"], status="closed" if close else c["status"], updated_at=at
            )
        return self.case(principal, reference)

    def _post(
        self,
        conn: sa.Connection,
        case_id: int,
        reference: str,
        partner: str,
        action: str,
        author: str,
        body: str,
        at: dt.datetime,
        **extra: Any,
    ) -> None:
        payload = {"reference": reference, "action": action, "author": author, "body": body}
        payload.update({k: v for k, v in extra.items() if v is not None})
        message_id = self.exchange.enqueue(conn, partner, m.ASSISTANCE, reference, payload, at)
        store.add_case_message(
            conn,
            case_id=case_id,
            at=at,
            administration=self.exchange.administration,
            author=author,
            kind=_KIND_OF[action] if action != "open" else extra.get("kind") or "request",
            body=body,
            message_id=message_id,
        )

    def receive(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        data = m.parse(m.ASSISTANCE, env.payload)
        assert isinstance(data, m.Assistance)
        c = store.case(conn, data.reference)
        if data.action == "open":
            if c is not None:
                return {"case": data.reference, "known": True}
            if not data.reference.startswith(f"{env.sender}-"):
                raise m.PayloadError(
                    f"a case opened by {env.sender} has a reference {env.sender}-…"
                )
            case_id = store.open_case(
                conn,
                reference=data.reference,
                partner=env.sender,
                direction="incoming",
                kind=data.kind or "alert",
                subject=data.subject or KINDS.get(data.kind or "alert", "assistance"),
                status="open",
                mrn=data.mrn,
                opened_at=env.created,
                opened_by=f"{data.author} ({env.sender})",
                updated_at=at,
            )
            kind: str = data.kind or "request"
        else:
            if c is None or c["partner"] != env.sender:
                raise m.PayloadError(f"no case {data.reference} shared with {env.sender}")
            case_id = c["id"]
            kind = _KIND_OF[data.action]
            if c["status"] == "closed" or data.action == "close":
                # Closed by either side stays closed: a message still on its way is kept
                # in the thread, it does not reopen the case.
                status = "closed"
            else:
                status = "answered" if c["direction"] == "outgoing" else "open"

            store.update_case(conn, case_id, status=status, updated_at=at)
        store.add_case_message(
            conn,
            case_id=case_id,
            at=env.created,
            administration=env.sender,
            author=data.author,
            kind=kind,
            body=data.body,
            message_id=env.id,
        )
        return {"case": data.reference, "action": data.action}

    # -- reading -------------------------------------------------------------------------------

    def cases(self, principal: Principal, status: str | None = None) -> list[dict[str, Any]]:
        _officer(principal)
        with reading(self.exchange.engine) as conn:
            return [_case_json(c) for c in store.cases(conn, status)]

    def case(self, principal: Principal, reference: str) -> dict[str, Any]:
        _officer(principal)
        with reading(self.exchange.engine) as conn:
            c = store.case(conn, reference)
            if c is None:
                raise NotFound(f"no assistance case {reference}")
            thread = store.case_messages(conn, c["id"])
            delivery = {
                r["message_id"]: r["status"]
                for r in (
                    outbox_store.outbox_message(conn, t["message_id"])
                    for t in thread
                    if t["message_id"] and t["administration"] == self.exchange.administration
                )
                if r is not None
            }
        return {
            **_case_json(c),
            "thread": [
                {
                    "at": iso(t["at"]),
                    "administration": t["administration"],
                    "author": t["author"],
                    "kind": t["kind"],
                    "body": t["body"],
                    "delivery": delivery.get(t["message_id"])
                    if t["administration"] == self.exchange.administration
                    else "received",
                }
                for t in thread
            ],
        }


_KIND_OF = {"reply": "reply", "close": "close"}


def _officer(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("assistance cases are handled by customs officers")


def _case_json(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "reference": c["reference"],
        "partner": c["partner"],
        "direction": c["direction"],
        "kind": c["kind"],
        "subject": c["subject"],
        "status": c["status"],
        "mrn": c["mrn"],
        "opened_at": iso(c["opened_at"]),
        "opened_by": c["opened_by"],
        "updated_at": iso(c["updated_at"]),
    }
