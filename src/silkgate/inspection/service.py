"""The joint inspection use cases: plan a task at lodging, work its checklist, complete it.

Customs officers record the customs checks and SPS inspectors the quarantine
checks of the same task; each result is journaled on the declaration. The
goods are released only once the task is complete (and the duties secured).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from silkgate.inspection.checklist import Service, checklist, needs_inspection
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.store import inspection as store
from silkgate.store import journal
from silkgate.store.db import reading, writing

STATUSES = ("compliant", "non_compliant")
SYSTEM = "silkgate"


def plan(
    conn: sa.Connection,
    *,
    declaration_id: int,
    mrn: str,
    version: int,
    office: str,
    channel: str,
    sps_requirements: list[dict[str, Any]],
    at: dt.datetime,
) -> journal.Event | None:
    """Create the declaration's task if its channel or an SPS requirement calls for one.

    Runs inside the transaction that stores the selection; returns the journal
    event to append, or None when no inspection is needed (or one is planned).
    """
    if not needs_inspection(channel, sps_requirements) or store.task_of(conn, declaration_id):
        return None
    checks = checklist(channel, sps_requirements)
    store.create(conn, declaration_id, office, [c.as_row(i) for i, c in enumerate(checks, 1)], at)
    services = sorted({c.service.value for c in checks})
    return journal.Event(
        at=at,
        actor=SYSTEM,
        event="inspection_planned",
        declaration_id=declaration_id,
        mrn=mrn,
        version=version,
        reason=f"joint inspection ({' + '.join(services)}), {len(checks)} checks at {office}",
    )


def _worker(principal: Principal) -> None:
    if not (principal.is_staff or principal.role is Role.SPS_INSPECTOR):
        raise Forbidden("inspections are worked by customs officers and SPS inspectors")


def _may_record(principal: Principal, service: str) -> bool:
    if principal.role is Role.ADMIN:
        return True
    if service == Service.SPS.value:
        return principal.role is Role.SPS_INSPECTOR
    return principal.role is Role.OFFICER


def _json_task(task: dict[str, Any], checks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat().replace("+00:00", "Z") if value else None

    out = {
        "id": task["id"],
        "mrn": task["mrn"],
        "office": task["office"],
        "status": task["status"],
        "channel": task.get("channel"),
        "officer": task["officer"],
        "sps_inspector": task["sps_inspector"],
        "created_at": when(task["created_at"]),
        "started_at": when(task["started_at"]),
        "completed_at": when(task["completed_at"]),
        "result": task["result"],
    }
    if checks is not None:
        out["checks"] = [
            {
                "seq": c["seq"],
                "service": c["service"],
                "check": c["check"],
                "item": c["item_seq"],
                "description": c["description"],
                "status": c["status"],
                "finding": c["finding"],
                "recorded_by": c["recorded_by"],
                "recorded_at": when(c["recorded_at"]),
            }
            for c in checks
        ]
    return out


# What an inspector may find, by kind. Corrections change the declaration and its duties.
CORRECTIONS = frozenset({"quantity", "value", "classification", "origin"})
CUSTOMS_FINDINGS = CORRECTIONS | {"documents", "description", "other"}
SPS_FINDINGS = frozenset({"certificate", "pest", "lab", "treatment", "prohibited", "other"})


# Every check a checklist can hold, as (service, check).
KNOWN_CHECKS = frozenset(
    {("customs", c) for c in ("documents", "quantity", "description", "classification", "value")}
    | {("customs", "origin")}
    | {("sps", c) for c in ("certificate", "samples", "treatment", "pests", "prohibited")}
)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _finding_errors(finding: dict[str, Any]) -> list[FieldError]:
    errors = []
    note = finding.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 500):
        errors.append(FieldError("/finding/note", "invalid", "text of at most 500 characters"))
    corrected = finding.get("corrected")
    if corrected is not None:
        if finding.get("kind") not in CORRECTIONS:
            errors.append(
                FieldError(
                    "/finding/corrected",
                    "invalid",
                    "only a quantity, value, classification or origin finding corrects it",
                )
            )
        elif not isinstance(corrected, dict) or not corrected:
            errors.append(FieldError("/finding/corrected", "invalid", "the corrected fields"))
    pest = finding.get("pest")
    if finding.get("kind") == "pest" and (
        not isinstance(pest, dict) or not str(pest.get("scientific_name") or "").strip()
    ):
        errors.append(
            FieldError("/finding/pest/scientific_name", "missing", "name the pest intercepted")
        )
    if finding.get("kind") == "lab":
        lab = finding.get("lab")
        if not isinstance(lab, dict) or not str(lab.get("test") or "").strip():
            errors.append(
                FieldError("/finding/lab/test", "missing", "name the test (e.g. Salmonella)")
            )
        else:
            for key in ("result", "limit"):
                try:
                    Decimal(str(lab.get(key)))
                except (InvalidOperation, ValueError):
                    errors.append(
                        FieldError(
                            f"/finding/lab/{key}", "invalid", "a number, in the standard's unit"
                        )
                    )
    return errors


class InspectionService:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        # Set by the node: corrections go through the declaration service (a new
        # version, reassessed), outcomes through the risk service (its feedback).
        self.declarations: Any = None
        self.risk: Any = None
        self.administration = "CN"
        self.clock = _utc_now  # the simulation replaces it with its own
        self.countries: frozenset[str] = frozenset()  # set by the node
        self.trade: Any = None  # exchange with partners (results of export inspections)

    def queue(
        self,
        principal: Principal,
        *,
        office: str | None = None,
        status: str | None = "open",
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        _worker(principal)
        with reading(self.engine) as conn:
            tasks = store.queue(conn, office=office, status=status, limit=limit)
        return [_json_task(t) for t in tasks]

    def get(self, principal: Principal, task_id: int) -> dict[str, Any]:
        _worker(principal)
        with reading(self.engine) as conn:
            task = store.task(conn, task_id)
            if task is None:
                raise NotFound(f"no inspection task {task_id}")
            return _json_task(task, store.checks(conn, task_id))

    def of_declaration(self, conn: sa.Connection, declaration_id: int) -> dict[str, Any] | None:
        task = store.task_of(conn, declaration_id)
        if task is None:
            return None
        task = store.task(conn, task["id"])
        assert task is not None
        return _json_task(task, store.checks(conn, task["id"]))

    def assign(self, principal: Principal, task_id: int, raw: Any) -> dict[str, Any]:
        """Assign the task to an officer and/or an SPS inspector (by user name)."""
        _worker(principal)
        if not isinstance(raw, dict) or not set(raw) <= {"officer", "sps_inspector"} or not raw:
            raise InvalidRequest(
                [FieldError("", "invalid", "send an officer and/or an sps_inspector (user names)")]
            )
        from silkgate.store import principals as principal_store

        with writing(self.engine) as conn:
            task = store.task(conn, task_id, for_update=True)
            if task is None:
                raise NotFound(f"no inspection task {task_id}")
            if task["status"] != "open":
                raise Conflict(f"the inspection is {task['status']}")
            wanted = {"officer": (Role.OFFICER, Role.ADMIN), "sps_inspector": (Role.SPS_INSPECTOR,)}
            errors = []
            for key, name in raw.items():
                user = principal_store.find_principal(conn, str(name))
                if user is None or user.role not in wanted[key]:
                    errors.append(
                        FieldError(
                            f"/{key}",
                            "invalid",
                            f"{name!r} is not a user with the role {wanted[key][0].value}",
                        )
                    )
            if errors:
                raise InvalidRequest(errors)
            store.update_task(conn, task_id, **{k: str(v)[:80] for k, v in raw.items()})
        return self.get(principal, task_id)

    def record(self, principal: Principal, task_id: int, seq: int, raw: Any) -> dict[str, Any]:
        """The result of one check: compliant or not, with the finding (a note, figures)."""
        _worker(principal)
        errors: list[FieldError] = []
        if not isinstance(raw, dict):
            raise InvalidRequest([FieldError("", "invalid", "send a JSON object")])
        status = raw.get("status")
        if status not in STATUSES:
            errors.append(FieldError("/status", "invalid", "compliant or non_compliant"))
        finding = raw.get("finding")
        if finding is not None and not isinstance(finding, dict):
            errors.append(FieldError("/finding", "invalid", 'an object, e.g. {"note": "..."}'))
        if status == "non_compliant" and not finding:
            errors.append(FieldError("/finding", "missing", "say what was found"))
        elif status == "non_compliant" and isinstance(finding, dict):
            if not finding.get("kind"):
                errors.append(FieldError("/finding/kind", "missing", "what kind of finding"))
            if not str(finding.get("note") or "").strip():
                errors.append(FieldError("/finding/note", "missing", "say what was found"))
        if (
            status == "compliant"
            and isinstance(finding, dict)
            and finding.get("kind")
            not in (
                None,
                "other",
            )
        ):
            errors.append(
                FieldError("/finding/kind", "inconsistent", "a compliant check has no finding")
            )
        if isinstance(finding, dict):
            errors.extend(_finding_errors(finding))
        if errors:
            raise InvalidRequest(errors)
        at = self.clock()
        with writing(self.engine) as conn:
            task = store.task(conn, task_id, for_update=True)
            if task is None:
                raise NotFound(f"no inspection task {task_id}")
            if task["status"] == "completed":
                raise Conflict("the inspection is completed; its results cannot change")
            check = next((c for c in store.checks(conn, task_id) if c["seq"] == seq), None)
            if check is None:
                raise NotFound(f"inspection task {task_id} has no check {seq}")
            if check["status"] != "open":
                # A result (and a correction made with it) is part of the record: it is
                # not overwritten. A further finding is a new check or a decision.
                done = f"{check['status']} by {check['recorded_by']}"
                raise Conflict(f"check {seq} already has a result ({done})")
            if not _may_record(principal, check["service"]):
                who = "SPS inspectors" if check["service"] == "sps" else "customs officers"
                raise Forbidden(f"{check['service']} checks are recorded by {who}")
            kind = (finding or {}).get("kind")
            allowed = SPS_FINDINGS if check["service"] == "sps" else CUSTOMS_FINDINGS
            if kind is not None and kind not in allowed:
                raise InvalidRequest(
                    [
                        FieldError(
                            "/finding/kind",
                            "invalid",
                            f"a {check['service']} finding is one of {', '.join(sorted(allowed))}",
                        )
                    ]
                )
        if finding and finding.get("kind") in CORRECTIONS and finding.get("corrected"):
            # The declaration is corrected (a new version, reassessed) before the
            # result is recorded: a correction that does not validate records nothing.
            correction = self.declarations.correct(
                principal,
                task["mrn"],
                int(finding.get("item") or check["item_seq"] or 0),
                finding["corrected"],
                f"inspection finding: {finding.get('note') or finding['kind']}",
            )
            finding = {**finding, "revenue": correction["difference"]}
        with writing(self.engine) as conn:
            task = store.task(conn, task_id, for_update=True)
            assert task is not None
            if task["status"] == "completed":
                raise Conflict("the inspection is completed; its results cannot change")
            store.record(
                conn,
                task_id,
                seq,
                status=status,
                finding=finding,
                recorded_by=principal.name,
                recorded_at=at,
            )
            if task["started_at"] is None:
                store.update_task(conn, task_id, started_at=at)
            journal.append(
                conn,
                journal.Event(
                    at=at,
                    actor=principal.name,
                    event="inspection_check",
                    declaration_id=task["declaration_id"],
                    mrn=task["mrn"],
                    reason=f"{check['service']} {check['check']}: {status}"
                    + (f" ({(finding or {}).get('note', '')})" if finding else ""),
                ),
            )
        return self.get(principal, task_id)

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
        with writing(self.engine) as conn:
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

        _worker(principal)
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
        if result not in STATUSES:
            errors.append(FieldError("/result", "invalid", "compliant or non_compliant"))
        checks = raw.get("checks")
        known = sorted({c for _, c in KNOWN_CHECKS})
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
        with writing(self.engine) as conn:
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
                may_record=lambda service: _may_record(principal, service),
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

    def certificates(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        from silkgate.store import declarations as declaration_store

        with reading(self.engine) as conn:
            d = declaration_store.get(conn, mrn)
            if d is None or not principal.may_see(d.declarant_id):
                raise NotFound(f"no declaration {mrn}")
            return store.certificates(conn, d.id)

    def complete(self, principal: Principal, task_id: int) -> dict[str, Any]:
        """Close the task once every check has a result; the officer then decides."""
        _worker(principal)
        at = self.clock()
        with writing(self.engine) as conn:
            task = store.task(conn, task_id, for_update=True)
            if task is None:
                raise NotFound(f"no inspection task {task_id}")
            if task["status"] == "completed":
                raise Conflict("the inspection is already completed")
            checks = store.checks(conn, task_id)
            open_checks = [c for c in checks if c["status"] == "open"]
            if open_checks:
                raise Conflict(
                    "checks without a result: "
                    + ", ".join(f"{c['seq']} ({c['service']} {c['check']})" for c in open_checks)
                )
            failed = [c for c in checks if c["status"] == "non_compliant"]
            result = "findings" if failed else "compliant"
            store.update_task(conn, task_id, status="completed", completed_at=at, result=result)
            if self.trade is not None:
                # An export's result goes to the importing partner, in this transaction.
                self.trade.inspected(conn, task, checks, at)
            journal.append(
                conn,
                journal.Event(
                    at=at,
                    actor=principal.name,
                    event="inspected",
                    declaration_id=task["declaration_id"],
                    mrn=task["mrn"],
                    reason=f"joint inspection completed: {result}",
                ),
            )
        if self.risk is not None:
            # The result is the control's outcome: the risk model learns from it.
            revenue = sum(
                (Decimal((c["finding"] or {}).get("revenue") or "0") for c in failed), Decimal(0)
            )
            fraud = any(c["service"] == "customs" for c in failed)
            critical = any(
                c["service"] == "sps"
                and (c["finding"] or {}).get("kind") in ("pest", "lab", "prohibited")
                for c in failed
            )
            notes = "; ".join((c["finding"] or {}).get("note", "") for c in failed if c["finding"])
            self.risk.record_outcome(
                Principal(0, principal.name, Role.ADMIN, None),
                task["mrn"],
                {
                    "fraud": fraud or critical,
                    "critical": critical,
                    "revenue_recovered": str(max(revenue, Decimal(0)).quantize(Decimal("0.01"))),
                    "note": f"joint inspection: {notes}"[:1000] if notes else "joint inspection",
                },
                declarations=self.declarations,
            )
        return self.get(principal, task_id)
