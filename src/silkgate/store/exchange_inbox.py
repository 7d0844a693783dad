"""The inbox: messages received from partners, and those refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from silkgate.store.db import upsert
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


def count_refusals(
    conn: sa.Connection,
    *,
    remote: str,
    code: str,
    window_start: dt.datetime,
    at: dt.datetime,
    messages: int,
    detail: str,
    kid: str | None,
    excerpt: str,
) -> None:
    """Add ``messages`` refusals to the row of (``remote``, ``code``, window), made if new.

    The row keeps the first time (``at``) and the last (``last_at``), and the
    last message's detail, key and excerpt as the example of what was refused.
    """
    r = exchange_refusals.c
    insert = upsert(conn, exchange_refusals).values(
        at=at,
        last_at=at,
        code=code,
        detail=detail,
        kid=kid,
        remote=remote,
        excerpt=excerpt,
        window_start=window_start,
        messages=messages,
    )
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=[r.remote, r.code, r.window_start],
            set_={
                "messages": r.messages + insert.excluded.messages,
                "last_at": insert.excluded.last_at,
                "detail": insert.excluded.detail,
                "kid": insert.excluded.kid,
                "excerpt": insert.excluded.excerpt,
            },
        )
    )


def refused_in_window(conn: sa.Connection, remote: str, window_start: dt.datetime) -> int:
    """How many messages from ``remote`` were refused in the window, every code together."""
    r = exchange_refusals.c
    total = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(r.messages), 0)).where(
            r.remote == remote, r.window_start == window_start
        )
    ).scalar_one()
    return int(total)


def refusals(conn: sa.Connection, limit: int = 100) -> list[dict[str, Any]]:
    """The refusal log, the most recently refused first."""
    r = exchange_refusals.c
    return as_dicts(
        conn.execute(
            exchange_refusals.select()
            .order_by(sa.func.coalesce(r.last_at, r.at).desc(), r.id.desc())
            .limit(limit)
        )
    )
