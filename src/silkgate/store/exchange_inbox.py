"""The inbox: messages received from partners, and those refused."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from silkgate.store.exchange_rows import as_dicts
from silkgate.store.tables import exchange_inbox, exchange_refusals

# -- inbox ---------------------------------------------------------------------------------


def seen_many(conn: sa.Connection, ids: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (sender, message id) pairs were processed before."""
    if not ids:
        return set()
    i = exchange_inbox.c
    rows = conn.execute(
        sa.select(i.sender, i.message_id).where(
            i.sender.in_({s for s, _ in ids}), i.message_id.in_({m for _, m in ids})
        )
    )
    return {(s, m) for s, m in rows} & set(ids)


def record_inbox_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(exchange_inbox.insert(), rows)


def inbox(conn: sa.Connection, limit: int = 100, sender: str | None = None) -> list[dict[str, Any]]:
    i = exchange_inbox.c
    q = (
        sa.select(
            i.id,
            i.sender,
            i.message_id,
            i.type,
            i.subject,
            i.created_at,
            i.received_at,
            i.result,
            i.token,
        )
        .order_by(i.id.desc())
        .limit(limit)
    )
    if sender:
        q = q.where(i.sender == sender)
    return as_dicts(conn.execute(q))


def inbox_counts(conn: sa.Connection) -> dict[str, int]:
    i = exchange_inbox.c
    return {t: n for t, n in conn.execute(sa.select(i.type, sa.func.count()).group_by(i.type))}


def log_refusal(conn: sa.Connection, **row: Any) -> None:
    conn.execute(exchange_refusals.insert().values(**row))


def refusals(conn: sa.Connection, limit: int = 100) -> list[dict[str, Any]]:
    r = exchange_refusals.c
    return as_dicts(conn.execute(exchange_refusals.select().order_by(r.id.desc()).limit(limit)))
