"""Paying: the trader records the payment it made (its bank's reference) or the guarantee it
draws on, for what is due; customs confirm it where the administration requires.

A claim is the trader's word: it secures nothing until it is recorded on the
declaration's account by the declarations' own use case (``record_payment``,
which releases green goods once secured). With ``SILKGATE_PORTAL_PAYMENTS_
CONFIRMED=true`` (the default) an officer confirms each claim (the bank's
statement, the guarantee's register); with ``false`` the node records it at
once, in the trader's name.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.commands import PaymentBody
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.store import declarations as declaration_store
from silkgate.store import portal as store
from silkgate.store.db import reading, writing

Record = Callable[[Principal, str, PaymentBody], dict[str, Any]]
Account = Callable[[Principal, str], dict[str, Any]]


class Payments:
    def __init__(
        self,
        engine: sa.Engine,
        clock: Clock,
        *,
        record: Record,
        account: Account,
        confirmed: bool,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.record = record
        self.account = account
        self.confirmed = confirmed

    def claim(self, principal: Principal, mrn: str, kind: str, reference: str) -> dict[str, Any]:
        """The trader's payment or guarantee for what is still to secure on ``mrn``."""
        if principal.role is not Role.DECLARANT:
            raise Forbidden("only the declarant records a payment it made")
        account = self.account(principal, mrn)  # NotFound for another trader's
        owed = Decimal(account["due"] if kind == "payment" else account["unsecured"])
        if owed <= 0:
            raise Conflict("nothing is due on this declaration")
        body = parse(
            PaymentBody,
            {"kind": kind, "amount": owed, "currency": account["currency"], "reference": reference},
        )
        at = self.clock()
        with writing(self.engine) as conn:
            d = declaration_store.get(conn, mrn)
            assert d is not None  # the account was just read
            claim_id = store.add_claim(
                conn,
                {
                    "declaration_id": d.id, "mrn": mrn, "party_id": d.declarant_id,
                    "kind": body.kind, "amount": body.amount, "currency": body.currency,
                    "reference": body.reference, "status": "claimed",
                    "claimed_at": at, "claimed_by": principal.name,
                },
            )  # fmt: skip
        if not self.confirmed:
            recorder = Principal(
                principal.id, f"{principal.name} (self-recorded)", Role.OFFICER, None
            )
            return self._confirm(recorder, claim_id)
        return {"id": claim_id, "status": "claimed", "amount": str(body.amount)}

    def confirm(self, principal: Principal, claim_id: int) -> dict[str, Any]:
        """An officer confirms a claim: it is recorded on the declaration's account."""
        if not principal.is_staff:
            raise Forbidden("customs staff confirm payments and guarantees")
        return self._confirm(principal, claim_id)

    def _confirm(self, principal: Principal, claim_id: int) -> dict[str, Any]:
        found = self._open(claim_id)
        body = PaymentBody(
            kind=found["kind"], amount=found["amount"], currency=found["currency"],
            reference=found["reference"],
        )  # fmt: skip
        account = self.record(principal, found["mrn"], body)
        with writing(self.engine) as conn:
            store.decide_claim(conn, claim_id, "confirmed", self.clock(), principal.name)
        return {"id": claim_id, "status": "confirmed", "account": account}

    def refuse(self, principal: Principal, claim_id: int) -> None:
        if not principal.is_staff:
            raise Forbidden("customs staff refuse payments and guarantees")
        self._open(claim_id)
        with writing(self.engine) as conn:
            store.decide_claim(conn, claim_id, "refused", self.clock(), principal.name)

    def _open(self, claim_id: int) -> dict[str, Any]:
        with reading(self.engine) as conn:
            found = store.claim(conn, claim_id)
        if found is None:
            raise NotFound(f"no payment {claim_id}")
        if found["status"] != "claimed":
            raise InvalidRequest(
                [FieldError("/claim", "decided", f"the payment is already {found['status']}")]
            )
        return found

    def of_declaration(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            d = declaration_store.get(conn, mrn)
            if d is None or not principal.may_see(d.declarant_id):
                return []
            return store.claims(conn, d.id)
