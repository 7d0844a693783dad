"""Working a joint inspection: the queue, assignment, results of checks, completion."""

from __future__ import annotations

from typing import Any, Protocol

import sqlalchemy as sa

from silkgate.declarations.ports import DeclarationUnitOfWork
from silkgate.inspection import rules
from silkgate.inspection.commands import Assignment, CheckResult
from silkgate.inspection.events import CheckRecorded, InspectionCompleted, InspectionStarted
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.kernel.events import with_note
from silkgate.store import inspection as store
from silkgate.store.db import reading


class Corrections(Protocol):
    """The declarations' correction of an item, inside the inspection's unit of work."""

    def correct_in(
        self,
        uow: DeclarationUnitOfWork,
        principal: Principal,
        mrn: str,
        item: int,
        corrected: dict[str, Any],
        reason: str,
    ) -> dict[str, Any]: ...


class Tasks:
    """The use cases of an inspection task."""

    engine: sa.Engine
    unit_of_work: Any
    clock: Clock
    corrections: Corrections | None

    def queue(
        self,
        principal: Principal,
        *,
        office: str | None = None,
        status: str | None = "open",
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        rules.worker(principal)
        with reading(self.engine) as conn:
            tasks = store.queue(
                conn, office=office, status=status, limit=limit, agency=principal.agency
            )
        return [rules.json_task(t) for t in tasks]

    def get(self, principal: Principal, task_id: int) -> dict[str, Any]:
        rules.worker(principal, task_id)
        with reading(self.engine) as conn:
            task = store.task(conn, task_id)
            checks = rules.own_checks(principal, store.checks(conn, task_id)) if task else []
            if task is None or (not checks and principal.role is Role.AGENCY_OFFICER):
                # An agency reads the tasks it examines in, and no other.
                raise NotFound(f"no inspection task {task_id}")
            return rules.json_task(task, checks)

    def of_declaration(self, conn: sa.Connection, declaration_id: int) -> dict[str, Any] | None:
        task = store.task_of(conn, declaration_id)
        if task is None:
            return None
        task = store.task(conn, task["id"])
        assert task is not None
        return rules.json_task(task, store.checks(conn, task["id"]))

    def assign(self, principal: Principal, task_id: int, assignment: Assignment) -> dict[str, Any]:
        """Assign the task to an officer and/or an SPS inspector (by user name).

        Customs staff assign either; an SPS inspector assigns the quarantine side only.
        """
        rules.worker(principal, task_id)
        from silkgate.store import principals as principal_store

        named = assignment.named()
        for key in named:
            if not rules.may_assign(principal, key):
                raise Forbidden("customs officers are assigned by customs staff")
        with self.unit_of_work() as uow:
            conn = uow.connection
            task = _open_task(conn, task_id)
            wanted = {"officer": (Role.OFFICER, Role.ADMIN), "sps_inspector": (Role.SPS_INSPECTOR,)}
            errors = []
            for key, name in named.items():
                user = principal_store.find_principal(conn, name)
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
            store.update_task(conn, task["id"], **named)
        return self.get(principal, task_id)

    def start(self, principal: Principal, task_id: int) -> dict[str, Any]:
        """The inspection begins: the goods are opened, the declaration can no longer be
        amended (the first result recorded starts it too, without an entry of its own)."""
        rules.worker(principal, task_id)
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            task = _not_completed(conn, task_id, "the inspection is already completed")
            _examines(conn, principal, task_id)
            if task["started_at"] is not None:
                started = rules.json_task(task)["started_at"]
                raise Conflict(f"the inspection has already started (at {started})")
            store.update_task(conn, task_id, started_at=at)
            uow.collect(
                InspectionStarted(
                    at=at,
                    actor=principal.name,
                    declaration_id=task["declaration_id"],
                    mrn=task["mrn"],
                    task_id=task_id,
                    reason=f"joint inspection started at {task['office']}",
                )
            )
        return self.get(principal, task_id)

    def record(
        self, principal: Principal, task_id: int, seq: int, result: CheckResult
    ) -> dict[str, Any]:
        """The result of one check: compliant or not, with the finding (a note, figures).

        A quantity, value, classification or origin finding with ``corrected``
        fields corrects the declaration (a new version, reassessed) in the same
        transaction: a correction that does not validate records nothing.
        """
        rules.worker(principal, task_id)
        status, finding = result.status, result.finding_json()
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            task = _not_completed(
                conn, task_id, "the inspection is completed; its results cannot change"
            )
            _examines(conn, principal, task_id)
            check = _open_check(conn, task_id, seq, principal, finding)
            if finding and finding.get("kind") in rules.CORRECTIONS and finding.get("corrected"):
                finding = self._correct(uow, principal, task, check, finding)
            store.record(
                conn, task_id, seq, status=status, finding=finding,
                recorded_by=principal.name, recorded_at=at,
            )  # fmt: skip
            if task["started_at"] is None:
                store.update_task(conn, task_id, started_at=at)
            uow.collect(
                CheckRecorded(
                    at=at,
                    actor=principal.name,
                    declaration_id=task["declaration_id"],
                    mrn=task["mrn"],
                    task_id=task_id,
                    seq=seq,
                    # The note is the officer's: a trader is shown the result without it.
                    reason=with_note(
                        f"{check.get('agency') or check['service']} {check['check']}: {status}",
                        (finding or {}).get("note"),
                    ),
                )
            )
        return self.get(principal, task_id)

    def _correct(
        self,
        uow: DeclarationUnitOfWork,
        principal: Principal,
        task: dict[str, Any],
        check: dict[str, Any],
        finding: dict[str, Any],
    ) -> dict[str, Any]:
        """Correct the declaration as the finding says; the finding then carries the revenue."""
        if self.corrections is None:
            raise Conflict("corrections are not available on this node")
        correction = self.corrections.correct_in(
            uow,
            principal,
            task["mrn"],
            int(finding.get("item") or check["item_seq"] or 0),
            finding["corrected"],
            with_note(f"inspection finding: {finding['kind']}", finding.get("note")),
        )
        return {**finding, "revenue": correction["difference"]}

    def complete(self, principal: Principal, task_id: int) -> dict[str, Any]:
        """Close the task once every check has a result; the officer then decides.

        ``InspectionCompleted`` is raised in the same transaction: its handlers
        record the control's outcome for risk and send an export's result to
        the importing partner. Customs completes it (:func:`~silkgate.inspection.rules.completer`).
        """
        rules.worker(principal, task_id)
        rules.completer(principal)
        at = self.clock()
        with self.unit_of_work() as uow:
            conn = uow.connection
            task = _not_completed(conn, task_id, "the inspection is already completed")
            checks = store.checks(conn, task_id)
            open_checks = [c for c in checks if c["status"] == "open"]
            if open_checks:
                raise Conflict(
                    "checks without a result: "
                    + ", ".join(f"{c['seq']} ({c['service']} {c['check']})" for c in open_checks)
                )
            result = (
                "findings" if any(c["status"] == "non_compliant" for c in checks) else ("compliant")
            )
            store.update_task(conn, task_id, status="completed", completed_at=at, result=result)
            uow.collect(
                InspectionCompleted(
                    at=at,
                    actor=principal.name,
                    declaration_id=task["declaration_id"],
                    mrn=task["mrn"],
                    task=task,
                    checks=tuple(checks),
                    result=result,
                    reason=f"joint inspection completed: {result}",
                )
            )
        return self.get(principal, task_id)


def _not_completed(conn: sa.Connection, task_id: int, refusal: str) -> dict[str, Any]:
    """The task ``task_id``, locked, unless it is completed (``refusal`` says why not)."""
    task = store.task(conn, task_id, for_update=True)
    if task is None:
        raise NotFound(f"no inspection task {task_id}")
    if task["status"] == "completed":
        raise Conflict(refusal)
    return task


def _examines(conn: sa.Connection, principal: Principal, task_id: int) -> None:
    """An agency works only the tasks it examines in; another is not found for it."""
    if principal.role is Role.AGENCY_OFFICER and not rules.own_checks(
        principal, store.checks(conn, task_id)
    ):
        raise NotFound(f"no inspection task {task_id}")


def _open_task(conn: sa.Connection, task_id: int) -> dict[str, Any]:
    task = store.task(conn, task_id, for_update=True)
    if task is None:
        raise NotFound(f"no inspection task {task_id}")
    if task["status"] != "open":
        raise Conflict(f"the inspection is {task['status']}")
    return task


def _open_check(
    conn: sa.Connection,
    task_id: int,
    seq: int,
    principal: Principal,
    finding: dict[str, Any] | None,
) -> dict[str, Any]:
    """The check ``seq`` if it awaits a result that ``principal`` may record, with this kind."""
    check = next((c for c in store.checks(conn, task_id) if c["seq"] == seq), None)
    if check is None:
        raise NotFound(f"inspection task {task_id} has no check {seq}")
    if check["status"] != "open":
        # A result (and a correction made with it) is part of the record: it is
        # not overwritten. A further finding is a new check or a decision.
        done = f"{check['status']} by {check['recorded_by']}"
        raise Conflict(f"check {seq} already has a result ({done})")
    if not rules.may_record(principal, check["service"], check.get("agency")):
        who = rules.recorders(check["service"], check.get("agency"))
        raise Forbidden(f"{check['service']} checks are recorded by {who}")
    kind = (finding or {}).get("kind")
    allowed = rules.FINDINGS.get(check["service"], rules.CUSTOMS_FINDINGS)
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
    return check
