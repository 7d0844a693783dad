"""Cross-border e-commerce: the records of the four lists, parcels, quotas and guarantees.

Every write is a batch statement (``executemany`` or a multi-row INSERT) inside the
caller's transaction, so a bulk request of 10,000 records is a handful of round
trips. Quotas and guarantees are read ``FOR UPDATE`` on PostgreSQL, in a fixed
order (no deadlock between two requests); SQLite's write transactions begin
``IMMEDIATE``, so writers take turns and what is read is what is updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa

from silkgate.store.db import upsert
from silkgate.store.tables import (
    ecommerce_guarantees,
    ecommerce_parcels,
    ecommerce_quotas,
    ecommerce_records,
)

Key = tuple[str, str]  # (platform, order number)
T = TypeVar("T")
_CHUNK = 2000
ZERO = Decimal(0)


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


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
    r = ecommerce_records
    found: dict[str, str] = {}
    for chunk in _chunks(record_ids):
        rows = conn.execute(
            sa.select(r.c.record_id, r.c.digest).where(
                r.c.kind == kind, r.c.sender_id == sender_id, r.c.record_id.in_(chunk)
            )
        )
        found.update((row.record_id, row.digest) for row in rows)
    return found


def parcels_with(conn: sa.Connection, kind: str, keys: Sequence[Key]) -> set[Key]:
    """The parcels among ``keys`` that already have a record of ``kind``."""
    r = ecommerce_records
    found: set[Key] = set()
    for chunk in _chunks(keys):
        rows = conn.execute(
            sa.select(r.c.platform, r.c.order_no).where(r.c.kind == kind, keyed(r, chunk))
        )
        found.update((row.platform, row.order_no) for row in rows)
    return found


def insert_records(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(ecommerce_records.insert(), rows)


def open_parcels(conn: sa.Connection, keys: Sequence[Key], now: dt.datetime) -> None:
    """A pending parcel row for each key that has none (its first record just arrived)."""
    if not keys:
        return
    stmt = upsert(conn, ecommerce_parcels).on_conflict_do_nothing(
        index_elements=["platform", "order_no"]
    )
    conn.execute(
        stmt,
        [
            {"platform": k[0], "order_no": k[1], "status": "pending", "first_seen_at": now}
            for k in keys
        ],
    )


def complete(conn: sa.Connection, keys: Sequence[Key]) -> list[Key]:
    """The parcels among ``keys`` that have their four records (one of each kind)."""
    r = ecommerce_records
    found: list[Key] = []
    for chunk in _chunks(keys):
        rows = conn.execute(
            sa.select(r.c.platform, r.c.order_no)
            .where(keyed(r, chunk))
            .group_by(r.c.platform, r.c.order_no)
            .having(sa.func.count() == 4)
            .order_by(r.c.platform, r.c.order_no)
        )
        found.extend((row.platform, row.order_no) for row in rows)
    return found


def undecided(conn: sa.Connection, keys: Sequence[Key]) -> list[sa.Row[Any]]:
    """The parcels among ``keys`` still to be decided: pending, or held only for want of a
    record (``incomplete``), which a late record may complete.

    Locked on PostgreSQL: two requests that bring a parcel's last two records at once
    take turns, and the second (reading again after the first committed) sees all four.
    """
    p = ecommerce_parcels
    waiting = sa.or_(
        p.c.status == "pending", sa.and_(p.c.status == "held", p.c.reason_code == "incomplete")
    )
    rows: list[sa.Row[Any]] = []
    for chunk in _chunks(keys):
        stmt = sa.select(p.c.id, p.c.platform, p.c.order_no).where(keyed(p, chunk), waiting)
        rows.extend(conn.execute(_for_update(conn, stmt.order_by(p.c.id))))
    return rows


def bodies(conn: sa.Connection, keys: Sequence[Key]) -> dict[Key, dict[str, dict[str, Any]]]:
    """Each parcel's stored records: key -> kind -> body."""
    r = ecommerce_records
    found: dict[Key, dict[str, dict[str, Any]]] = {}
    for chunk in _chunks(keys):
        rows = conn.execute(
            sa.select(r.c.platform, r.c.order_no, r.c.kind, r.c.body).where(keyed(r, chunk))
        )
        for row in rows:
            found.setdefault((row.platform, row.order_no), {})[row.kind] = orjson.loads(row.body)
    return found


def _for_update(conn: sa.Connection, stmt: sa.Select[Any]) -> sa.Select[Any]:
    return stmt.with_for_update() if conn.dialect.name == "postgresql" else stmt


def lock_quotas(conn: sa.Connection, consumers: Iterable[str], year: int) -> dict[str, Decimal]:
    """The consumers' quota used in ``year``, locked until the transaction ends."""
    wanted = sorted(set(consumers))
    q = ecommerce_quotas
    used: dict[str, Decimal] = {}
    if wanted:
        stmt = upsert(conn, q).on_conflict_do_nothing(index_elements=["consumer_hash", "year"])
        conn.execute(stmt, [{"consumer_hash": c, "year": year, "used": 0} for c in wanted])
    for chunk in _chunks(wanted):
        rows = conn.execute(
            _for_update(
                conn,
                sa.select(q.c.consumer_hash, q.c.used)
                .where(q.c.year == year, q.c.consumer_hash.in_(chunk))
                .order_by(q.c.consumer_hash),
            )
        )
        used.update((row.consumer_hash, Decimal(row.used)) for row in rows)
    return used


def write_quotas(conn: sa.Connection, year: int, used: dict[str, Decimal]) -> None:
    q = ecommerce_quotas
    if used:
        conn.execute(
            q.update()
            .where(q.c.consumer_hash == sa.bindparam("h"), q.c.year == year)
            .values(used=sa.bindparam("u")),
            [{"h": h, "u": u} for h, u in used.items()],
        )


def lock_guarantees(conn: sa.Connection, agents: Iterable[str]) -> dict[str, Decimal]:
    """What is left on each agent's guarantee, locked until the transaction ends."""
    g = ecommerce_guarantees
    rows = conn.execute(
        _for_update(
            conn,
            sa.select(g.c.agent, g.c.amount, g.c.drawn)
            .where(g.c.agent.in_(sorted(set(agents))))
            .order_by(g.c.agent),
        )
    )
    return {row.agent: Decimal(row.amount) - Decimal(row.drawn) for row in rows}


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
    p = ecommerce_parcels
    if rows:
        conn.execute(
            p.update()
            .where(p.c.id == sa.bindparam("pid"))
            .values({c: sa.bindparam(c) for c in rows[0] if c != "pid"}),
            rows,
        )
