"""The outbox: messages to partners until receipted, their receipts, the dispatcher's lease."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from silkgate.store.exchange_rows import as_dict, as_dicts
from silkgate.store.tables import (
    exchange_lease,
    exchange_outbox,
    exchange_receipts,
)

# -- outbox --------------------------------------------------------------------------------


_INSERT = exchange_outbox.insert()


def enqueue(conn: sa.Connection, row: dict[str, Any]) -> None:
    # One statement built once: its compiled form is cached, only the values change.
    conn.execute(_INSERT, row)


def enqueue_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(_INSERT, rows)


def undelivered(conn: sa.Connection, limit: int) -> list[dict[str, Any]]:
    """The oldest messages not yet delivered, without their payloads."""
    o = exchange_outbox.c
    columns = [c for c in exchange_outbox.c if c.name != "payload"]
    return as_dicts(
        conn.execute(sa.select(*columns).where(o.status != "delivered").order_by(o.id).limit(limit))
    )


def payloads(conn: sa.Connection, ids: list[int]) -> dict[int, str]:
    o = exchange_outbox.c
    return dict(conn.execute(sa.select(o.id, o.payload).where(o.id.in_(ids))).all())


def add_receipt(conn: sa.Connection, partner: str, token: str, at: dt.datetime) -> int:
    insert = exchange_receipts.insert().values(partner=partner, token=token, received_at=at)
    return int(conn.execute(insert.returning(exchange_receipts.c.id)).scalar_one())


def _with_receipt() -> Any:
    o, r = exchange_outbox.c, exchange_receipts.c
    return sa.select(exchange_outbox, r.token.label("receipt")).outerjoin(
        exchange_receipts, r.id == o.receipt_id
    )


def outbox(
    conn: sa.Connection, status: str | None = None, limit: int = 100, partner: str | None = None
) -> list[dict[str, Any]]:
    o = exchange_outbox.c
    q = _with_receipt().order_by(o.id.desc()).limit(limit)
    if status:
        q = q.where(o.status == status)
    if partner:
        q = q.where(o.partner == partner)
    return as_dicts(conn.execute(q))


def outbox_counts(conn: sa.Connection) -> dict[str, int]:
    o = exchange_outbox.c
    rows = conn.execute(sa.select(o.status, sa.func.count()).group_by(o.status))
    return {s: n for s, n in rows}


def outbox_message(conn: sa.Connection, message_id: str) -> dict[str, Any] | None:
    row = conn.execute(_with_receipt().where(exchange_outbox.c.message_id == message_id)).first()
    return None if row is None else as_dict(row)


def update_outbox(conn: sa.Connection, outbox_id: int, **values: Any) -> None:
    conn.execute(exchange_outbox.update().where(exchange_outbox.c.id == outbox_id).values(**values))


def unpark(conn: sa.Connection, partner: str | None, now: dt.datetime) -> int:
    o = exchange_outbox.c
    q = exchange_outbox.update().where(o.status == "parked")
    if partner:
        q = q.where(o.partner == partner)
    return int(
        conn.execute(q.values(status="pending", attempts=0, next_attempt_at=now)).rowcount or 0
    )


def retry_now(conn: sa.Connection, partner: str, now: dt.datetime) -> None:
    o = exchange_outbox.c
    conn.execute(
        exchange_outbox.update()
        .where(
            o.partner == partner,
            o.status == "pending",
            o.attempts > 0,
            o.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
    )


def update_outbox_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Each row: ``_id`` and the columns to set (all rows set the same columns)."""
    if not rows:
        return
    o = exchange_outbox.c
    stmt = exchange_outbox.update().where(o.id == sa.bindparam("_id"))
    conn.execute(stmt, rows)


# -- the dispatcher's lease ----------------------------------------------------------------


def take_lease(conn: sa.Connection, name: str, holder: str, now: dt.datetime, ttl: float) -> bool:
    """Hold (or renew) the lease ``name`` until now + ttl; False when another holds it."""
    lease = exchange_lease.c
    until = now + dt.timedelta(seconds=ttl)
    row = conn.execute(sa.select(lease.holder, lease.expires_at).where(lease.name == name)).first()
    if row is None:
        conn.execute(exchange_lease.insert().values(name=name, holder=holder, expires_at=until))
        return True
    if row.holder != holder and row.expires_at > now:
        return False
    conn.execute(
        exchange_lease.update().where(lease.name == name).values(holder=holder, expires_at=until)
    )
    return True


def release_lease(conn: sa.Connection, name: str, holder: str) -> None:
    lease = exchange_lease.c
    conn.execute(exchange_lease.delete().where(lease.name == name, lease.holder == holder))
