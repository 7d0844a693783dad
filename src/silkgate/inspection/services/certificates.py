"""Certificates and partners' results on a declaration's joint inspection: ePhyto, recognition."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from silkgate.inspection import rules
from silkgate.kernel.actors import SYSTEM, Principal, Role
from silkgate.kernel.clock import Clock
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.store import inspection as store
from silkgate.store import journal
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
        from silkgate.declarations.document import DeclarationDocument
        from silkgate.sps import ephyto
        from silkgate.store import declarations as declaration_store

        try:
            cert = ephyto.parse(data)
        except ephyto.MalformedCertificate as exc:
            raise InvalidRequest([FieldError("", "malformed_certificate", str(exc))]) from None
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            d = declaration_store.get(conn, mrn, for_update=True)
            if d is None:
                raise NotFound(f"no declaration {mrn}")
            if not (principal.may_see(d.declarant_id)):
                raise Forbidden("this declaration was lodged by another declarant")
            if principal.role is Role.ANALYST:
                raise Forbidden("certificates are attached by the declarant or inspectors")
            doc = DeclarationDocument.model_validate(
                declaration_store.document(conn, d.id, d.version)
            )
            mismatches = ephyto.match(cert, doc, self.administration, at.date())
            for earlier in store.certificates_numbered(conn, cert.number):
                if earlier["declaration_id"] != d.id:
                    used = f"not used before (used for {earlier['mrn']})"
                    mismatches.append(ephyto.Mismatch("number", cert.number, used))
                elif earlier["status_code"] == ephyto.WITHDRAWN:
                    never = "a certificate never withdrawn"
                    mismatches.append(ephyto.Mismatch("status", "withdrawn earlier", never))
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
            task = store.task_of(conn, d.id)
            if task is not None and task["status"] == "open":
                if mismatches:
                    for m in mismatches:
                        store.add_check(
                            conn,
                            task["id"],
                            service="sps",
                            check="certificate",
                            item_seq=None,
                            description=f"ePhyto {cert.number}: {m}"[:500],
                        )
                else:
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
                                conn,
                                task["id"],
                                c["seq"],
                                status="compliant",
                                finding={"note": f"ePhyto {cert.number} matches the declaration"},
                                recorded_by=SYSTEM,
                                recorded_at=at,
                            )
            journal.append(
                conn,
                journal.Event(
                    at=at,
                    actor=principal.name,
                    event="ephyto",
                    declaration_id=d.id,
                    mrn=d.mrn,
                    version=d.version,
                    reason=f"certificate {cert.number}: "
                    + (
                        "matches the declaration"
                        if not mismatches
                        else f"{len(mismatches)} mismatch(es)"
                    ),
                ),
            )
        return {
            "mrn": mrn,
            "certificate": cert.as_json(),
            "matches": not mismatches,
            "mismatches": [m.as_json() for m in mismatches],
        }

    def partner_result(self, principal: Principal, mrn: str, raw: Any) -> dict[str, Any]:
        """A partner administration's inspection result for these goods (recorded now through
        the API; later it arrives by exchange between nodes).

        A compliant result satisfies each open check of the joint inspection
        that a recognition arrangement with that partner covers; the check
        says so. A non-compliant result is journaled and leaves the checks
        open for this administration's own inspection.
        """
        from silkgate.store import declarations as declaration_store

        rules.worker(principal)
        errors: list[FieldError] = []
        if not isinstance(raw, dict):
            raise InvalidRequest([FieldError("", "invalid", "send a JSON object")])
        partner = raw.get("administration")
        if not (isinstance(partner, str) and partner in self.countries):
            errors.append(FieldError("/administration", "invalid", "an ISO country code, e.g. VN"))
        elif partner == self.administration:
            errors.append(
                FieldError("/administration", "invalid", "a partner administration, not this one")
            )
        reference = raw.get("reference")
        if not isinstance(reference, str) or not 1 <= len(reference.strip()) <= 70:
            errors.append(
                FieldError("/reference", "invalid", "the partner's reference, 1 to 70 characters")
            )
        result = raw.get("result")
        if result not in rules.STATUSES:
            errors.append(FieldError("/result", "invalid", "compliant or non_compliant"))
        checks = raw.get("checks")
        known = sorted({c for _, c in rules.KNOWN_CHECKS})
        if not (isinstance(checks, list) and checks and all(c in known for c in checks)):
            errors.append(
                FieldError(
                    "/checks", "invalid", f"the checks the partner did, among {', '.join(known)}"
                )
            )
        inspected = raw.get("inspected_on")
        try:
            if dt.date.fromisoformat(str(inspected)) > self.clock().date():
                errors.append(FieldError("/inspected_on", "invalid", "is in the future"))
        except ValueError:
            errors.append(FieldError("/inspected_on", "invalid", "a date (YYYY-MM-DD)"))
        unknown = sorted(
            set(raw) - {"administration", "reference", "result", "checks", "inspected_on", "note"}
        )
        errors.extend(
            FieldError(f"/{k}", "unknown_field", "is not a field of a result") for k in unknown
        )
        if errors:
            raise InvalidRequest(errors)
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            d = declaration_store.get(conn, mrn, for_update=True)
            if d is None:
                raise NotFound(f"no declaration {mrn}")
            satisfied = self.apply_partner_result(
                conn,
                d,
                partner=partner,
                raw=raw,
                actor=principal.name,
                at=at,
                may_record=lambda service: rules.may_record(principal, service),
            )
        return {
            "mrn": mrn,
            "administration": partner,
            "result": result,
            "satisfied_checks": satisfied,
        }

    def apply_partner_result(
        self,
        conn: sa.Connection,
        d: Any,
        *,
        partner: str,
        raw: dict[str, Any],
        actor: str,
        at: dt.datetime,
        may_record: Callable[[str], bool] = lambda service: True,
    ) -> list[int]:
        """Apply a (checked) partner result; see :func:`apply_partner_result`."""
        return apply_partner_result(
            conn, d, partner=partner, raw=raw, actor=actor, at=at, may_record=may_record
        )

    def certificates(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        from silkgate.store import declarations as declaration_store

        with reading(self.engine) as conn:
            d = declaration_store.get(conn, mrn)
            if d is None or not principal.may_see(d.declarant_id):
                raise NotFound(f"no declaration {mrn}")
            return store.certificates(conn, d.id)


def apply_partner_result(
    conn: sa.Connection,
    d: Any,
    *,
    partner: str,
    raw: dict[str, Any],
    actor: str,
    at: dt.datetime,
    may_record: Callable[[str], bool] = lambda service: True,
) -> list[int]:
    """Apply a (checked) partner result to the declaration's joint inspection.

    Used by the API (an officer records it) and by exchange (the partner's
    node sent it); the checks it satisfies, by number.
    """
    from silkgate.declarations.document import DeclarationDocument
    from silkgate.inspection.recognition import recognised
    from silkgate.store import declarations as declaration_store

    result, checks = raw["result"], raw["checks"]
    reference, inspected = raw["reference"], raw["inspected_on"]
    satisfied: list[int] = []
    task = store.task_of(conn, d.id)
    doc = DeclarationDocument.model_validate(declaration_store.document(conn, d.id, d.version))
    # A partner inspects goods it exported: from its territory, or of its origin.
    involved = partner == doc.transport.dispatch_country or any(
        i.origin == partner for i in doc.items
    )
    if task is not None and task["status"] == "open" and result == "compliant" and involved:
        for c in store.checks(conn, task["id"]):
            arrangement = recognised(partner, c["service"], c["check"])
            # Each service accepts partner results for its own checks only.
            if (
                c["status"] == "open"
                and c["check"] in checks
                and arrangement
                and may_record(c["service"])
            ):
                store.record(
                    conn,
                    task["id"],
                    c["seq"],
                    status="compliant",
                    finding={
                        "kind": "recognised",
                        "note": f"{partner} result {reference} of {inspected}, "
                        f"recognised under {arrangement.name}",
                    },
                    recorded_by=f"partner {partner}",
                    recorded_at=at,
                )
                satisfied.append(c["seq"])
    journal.append(
        conn,
        journal.Event(
            at=at,
            actor=actor,
            event="partner_result",
            declaration_id=d.id,
            mrn=d.mrn,
            version=d.version,
            reason=f"{partner} {reference} ({inspected}): {result}, checks "
            f"{', '.join(checks)}; satisfies {len(satisfied)} check(s) here",
        ),
    )
    return satisfied


class RecognisedResults:
    """Partners' results applied to joint inspections (what exchange needs of inspection)."""

    def apply_partner_result(
        self,
        conn: sa.Connection,
        d: Any,
        *,
        partner: str,
        raw: dict[str, Any],
        actor: str,
        at: dt.datetime,
    ) -> list[int]:
        return apply_partner_result(conn, d, partner=partner, raw=raw, actor=actor, at=at)
