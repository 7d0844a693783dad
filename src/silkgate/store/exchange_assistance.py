"""Mutual assistance cases and their threads."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from silkgate.store.exchange_rows import as_dict, as_dicts
from silkgate.store.tables import assistance_cases, assistance_messages

# -- assistance --------------------------------------------------------------------------------


def open_case(conn: sa.Connection, **row: Any) -> int:
    insert = assistance_cases.insert().values(**row).returning(assistance_cases.c.id)
    return int(conn.execute(insert).scalar_one())


def case(conn: sa.Connection, reference: str) -> dict[str, Any] | None:
    row = conn.execute(
        assistance_cases.select().where(assistance_cases.c.reference == reference)
    ).first()
    return None if row is None else as_dict(row)


def cases(conn: sa.Connection, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    c = assistance_cases.c
    q = assistance_cases.select().order_by(c.updated_at.desc(), c.id.desc()).limit(limit)
    if status:
        q = q.where(c.status == status)
    return as_dicts(conn.execute(q))


def update_case(conn: sa.Connection, case_id: int, **values: Any) -> None:
    conn.execute(assistance_cases.update().where(assistance_cases.c.id == case_id).values(**values))


def add_case_message(conn: sa.Connection, **row: Any) -> None:
    conn.execute(assistance_messages.insert().values(**row))


def case_messages(conn: sa.Connection, case_id: int) -> list[dict[str, Any]]:
    m = assistance_messages.c
    return as_dicts(
        conn.execute(assistance_messages.select().where(m.case_id == case_id).order_by(m.id))
    )


def last_number(conn: sa.Connection, prefix: str) -> int:
    """The highest case number under ``prefix`` (``CN-MAA-2026-``), 0 if none."""
    c = assistance_cases.c
    last = conn.execute(
        sa.select(sa.func.max(c.reference)).where(c.reference.like(prefix + "%"))
    ).scalar()
    return int(last[len(prefix) :]) if last else 0
