"""How the joint inspection plugs into the declaration's lifecycle.

Handlers (registered by the bootstrap) plan a task when a channel calls for
one and close it when a decision ends the goods' stay; gates tell the
declaration use cases when the inspection holds release or amendment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.events import ENDING_ACTIONS, ChannelAssigned, Decided
from silkgate.inspection.checklist import agency_checks, checklist, needs_inspection
from silkgate.inspection.events import EnforcementCaseOpened, InspectionPlanned
from silkgate.inspection.rules import json_task
from silkgate.kernel.actors import SYSTEM
from silkgate.kernel.events import UnitOfWork
from silkgate.store import inspection as store

# The other agencies of the single window that examine a declaration's goods, asked in the
# lodging's transaction: (connection, declaration id) -> one dict per item and agency
# (item, agency, lpco (kind), number, description, conditions). The LPCO capability answers.
Examinations = Callable[[sa.Connection, int], Sequence[dict[str, Any]]]


def _none(conn: sa.Connection, declaration_id: int) -> Sequence[dict[str, Any]]:
    return ()


def planner(examinations: Examinations = _none) -> Callable[[ChannelAssigned, UnitOfWork], None]:
    """The handler that plans the joint inspection, with the examining agencies' checks."""

    def plan(event: ChannelAssigned, uow: UnitOfWork) -> None:
        _plan(event, uow, examinations)

    return plan


def plan_inspection(event: ChannelAssigned, uow: UnitOfWork) -> None:
    """Create the declaration's task if its channel or an SPS requirement calls for one."""
    _plan(event, uow, _none)


def _plan(event: ChannelAssigned, uow: UnitOfWork, examinations: Examinations) -> None:
    """Create the declaration's task if its channel, an SPS requirement or an examining
    agency calls for one; an agency that examines after an amendment joins a task not yet
    started."""
    requirements = list(event.sps_requirements)
    conn = uow.connection
    examined = list(examinations(conn, event.declaration_id))
    if not needs_inspection(event.channel, requirements, examined):
        return
    existing = store.task_of(conn, event.declaration_id)
    if existing:
        # One task per declaration: a stricter channel later uses the same.
        if examined and existing["status"] == "open" and existing["started_at"] is None:
            _join(conn, existing["id"], examined)
        return
    checks = checklist(event.channel, requirements, examined)
    task_id = store.create(
        conn,
        event.declaration_id,
        event.office,
        [c.as_row(i) for i, c in enumerate(checks, 1)],
        event.at,
    )
    services = sorted({c.agency or c.service.value for c in checks})
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


def _join(conn: sa.Connection, task_id: int, examined: list[dict[str, Any]]) -> None:
    """Add the agencies' checks a task lacks (an amendment needs another LPCO)."""
    have = {(c["agency"], c["check"], c["item_seq"]) for c in store.checks(conn, task_id)}
    for check in agency_checks(examined):
        if (check.agency, check.check, check.item) not in have:
            row = check.as_row(0)
            del row["seq"]
            store.add_check(conn, task_id, **row)


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
        refused = store.agencies_failed(conn, task["id"])
        if refused:
            agencies = ", ".join(sorted({c["agency"] or "an agency" for c in refused}))
            return (
                f"{agencies} found the goods not compliant "
                f"({'; '.join(c['description'] for c in refused)[:300]}): "
                "return, destroy or seize them"
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
