"""Joint inspection tasks and their checklists in the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.tables import MAX_ID, declarations, inspection_checks, inspection_tasks


def create(
    conn: sa.Connection,
    declaration_id: int,
    office: str,
    checks: list[dict[str, Any]],
    at: dt.datetime,
) -> int:
    task_id = conn.execute(
        inspection_tasks.insert().returning(inspection_tasks.c.id),
        {
            "declaration_id": declaration_id,
            "office": office,
            "status": "open",
            "created_at": at,
        },
    ).scalar_one()
    if checks:
        conn.execute(
            inspection_checks.insert(),
            [{"task_id": task_id, "status": "open", **c} for c in checks],
        )
    return task_id


def task_of(conn: sa.Connection, declaration_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        inspection_tasks.select().where(inspection_tasks.c.declaration_id == declaration_id)
    ).first()
    return None if row is None else dict(row._mapping)


def task(conn: sa.Connection, task_id: int, *, for_update: bool = False) -> dict[str, Any] | None:
    """The task ``task_id`` with its declaration's MRN, declarant and channel, or None."""
    if not 0 < task_id <= MAX_ID:
        return None  # no row has such an id (and the driver would refuse the number)
    query = (
        sa.select(
            inspection_tasks,
            declarations.c.mrn,
            declarations.c.declarant_id,
            declarations.c.channel,
        )
        .join(declarations, declarations.c.id == inspection_tasks.c.declaration_id)
        .where(inspection_tasks.c.id == task_id)
    )
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else dict(row._mapping)


def checks(conn: sa.Connection, task_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        inspection_checks.select()
        .where(inspection_checks.c.task_id == task_id)
        .order_by(inspection_checks.c.seq)
    )
    out = []
    for r in rows:
        row = dict(r._mapping)
        row["finding"] = orjson.loads(row["finding"]) if row["finding"] else None
        out.append(row)
    return out


def queue(
    conn: sa.Connection,
    *,
    office: str | None,
    status: str | None,
    limit: int,
    agency: str | None = None,
) -> list[dict[str, Any]]:
    """The tasks of an office (any: None), newest first; ``agency``: only those with a
    check of that agency."""
    t = inspection_tasks.c
    query = (
        sa.select(inspection_tasks, declarations.c.mrn, declarations.c.channel)
        .join(declarations, declarations.c.id == t.declaration_id)
        .order_by(t.id.desc())
        .limit(limit)
    )
    if office:
        query = query.where(t.office == office)
    if status:
        query = query.where(t.status == status)
    if agency:
        c = inspection_checks.c
        query = query.where(
            sa.exists().where(c.task_id == t.id, c.service == "agency", c.agency == agency)
        )
    return [dict(r._mapping) for r in conn.execute(query)]


def update_task(conn: sa.Connection, task_id: int, **values: Any) -> None:
    conn.execute(inspection_tasks.update().where(inspection_tasks.c.id == task_id).values(**values))


def record(conn: sa.Connection, task_id: int, seq: int, **values: Any) -> None:
    if "finding" in values and values["finding"] is not None:
        values["finding"] = orjson.dumps(values["finding"]).decode()
    conn.execute(
        inspection_checks.update()
        .where(inspection_checks.c.task_id == task_id, inspection_checks.c.seq == seq)
        .values(**values)
    )


def add_certificate(conn: sa.Connection, **row: Any) -> int:
    from silkgate.store.tables import ephyto_certificates

    for key in ("certificate", "mismatches"):
        row[key] = orjson.dumps(row[key]).decode()
    return conn.execute(
        ephyto_certificates.insert().returning(ephyto_certificates.c.id), row
    ).scalar_one()


def certificates(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    from silkgate.store.tables import ephyto_certificates as e

    rows = conn.execute(
        sa.select(
            e.c.number,
            e.c.status_code,
            e.c.certificate,
            e.c.mismatches,
            e.c.attached_at,
            e.c.attached_by,
        )
        .where(e.c.declaration_id == declaration_id)
        .order_by(e.c.id)
    )
    return [
        {
            "number": r.number,
            "status_code": r.status_code,
            "certificate": orjson.loads(r.certificate),
            "mismatches": orjson.loads(r.mismatches),
            "attached_at": r.attached_at.isoformat().replace("+00:00", "Z"),
            "attached_by": r.attached_by,
        }
        for r in rows
    ]


def add_check(conn: sa.Connection, task_id: int, **row: Any) -> int:
    seq = (
        conn.execute(
            sa.select(sa.func.max(inspection_checks.c.seq)).where(
                inspection_checks.c.task_id == task_id
            )
        ).scalar()
        or 0
    ) + 1
    conn.execute(
        inspection_checks.insert(), {"task_id": task_id, "seq": seq, "status": "open", **row}
    )
    return seq


def open_case(conn: sa.Connection, **row: Any) -> int:
    from silkgate.store.tables import enforcement_cases

    return conn.execute(
        enforcement_cases.insert().returning(enforcement_cases.c.id), row
    ).scalar_one()


def cases(conn: sa.Connection, status: str | None = "open") -> list[dict[str, Any]]:
    from silkgate.store.tables import enforcement_cases as e

    query = (
        sa.select(e, declarations.c.mrn)
        .join(declarations, declarations.c.id == e.c.declaration_id)
        .order_by(e.c.id.desc())
    )
    if status:
        query = query.where(e.c.status == status)
    return [dict(r._mapping) for r in conn.execute(query)]


def quarantine_failed(conn: sa.Connection, task_id: int) -> bool:
    """Whether the quarantine service found pests, a failed lab test or prohibited goods."""
    for c in checks(conn, task_id):
        finding = c["finding"] or {}
        if (
            c["service"] == "sps"
            and c["status"] == "non_compliant"
            and finding.get("kind")
            in (
                "pest",
                "lab",
                "prohibited",
            )
        ):
            return True
    return False


def agencies_failed(conn: sa.Connection, task_id: int) -> list[dict[str, Any]]:
    """The agencies' checks found not compliant: the agency refuses the goods."""
    return [
        c
        for c in checks(conn, task_id)
        if c["service"] == "agency" and c["status"] == "non_compliant"
    ]


def close_open_task(conn: sa.Connection, declaration_id: int, at: dt.datetime, why: str) -> None:
    """A final decision (return, destroy, seize...) ends an inspection still open."""
    conn.execute(
        inspection_tasks.update()
        .where(
            inspection_tasks.c.declaration_id == declaration_id, inspection_tasks.c.status == "open"
        )
        .values(status="closed", completed_at=at, result=why[:16])
    )


def certificates_numbered(conn: sa.Connection, number: str) -> list[dict[str, Any]]:
    from silkgate.store.tables import ephyto_certificates as e

    rows = conn.execute(
        sa.select(e.c.declaration_id, e.c.status_code, declarations.c.mrn)
        .join(declarations, declarations.c.id == e.c.declaration_id)
        .where(e.c.number == number[:70])
    )
    return [dict(r._mapping) for r in rows]
