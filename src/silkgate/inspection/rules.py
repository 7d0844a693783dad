"""The joint inspection's rules: who works, assigns and completes what, what a finding is, how
a task reads."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from silkgate.inspection.checklist import Service
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import Forbidden, NotFound


def worker(principal: Principal, task_id: int | None = None) -> None:
    """Refuse whoever does not work inspections.

    A trader asking for a task by its id is told there is no such task, whether
    there is one or not: a refusal would tell it which tasks exist.
    """
    if principal.role is Role.DECLARANT and task_id is not None:
        raise NotFound(f"no inspection task {task_id}")
    if not (principal.is_staff or principal.role in (Role.SPS_INSPECTOR, Role.AGENCY_OFFICER)):
        raise Forbidden(
            "inspections are worked by customs officers, SPS inspectors and examining agencies"
        )


def may_assign(principal: Principal, field: str) -> bool:
    """Customs staff assign both services; an SPS inspector only the quarantine side."""
    if principal.is_staff:
        return True
    return principal.role is Role.SPS_INSPECTOR and field == "sps_inspector"


def completer(principal: Principal) -> None:
    """Completing a task records the control's outcome, customs' findings included (fraud,
    revenue): it is customs' act, after which the officer decides."""
    if not principal.is_staff:
        raise Forbidden("an inspection is completed by customs officers")


def may_record(principal: Principal, service: str, agency: str | None = None) -> bool:
    if service == Service.AGENCY.value:
        # An agency's finding is its own: not customs', nor another agency's.
        return principal.agency is not None and principal.agency == agency
    if principal.role is Role.ADMIN:
        return True
    if service == Service.SPS.value:
        return principal.role is Role.SPS_INSPECTOR
    return principal.role is Role.OFFICER


def recorders(service: str, agency: str | None) -> str:
    """Who records a service's checks, in words (for a refusal)."""
    if service == Service.SPS.value:
        return "SPS inspectors"
    if service == Service.AGENCY.value:
        return f"the agency {agency}"
    return "customs officers"


def own_checks(principal: Principal, checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checks ``principal`` reads: an agency officer its agency's only (it reads no
    declaration, nor the other services' findings); everyone else all."""
    if principal.role is not Role.AGENCY_OFFICER:
        return checks
    return [c for c in checks if c.get("agency") == principal.agency]


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
                "agency": c.get("agency"),
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
CustomsFinding = Literal[
    "quantity", "value", "classification", "origin", "documents", "description", "other"
]
SpsFinding = Literal["certificate", "pest", "lab", "treatment", "prohibited", "other"]
# An examining agency: goods not those the LPCO covers, other specimens, a condition not met,
# marking or labelling, goods the agency prohibits.
AgencyFinding = Literal["licence", "specimens", "conditions", "marking", "prohibited", "other"]
FindingKind = Literal[CustomsFinding, SpsFinding, AgencyFinding]
CORRECTIONS = frozenset({"quantity", "value", "classification", "origin"})
CUSTOMS_FINDINGS = frozenset(get_args(CustomsFinding))
SPS_FINDINGS = frozenset(get_args(SpsFinding))
AGENCY_FINDINGS = frozenset(get_args(AgencyFinding))
FINDINGS = {"customs": CUSTOMS_FINDINGS, "sps": SPS_FINDINGS, "agency": AGENCY_FINDINGS}


# Every check a checklist can hold, as (service, check).
KNOWN_CHECKS = frozenset(
    {("customs", c) for c in ("documents", "quantity", "description", "classification", "value")}
    | {("customs", "origin")}
    | {("sps", c) for c in ("certificate", "samples", "treatment", "pests", "prohibited")}
)
