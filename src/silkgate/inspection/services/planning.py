"""How the joint inspection plugs into the declaration's lifecycle.

Handlers (registered by the bootstrap) plan a task when a channel calls for
one and close it when a decision ends the goods' stay; gates tell the
declaration use cases when the inspection holds release or amendment.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from silkgate.declarations.events import ENDING_ACTIONS, ChannelAssigned, Decided
from silkgate.inspection.checklist import checklist, needs_inspection
from silkgate.inspection.events import EnforcementCaseOpened, InspectionPlanned
from silkgate.inspection.rules import json_task
from silkgate.kernel.actors import SYSTEM
from silkgate.kernel.events import UnitOfWork
from silkgate.store import inspection as store


def plan_inspection(event: ChannelAssigned, uow: UnitOfWork) -> None:
    """Create the declaration's task if its channel or an SPS requirement calls for one."""
    requirements = list(event.sps_requirements)
    if not needs_inspection(event.channel, requirements):
        return
    conn = uow.connection
    if store.task_of(conn, event.declaration_id):
        return  # one task per declaration: a stricter channel later uses the same
    checks = checklist(event.channel, requirements)
    task_id = store.create(
        conn,
        event.declaration_id,
        event.office,
        [c.as_row(i) for i, c in enumerate(checks, 1)],
        event.at,
    )
    services = sorted({c.service.value for c in checks})
    uow.collect(
        InspectionPlanned(
            at=event.at,
            actor=SYSTEM,
            declaration_id=event.declaration_id,
            mrn=event.mrn,
            version=event.version,
            task_id=task_id,
            reason=f"joint inspection ({' + '.join(services)}), {len(checks)} "
            f"check{'' if len(checks) == 1 else 's'} at {event.office}",
        )
    )


def close_on_decision(event: Decided, uow: UnitOfWork) -> None:
    """Return, destruction, seizure, rejection or cancellation closes an open task.

    A seizure also opens an enforcement case.
    """
    if event.action not in ENDING_ACTIONS:
        return
    conn = uow.connection
    store.close_open_task(conn, event.declaration_id, event.at, event.action)
    if event.action == "seize":
        case_id = store.open_case(
            conn,
            declaration_id=event.declaration_id,
            opened_at=event.at,
            opened_by=event.actor,
            reason=event.reason or "",
            status="open",
        )
        uow.collect(
            EnforcementCaseOpened(
                at=event.at,
                actor=event.actor,
                declaration_id=event.declaration_id,
                mrn=event.mrn,
                version=event.version,
                case_id=case_id,
                reason=f"enforcement case {case_id} opened: {event.reason or ''}"[:1000],
            )
        )


class InspectionReader:
    """The joint inspection as a declaration's page shows it (staff only)."""

    def of_declaration(self, conn: sa.Connection, declaration_id: int) -> dict[str, Any] | None:
        task = store.task_of(conn, declaration_id)
        if task is None:
            return None
        task = store.task(conn, task["id"])
        assert task is not None
        return json_task(task, store.checks(conn, task["id"]))


class InspectionGates:
    """The joint inspection holds release until complete, and amendment once started."""

    def blocks_release(self, uow: UnitOfWork, declaration_id: int) -> str | None:
        conn = uow.connection
        task = store.task_of(conn, declaration_id)
        if task is None:
            return None
        if task["status"] != "completed":
            return (
                f"the joint inspection (task {task['id']}) is not complete; "
                "complete it before releasing, or release under a condition"
            )
        if store.quarantine_failed(conn, task["id"]):
            return (
                "the quarantine service found pests, a failed laboratory test or "
                "prohibited goods: return or destroy them (or treat and inspect again)"
            )
        return None

    def blocks_amendment(self, uow: UnitOfWork, declaration_id: int) -> str | None:
        task = store.task_of(uow.connection, declaration_id)
        if task is not None and (task["started_at"] or task["status"] != "open"):
            return (
                "the goods are being (or have been) inspected: the declaration can no "
                "longer be amended; the inspection's findings correct it"
            )
        return None
