"""Certificates and partners' results on a declaration's joint inspection: ePhyto, recognition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.inspection import rules
from silkgate.inspection.commands import PartnerInspectionResult
from silkgate.inspection.recognition import recognised
from silkgate.kernel.actors import SYSTEM, Principal, Role
from silkgate.kernel.clock import Clock
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.kernel.events import JournalNote, Noted
from silkgate.sps import ephyto
from silkgate.store import declarations as declaration_store
from silkgate.store import inspection as store
from silkgate.store.db import reading


class Certificates:
    """The quarantine certificates and partner results of a declaration's inspection."""

    engine: sa.Engine
    unit_of_work: Any
    clock: Clock
    administration: str
    countries: frozenset[str]

    def attach_ephyto(self, principal: Principal, mrn: str, data: bytes) -> dict[str, Any]:
        """Read an ePhyto certificate, match it with the declaration, keep it.

        A clean match records the inspection's certificate check as compliant;
        each mismatch (and a withdrawn certificate) becomes an open SPS check
        of the inspection for the quarantine service to resolve.
        """
        try:
            cert = ephyto.parse(data)
        except ephyto.MalformedCertificate as exc:
            raise InvalidRequest([FieldError("", "malformed_certificate", str(exc))]) from None
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            d = _visible(conn, principal, mrn)
            if principal.role is Role.ANALYST:
                raise Forbidden("certificates are attached by the declarant or inspectors")
            doc = DeclarationDocument.stored(declaration_store.document(conn, d.id, d.version))
            mismatches = self._mismatches(conn, cert, doc, d.id, at)
            store.add_certificate(
                conn,
                declaration_id=d.id,
                number=cert.number[:70],
                status_code=cert.status_code[:4],
                certificate=cert.as_json(),
                mismatches=[m.as_json() for m in mismatches],
                xml=data.decode("utf-8", "replace"),
                attached_at=at,
                attached_by=principal.name,
            )
            _settle_certificate_checks(conn, d.id, cert.number, mismatches, at)
            found = (
                "matches the declaration" if not mismatches else f"{len(mismatches)} mismatch(es)"
            )
            uow.collect(
                Noted.of(
                    JournalNote(at, principal.name, "ephyto", d.id, d.mrn, d.version,
                                reason=f"certificate {cert.number}: {found}")
                )
            )  # fmt: skip
        return {
            "mrn": mrn,
            "certificate": cert.as_json(),
            "matches": not mismatches,
            "mismatches": [m.as_json() for m in mismatches],
        }

    def _mismatches(
        self,
        conn: sa.Connection,
        cert: ephyto.Certificate,
        doc: DeclarationDocument,
        declaration_id: int,
        at: dt.datetime,
    ) -> list[ephyto.Mismatch]:
        """What does not match: the certificate against the declaration, and against its past."""
        mismatches = ephyto.match(cert, doc, self.administration, at.date())
        for earlier in store.certificates_numbered(conn, cert.number):
            if earlier["declaration_id"] != declaration_id:
                # Never which declaration: that would tell a trader another's MRN.
                used = "not used before (it was presented with another declaration)"
                mismatches.append(ephyto.Mismatch("number", cert.number, used))
            elif earlier["status_code"] == ephyto.WITHDRAWN:
                never = "a certificate never withdrawn"
                mismatches.append(ephyto.Mismatch("status", "withdrawn earlier", never))
        return mismatches

    def partner_result(
        self, principal: Principal, mrn: str, result: PartnerInspectionResult
    ) -> dict[str, Any]:
        """A partner administration's inspection result for these goods (recorded through the
        API; between nodes it arrives by exchange).

        A compliant result satisfies each open check of the joint inspection
        that a recognition arrangement with that partner covers; the check
        says so. A non-compliant result is journaled and leaves the checks
        open for this administration's own inspection.
        """
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            d = _visible(conn, principal, mrn)
            rules.worker(principal)
            self._check_partner(result, at.date())
            satisfied, note = apply_partner_result(
                conn,
                d,
                partner=result.administration,
                raw=result.as_json(),
                actor=principal.name,
                at=at,
                may_record=lambda service: rules.may_record(principal, service),
            )
            uow.collect(Noted.of(note))
        return {
            "mrn": mrn,
            "administration": result.administration,
            "result": result.result,
            "satisfied_checks": satisfied,
        }

    def _check_partner(self, result: PartnerInspectionResult, today: dt.date) -> None:
        """What this node knows of a partner's result: the partner, and the day it inspected."""
        errors: list[FieldError] = []
        if result.administration not in self.countries:
            errors.append(FieldError("/administration", "invalid", "an ISO country code, e.g. VN"))
        elif result.administration == self.administration:
            errors.append(
                FieldError("/administration", "invalid", "a partner administration, not this one")
            )
        if result.inspected_on > today:
            errors.append(FieldError("/inspected_on", "invalid", "is in the future"))
        if errors:
            raise InvalidRequest(errors)

    def certificates(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            d = declaration_store.get(conn, mrn)
            if d is None or not principal.may_see(d.declarant_id):
                raise NotFound(f"no declaration {mrn}")
            return store.certificates(conn, d.id)


def _visible(
    conn: sa.Connection, principal: Principal, mrn: str
) -> declaration_store.StoredDeclaration:
    """The declaration ``mrn``, locked, if ``principal`` may see it; not found otherwise
    (another trader's declaration is not found either: a refusal would say it exists)."""
    d = declaration_store.get(conn, mrn, for_update=True)
    if d is None or not principal.may_see(d.declarant_id):
        raise NotFound(f"no declaration {mrn}")
    return d


def _settle_certificate_checks(
    conn: sa.Connection,
    declaration_id: int,
    number: str,
    mismatches: list[ephyto.Mismatch],
    at: dt.datetime,
) -> None:
    """A mismatch opens an SPS check; a clean match records the requirement's own check."""
    task = store.task_of(conn, declaration_id)
    if task is None or task["status"] != "open":
        return
    for m in mismatches:
        store.add_check(
            conn, task["id"], service="sps", check="certificate", item_seq=None,
            description=f"ePhyto {number}: {m}"[:500],
        )  # fmt: skip
    if mismatches:
        return
    for c in store.checks(conn, task["id"]):
        # Only the requirement's own check: a mismatch found on an earlier
        # certificate stays for the quarantine service to resolve.
        if (
            c["service"] == "sps"
            and c["check"] == "certificate"
            and c["status"] == "open"
            and not c["description"].startswith("ePhyto ")
        ):
            store.record(
                conn, task["id"], c["seq"], status="compliant",
                finding={"note": f"ePhyto {number} matches the declaration"},
                recorded_by=SYSTEM, recorded_at=at,
            )  # fmt: skip


def apply_partner_result(
    conn: sa.Connection,
    d: declaration_store.StoredDeclaration,
    *,
    partner: str,
    raw: dict[str, Any],
    actor: str,
    at: dt.datetime,
    may_record: Callable[[str], bool] = lambda service: True,
) -> tuple[list[int], JournalNote]:
    """Apply a (checked) partner result to the declaration's joint inspection.

    Used by the API (an officer records it) and by exchange (the partner's
    node sent it): the checks it satisfies, by number, and the journal note
    for the caller to journal.
    """
    result, checks = raw["result"], raw["checks"]
    reference, inspected = raw["reference"], raw["inspected_on"]
    satisfied: list[int] = []
    task = store.task_of(conn, d.id)
    doc = DeclarationDocument.stored(declaration_store.document(conn, d.id, d.version))
    # A partner inspects goods it exported: from its territory, or of its origin.
    involved = partner == doc.transport.dispatch_country or any(
        i.origin == partner for i in doc.items
    )
    if task is not None and task["status"] == "open" and result == "compliant" and involved:
        for c in store.checks(conn, task["id"]):
            arrangement = recognised(partner, c["service"], c["check"])
            # Each service accepts partner results for its own checks only.
            if c["status"] != "open" or c["check"] not in checks or not arrangement:
                continue
            if not may_record(c["service"]):
                continue
            note = (
                f"{partner} result {reference} of {inspected}, recognised under {arrangement.name}"
            )
            store.record(
                conn, task["id"], c["seq"], status="compliant",
                finding={"kind": "recognised", "note": note},
                recorded_by=f"partner {partner}", recorded_at=at,
            )  # fmt: skip
            satisfied.append(c["seq"])
    reason = (
        f"{partner} {reference} ({inspected}): {result}, checks "
        f"{', '.join(checks)}; satisfies {len(satisfied)} check(s) here"
    )
    return satisfied, JournalNote(
        at, actor, "partner_result", d.id, d.mrn, d.version, reason=reason
    )


class RecognisedResults:
    """Partners' results applied to joint inspections (what exchange needs of inspection)."""

    def apply_partner_result(
        self,
        conn: sa.Connection,
        d: declaration_store.StoredDeclaration,
        *,
        partner: str,
        raw: dict[str, Any],
        actor: str,
        at: dt.datetime,
    ) -> tuple[list[int], JournalNote]:
        return apply_partner_result(conn, d, partner=partner, raw=raw, actor=actor, at=at)
