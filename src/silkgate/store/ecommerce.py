"""Cross-border e-commerce: the records of the four lists, parcels, quotas and guarantees.

Every statement is a batch (:mod:`silkgate.store.ecommerce_bulk`: the driver's own
``executemany``, ``COPY`` and statements over arrays) inside the caller's
transaction, so a bulk request of 10,000 records is a handful of round trips.
Quotas and parcels are read ``FOR UPDATE`` on PostgreSQL, in a fixed order (no
deadlock between two requests); SQLite's write transactions begin ``IMMEDIATE``,
so writers take turns and what is read is what is updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.store import ecommerce_bulk as bulk
from silkgate.store.tables import (
    ecommerce_guarantees,
    ecommerce_parcels,
    ecommerce_quotas,
    ecommerce_records,
)

Key = tuple[str, str]  # (platform, order number)
ZERO = Decimal(0)
RECORD_COLUMNS = (
    "kind", "sender_id", "record_id", "platform", "order_no", "digest", "body", "received_at",
)  # fmt: skip


def keyed(table: sa.Table, keys: Sequence[Key]) -> sa.ColumnElement[bool]:
    """Rows of these parcels: ``platform = p AND order_no IN (...)`` per platform.

    Not a row-value ``(platform, order_no) IN (...)``: PostgreSQL scans the whole table
    for a long list of those, while this form walks the (platform, order_no) index.
    """
    by_platform: dict[str, list[str]] = {}
    for platform, order_no in keys:
        by_platform.setdefault(platform, []).append(order_no)
    return sa.or_(
        *(
            sa.and_(table.c.platform == platform, table.c.order_no.in_(numbers))
            for platform, numbers in by_platform.items()
        )
    )


def sent_before(
    conn: sa.Connection, kind: str, sender_id: int, record_ids: Sequence[str]
) -> dict[str, str]:
    """The sender's records of ``kind`` already stored under these ids: id -> digest."""
    rows = bulk.select_in(
        conn, ecommerce_records, ("record_id", "digest"),
        "kind = ? AND sender_id = ?", (kind, sender_id), "record_id", record_ids,
    )  # fmt: skip
    return {record_id: digest for record_id, digest in rows}


def kinds_of(conn: sa.Connection, keys: Sequence[Key]) -> dict[Key, set[str]]:
    """The kinds of record each parcel among ``keys`` already has."""
    found: dict[Key, set[str]] = {}
    cols = ("platform", "order_no", "kind")
    for platform, order_no, kind in bulk.select_keyed(conn, ecommerce_records, cols, keys):
        found.setdefault((platform, order_no), set()).add(kind)
    return found


def insert_records(conn: sa.Connection, rows: Sequence[Sequence[Any]]) -> None:
    """New records, as tuples in the order of :data:`RECORD_COLUMNS`."""
    bulk.insert(conn, ecommerce_records, RECORD_COLUMNS, rows)


def open_parcels(conn: sa.Connection, keys: Sequence[Key], now: dt.datetime) -> None:
    """A pending parcel row for each key that has none (its first record just arrived)."""
    bulk.insert_missing(
        conn, ecommerce_parcels, ("platform", "order_no", "status", "selected", "first_seen_at"),
        [(platform, order_no, "pending", False, now) for platform, order_no in keys],
        ("platform", "order_no"),
    )  # fmt: skip


def undecided(conn: sa.Connection, keys: Sequence[Key]) -> list[tuple[int, str, str]]:
    """The parcels among ``keys`` still to be decided (id, platform, order number): pending,
    or held only for want of a record (``incomplete``), which a late record may complete.

    Locked on PostgreSQL: two requests that bring a parcel's last two records at once
    take turns, and the second (reading again after the first committed) sees all four.
    """
    waiting = "(status = 'pending' OR (status = 'held' AND reason_code = 'incomplete'))"
    lock = " FOR UPDATE" if bulk.is_postgresql(conn) else ""
    rows = bulk.select_keyed(
        conn, ecommerce_parcels, ("id", "platform", "order_no"), keys, waiting,
        suffix="ORDER BY order_no" + lock,
    )  # fmt: skip
    return [(pid, platform, order_no) for pid, platform, order_no in rows]


def others(conn: sa.Connection, keys: Sequence[Key], kind: str) -> dict[Key, dict[str, str]]:
    """Each parcel's stored records other than ``kind``: key -> kind -> body (JSON text)."""
    found: dict[Key, dict[str, str]] = {}
    cols = ("platform", "order_no", "kind", "body")
    for platform, order_no, other, body in bulk.select_keyed(
        conn, ecommerce_records, cols, keys, "kind <> ?", (kind,)
    ):
        found.setdefault((platform, order_no), {})[other] = body
    return found


def lock_quotas(conn: sa.Connection, consumers: Iterable[str], year: int) -> dict[str, Decimal]:
    """The consumers' quota used in ``year``, locked until the transaction ends."""
    wanted = sorted(set(consumers))
    q = ecommerce_quotas
    if not wanted:
        return {}
    bulk.insert_missing(
        conn, q, ("consumer_hash", "year", "used"), [(c, year, ZERO) for c in wanted],
        ("consumer_hash", "year"),
    )  # fmt: skip
    lock = " FOR UPDATE" if bulk.is_postgresql(conn) else ""
    rows = bulk.select_in(
        conn, q, ("consumer_hash", "used"), "year = ?", (year,), "consumer_hash", wanted,
        suffix="ORDER BY consumer_hash" + lock,
    )  # fmt: skip
    # SQLite keeps the amount as a float: read back as Core reads it (PostgreSQL: Decimal).
    read: Any = None
    if not bulk.is_postgresql(conn):
        read = q.c.used.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    return {h: Decimal(read(u) if read else u) for h, u in rows}


def write_quotas(conn: sa.Connection, year: int, used: dict[str, Decimal]) -> None:
    rows = [(h, year, u) for h, u in used.items()]
    bulk.update(conn, ecommerce_quotas, ("consumer_hash", "year"), ("used",), rows)


def lock_guarantees(conn: sa.Connection, agents: Iterable[str]) -> dict[str, Decimal]:
    """What is left on each agent's guarantee, locked until the transaction ends."""
    g = ecommerce_guarantees
    stmt = (
        sa.select(g.c.agent, g.c.amount, g.c.drawn)
        .where(g.c.agent.in_(sorted(set(agents))))
        .order_by(g.c.agent)
    )
    if bulk.is_postgresql(conn):
        stmt = stmt.with_for_update()
    return {row.agent: Decimal(row.amount) - Decimal(row.drawn) for row in conn.execute(stmt)}


def write_guarantees(conn: sa.Connection, left: dict[str, Decimal]) -> None:
    g = ecommerce_guarantees
    if left:
        conn.execute(
            g.update()
            .where(g.c.agent == sa.bindparam("a"))
            .values(drawn=g.c.amount - sa.bindparam("left", type_=sa.Numeric(18, 3))),
            [{"a": a, "left": v} for a, v in left.items()],
        )


def write_decisions(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Each decided parcel's columns (``pid`` names the row)."""
    if rows:
        columns = [c for c in rows[0] if c != "pid"]
        bulk.update(
            conn, ecommerce_parcels, ("id",), columns,
            [(r["pid"], *(r[c] for c in columns)) for r in rows],
        )  # fmt: skip
