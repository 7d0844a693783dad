"""Retroactive verification of certificates of origin over the exchange, on both sides.

The importing side (customs officers) asks the issuer of a certificate it
received to verify it (``origin_verification``, agreement
``origin_certificates``); the issuing side (origin officers) sees the request
and answers ``confirmed`` or ``not_confirmed`` with its findings
(``origin_verification_answer``). An answer that does not confirm, or no
answer by the deadline (checked on the node's clock), withdraws the
preference the certificate gave (:mod:`silkgate.origin.services.withdrawal`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.events import ChannelAssigned
from silkgate.exchange.envelope import Envelope, Refused
from silkgate.exchange.messages import ORIGIN_VERIFICATION, ORIGIN_VERIFICATION_ANSWER
from silkgate.kernel.actors import SYSTEM, Principal, Role
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.kernel.events import JournalNote, Noted, UnitOfWork
from silkgate.origin import verification as v
from silkgate.origin.services.withdrawal import Withdrawal
from silkgate.store import origin_certificates as issued_store
from silkgate.store import origin_claims as received_store
from silkgate.store import origin_verifications as store
from silkgate.store.db import reading, writing

SENT, RECEIVED = "sent", "received"
# What a request opened by a risk profile asks the issuer to show.
RISK_DOCUMENTS: tuple[v.Document, ...] = (
    "bill_of_materials",
    "cost_statements",
    "supplier_declarations",
)
Enqueue = Callable[[sa.Connection, str, str, str, dict[str, Any], dt.datetime], Any]


class Verifications:
    """Verification requests sent (importing side) and received (issuing side)."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        administration: str,
        days: Callable[[str], int | None],
        enqueue: Enqueue,
        withdrawal: Withdrawal,
        zone: dt.tzinfo = dt.UTC,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.administration = administration
        self.days = days  # the agreement's verification term, in days
        self.enqueue = enqueue
        self.withdrawal = withdrawal
        self.zone = zone
        self.clock = clock

    def today(self, at: dt.datetime | None = None) -> dt.date:
        return (at or self.clock()).astimezone(self.zone).date()

    # -- the importing side ----------------------------------------------------------------------

    def open(self, principal: Principal, request: v.VerificationRequest) -> dict[str, Any]:
        """Ask the issuer of a received certificate to verify it; the message is queued."""
        _customs(principal)
        at = self.clock()
        with writing(self.engine) as conn:
            row = self._open_in(conn, request, at, principal.name)
            return self._shown(conn, row)

    def on_channel(self, event: ChannelAssigned, uow: UnitOfWork) -> None:
        """A risk profile asked for the origin of claimed items to be verified (handler of
        ``ChannelAssigned``): one request per certificate received, unless one is open."""
        if not event.verify_origin:
            return
        conn = uow.connection
        claims = {c["item"]: c for c in received_store.claims_of(conn, event.declaration_id)}
        asked: set[str] = set()
        for item, why in event.verify_origin:
            claim = claims.get(item)
            if claim is None or claim["number"] in asked:
                continue  # no preference claimed on the item, or asked already
            number = claim["number"]
            if received_store.certificate_row(conn, number) is None:
                continue  # not received (yet): there is nothing to verify with its issuer
            asked.add(number)
            if store.open_for(conn, number):
                continue
            request = v.VerificationRequest(
                number=number,
                reason=f"Selected by {why}: declaration {event.mrn}, item {item}.",
                documents=list(RISK_DOCUMENTS),
            )
            row = self._open_in(conn, request, event.at, why)
            uow.collect(Noted.of(JournalNote(
                at=event.at, actor=SYSTEM, event="origin_verification",
                declaration_id=event.declaration_id, mrn=event.mrn, version=event.version,
                reason=f"verification of {number} asked of {row['issuer']} "
                       f"({row['reference']}, by {row['deadline']}): {why}",
            )))  # fmt: skip

    def _open_in(
        self, conn: sa.Connection, request: v.VerificationRequest, at: dt.datetime, by: str
    ) -> dict[str, Any]:
        today = self.today(at)
        cert = received_store.certificate_row(conn, request.number)
        if cert is None:
            raise _invalid("/number", "unknown", f"no e-CO {request.number} has been received")
        deadline = request.deadline or v.deadline_for(today, self.days(cert["agreement"]) or 90)
        if deadline <= today:
            raise _invalid("/deadline", "past", f"the deadline must be after {today}")
        reference = f"{self.administration}-V-{uuid.uuid4().hex[:12].upper()}"
        row = {
            "side": SENT, "reference": reference,
            "number": request.number, "issuer": cert["issuer"],
            "requester": self.administration, "agreement": cert["agreement"],
            "reason": request.reason, "documents": list(request.documents),
            "requested_on": today, "deadline": deadline, "status": v.Status.OPEN,
            "requested_at": at, "requested_by": by,
        }  # fmt: skip
        row["id"] = store.add(conn, row)
        row = store.get(conn, SENT, row["id"]) or row
        self.enqueue(
            conn, cert["issuer"], ORIGIN_VERIFICATION, row["reference"], v.payload_of(row), at
        )
        return row

    def receive_answer(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        """The issuer's answer (inbox): recorded; not confirmed withdraws the preference."""
        data = v.AnswerMessage.model_validate(env.payload)
        row = store.by_reference(conn, SENT, data.reference, for_update=True)
        if row is None or row["number"] != data.number:
            raise Refused("bad_payload", f"no verification {data.reference} of {data.number}", 422)
        if row["issuer"] != env.sender:
            raise Refused(
                "not_issuer", f"{data.number} was issued by {row['issuer']}, not {env.sender}", 403
            )
        if row["status"] != v.Status.OPEN:
            # Overdue already: the withdrawal stands; the late answer is kept as findings.
            return {"verification": data.reference, "status": row["status"], "late": True}
        status = v.Status(data.result.value)
        store.close(conn, row["id"], {
            "status": status, "findings": data.findings, "answered_at": at,
            "answered_by": env.sender,
        })  # fmt: skip
        recovered = Decimal(0)
        if status is v.Status.NOT_CONFIRMED:
            recovered = self.withdrawal.withdraw(conn, row, status, at)
        return {"verification": data.reference, "status": status, "recovered": str(recovered)}

    def overdue(self, *, apply: bool = False) -> list[dict[str, Any]]:
        """Requests sent and unanswered past their deadline; ``apply``: close them as overdue,
        withdrawing the preference as a non-confirmation does."""
        at = self.clock()
        with writing(self.engine) as conn:
            late = store.listing(conn, SENT, past=self.today(at), limit=1000)
            if apply:
                for row in late:
                    if store.close(conn, row["id"], {"status": v.Status.OVERDUE}):
                        self.withdrawal.withdraw(conn, row, v.Status.OVERDUE, at)
                late = [store.get(conn, SENT, r["id"]) or r for r in late]
            return [self._shown(conn, r) for r in late]

    # -- the issuing side ------------------------------------------------------------------------

    def receive_request(
        self, conn: sa.Connection, env: Envelope, at: dt.datetime
    ) -> dict[str, Any]:
        """A partner's request about a certificate issued here for it (inbox)."""
        data = v.RequestMessage.model_validate(env.payload)
        cert = issued_store.certificate(conn, data.number)
        if cert is None or cert["importing_country"] != env.sender:
            raise Refused(
                "bad_payload", f"no certificate {data.number} was issued here for {env.sender}", 422
            )
        if not data.reference.startswith(f"{env.sender}-V-"):
            raise Refused(
                "bad_payload", f"{data.reference} is not a reference of {env.sender}", 422
            )
        held = store.by_reference(conn, RECEIVED, data.reference)
        if held is not None:
            return {"verification": data.reference, "status": held["status"]}
        store.add(conn, {
            "side": RECEIVED, "reference": data.reference, "number": data.number,
            "issuer": self.administration, "requester": env.sender, "agreement": data.agreement,
            "reason": data.reason, "documents": list(data.documents),
            "requested_on": data.requested_on, "deadline": data.deadline,
            "status": v.Status.OPEN, "requested_at": at, "requested_by": env.sender,
        })  # fmt: skip
        return {"verification": data.reference, "status": v.Status.OPEN}

    def answer(
        self, principal: Principal, verification_id: int, answer: v.VerificationAnswer
    ) -> dict[str, Any]:
        """The issuing origin officer's answer, sent back to the requesting partner."""
        if not principal.certifies_origin:
            raise Forbidden("verification requests are answered by origin officers")
        at = self.clock()
        with writing(self.engine) as conn:
            row = store.get(conn, RECEIVED, verification_id, for_update=True)
            if row is None:
                raise NotFound(f"no verification request {verification_id} received")
            if row["status"] != v.Status.OPEN:
                raise Conflict(f"verification {row['reference']} is already {row['status']}")
            status = v.Status(answer.result.value)
            values = {"status": status, "findings": answer.findings, "answered_at": at,
                      "answered_by": principal.name}  # fmt: skip
            store.close(conn, row["id"], values)
            payload = {
                "reference": row["reference"], "number": row["number"], "result": status.value,
                "findings": answer.findings, "answered_on": self.today(at).isoformat(),
            }  # fmt: skip
            self.enqueue(
                conn, row["requester"], ORIGIN_VERIFICATION_ANSWER, row["reference"], payload, at
            )
            return self._shown(conn, {**row, **values})

    # -- reading ---------------------------------------------------------------------------------

    def listing(
        self,
        principal: Principal,
        side: str | None,
        *,
        overdue: bool = False,
        status: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """One side's requests, newest first. Reading the requests sent closes the overdue ones
        first (the node's clock decides), so what is listed is as of now."""
        side = _reader(principal, side)
        if side == SENT:
            self.overdue(apply=True)
        with reading(self.engine) as conn:
            past = self.today() if overdue else None
            rows = store.listing(conn, side, status=status, past=past, limit=limit)
            return [self._shown(conn, r) for r in rows]

    def show(self, principal: Principal, side: str | None, verification_id: int) -> dict[str, Any]:
        side = _reader(principal, side)
        with reading(self.engine) as conn:
            row = store.get(conn, side, verification_id)
            if row is None:
                raise NotFound(f"no verification {verification_id} {side}")
            return self._shown(conn, row)

    def _shown(self, conn: sa.Connection, row: dict[str, Any]) -> dict[str, Any]:
        today = self.today()
        out = {
            **{k: row[k] for k in ("id", "side", "reference", "number", "issuer", "requester",
                                   "agreement", "reason", "documents", "findings")},
            "status": str(row["status"]),
            "requested_on": row["requested_on"].isoformat(),
            "deadline": row["deadline"].isoformat(),
            "overdue": v.is_overdue(row["status"], row["deadline"], today),
            "requested_by": row["requested_by"],
            "answered_at": _iso(row.get("answered_at")),
            "answered_by": row.get("answered_by"),
        }  # fmt: skip
        if row["side"] == SENT:
            out["recovered"] = format(Decimal(str(row.get("recovered") or 0)), "f")
            out["recoveries"] = [
                {"mrn": r["mrn"], "status": r["status"], "version": r["version"],
                 "amount": format(Decimal(str(r["amount"])), "f"), "at": _iso(r["at"])}
                for r in store.recoveries(conn, row["id"])
            ]  # fmt: skip
        return out


def _customs(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("verification requests are opened by customs officers")


def _reader(principal: Principal, side: str | None) -> str:
    """The side asked for (by default the principal's own), if the principal may read it."""
    if side is None:
        side = RECEIVED if principal.role is Role.ORIGIN_OFFICER else SENT
    if side == SENT and not principal.is_staff:
        raise Forbidden("the verification requests sent are for customs officers")
    if side == RECEIVED and not principal.certifies_origin:
        raise Forbidden("the verification requests received are for origin officers")
    return side


def _invalid(where: str, code: str, detail: str) -> InvalidRequest:
    return InvalidRequest([FieldError(where, code, detail)])


def _iso(at: dt.datetime | None) -> str | None:
    return None if at is None else at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
