"""The preference withdrawn after a failed verification, and the duty recovered.

When the issuer does not confirm a certificate, or does not answer by the
deadline, every declaration whose items were given a preference on it gets a
new version (same document) assessed again at the general rate for those
items, in whatever status it is (released goods too: post-clearance
recovery). The difference is assessed, so the declaration's account shows it
due; the claims say why; the amount is recorded against the verification;
box 4 goes back to the issuer again, now "not given", with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.aggregate import Declaration
from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.journal_keys import JournalKeys
from silkgate.kernel.events import MessageBus
from silkgate.origin.claims import MATCHED, MISMATCH, WAITING, Verdict
from silkgate.origin.services.claims import Outbox, box_4
from silkgate.origin.verification import Status, withdrawal_reason
from silkgate.store import declarations as declaration_store
from silkgate.store import origin_claims as claims_store
from silkgate.store import origin_verifications as store
from silkgate.store import tariff as tariff_store
from silkgate.store.uow import AttachedUnitOfWork

Reassess = Callable[[DeclarationDocument, dt.date, Mapping[int, Verdict]], Any]
_PROOF_OF = {"given": MATCHED, "not_given": MISMATCH, "waiting": WAITING}
CODE_OF = {Status.NOT_CONFIRMED: "eco_not_confirmed", Status.OVERDUE: "eco_verification_overdue"}


class Withdrawal:
    """Withdraws the preferences given on a certificate, in the caller's transaction."""

    def __init__(
        self,
        *,
        bus: MessageBus,
        journal_keys: JournalKeys,
        reassess: Reassess,
        outbox: Outbox | None = None,
        zone: dt.tzinfo = dt.UTC,
    ) -> None:
        self.bus = bus
        self.outbox = outbox  # box 4 to the issuer
        self.journal_keys = journal_keys
        self.reassess = reassess
        self.zone = zone

    def withdraw(
        self, conn: sa.Connection, request: dict[str, Any], status: Status, at: dt.datetime
    ) -> Decimal:
        """Withdraw the preference on every declaration that used ``request``'s certificate;
        the total recovered."""
        reason = withdrawal_reason(request["reference"], status)
        total = Decimal(0)
        for declaration_id, items in store.given_on(conn, request["number"]).items():
            amount, version = self._one(conn, request, declaration_id, items, (status, reason), at)
            store.add_recovery(conn, {
                "verification_id": request["id"], "declaration_id": declaration_id,
                "version": version, "amount": amount, "at": at,
            })  # fmt: skip
            total += amount
        store.add_recovered(conn, request["id"], total)
        return total

    def _one(
        self,
        conn: sa.Connection,
        request: dict[str, Any],
        declaration_id: int,
        items: list[int],
        why: tuple[Status, str],
        at: dt.datetime,
    ) -> tuple[Decimal, int]:
        """One declaration: a new version at the general rate for ``items``; the difference."""
        status, reason = why
        d = declaration_store.get_by_id(conn, declaration_id, for_update=True)
        assert d is not None
        raw = declaration_store.document(conn, d.id, d.version)
        doc = DeclarationDocument.model_validate(raw)
        on = d.lodged_at.astimezone(self.zone).date()
        uow = AttachedUnitOfWork(conn, self.bus, self.journal_keys)
        before = uow.accounts.assessed_total(d.id, d.version) or Decimal(0)
        claims = claims_store.claims_of(conn, d.id)
        withdrawn = {
            c["item"]: Verdict(c["item"], c["number"], MISMATCH, CODE_OF[status], reason, c["line"])
            for c in claims
            if c["item"] in items
        }
        proofs = {c["item"]: _verdict_of(c) for c in claims} | withdrawn
        assessment = self.reassess(doc, on, proofs)
        declaration = Declaration(d)
        declaration.withdraw_preference(at=at, actor="origin verification", reason=reason)
        declaration_store.add_version(conn, declaration, doc, at, "origin verification", reason)
        tariff_store.insert_assessments(conn, [{
            "declaration_id": d.id, "version": declaration.version, "assessed_at": at,
            **tariff_store.assessment_row(assessment),
        }])  # fmt: skip
        total = assessment.total("total")
        declaration.assessed(
            f"duties and taxes {total} {assessment.currency} at the general rate for item(s) "
            f"{', '.join(map(str, sorted(withdrawn)))} ({reason})",
            at,
        )
        withheld = {i.seq: i.preference_withheld for i in assessment.items}
        for c in claims:
            if c["item"] in withdrawn:
                claims_store.close_claim(conn, c["id"], {
                    "version": declaration.version, "proof": MISMATCH, "treatment": "not_given",
                    "reason_code": CODE_OF[status], "reason": reason,
                    "difference": withheld.get(c["item"]) or Decimal(0), "decided_at": at,
                })  # fmt: skip
        uow.collect(*declaration.take_events())
        uow.settle()
        if self.outbox is not None:
            decided_on = at.astimezone(self.zone).date().isoformat()
            self.outbox(
                conn,
                [box_4(request["issuer"], d.mrn, v, decided_on) for v in withdrawn.values()],
                at,
            )
        return Decimal(total) - Decimal(before), declaration.version


def _verdict_of(claim: dict[str, Any]) -> Verdict:
    """A claim as stored, as the verdict the assessment needs."""
    return Verdict(
        claim["item"],
        claim["number"],
        _PROOF_OF.get(claim["treatment"], MISMATCH),
        claim["reason_code"],
        claim["reason"],
        claim["line"],
    )
