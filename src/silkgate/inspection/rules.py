"""The joint inspection's rules: who works which checks, what a finding is, how a task reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from silkgate.inspection.checklist import Service
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import FieldError, Forbidden

STATUSES = ("compliant", "non_compliant")


def worker(principal: Principal) -> None:
    if not (principal.is_staff or principal.role is Role.SPS_INSPECTOR):
        raise Forbidden("inspections are worked by customs officers and SPS inspectors")


def may_record(principal: Principal, service: str) -> bool:
    if principal.role is Role.ADMIN:
        return True
    if service == Service.SPS.value:
        return principal.role is Role.SPS_INSPECTOR
    return principal.role is Role.OFFICER


def json_task(task: dict[str, Any], checks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
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


def finding_errors(finding: dict[str, Any]) -> list[FieldError]:
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


def result_errors(raw: Any) -> list[FieldError]:
    """What is wrong with a check's result as sent: status, and the finding's fields."""
    if not isinstance(raw, dict):
        return [FieldError("", "invalid", "send a JSON object")]
    errors: list[FieldError] = []
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
        and finding.get("kind") not in (None, "other")
    ):
        errors.append(
            FieldError("/finding/kind", "inconsistent", "a compliant check has no finding")
        )
    if isinstance(finding, dict):
        errors.extend(finding_errors(finding))
    return errors
