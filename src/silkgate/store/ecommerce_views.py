"""Cross-border e-commerce: what is read (parcels, held ones, daily figures), the parcels the
timeout sweep holds, returns and the agents' guarantees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.store.ecommerce import ZERO, keyed
from silkgate.store.tables import (
    ecommerce_guarantees,
    ecommerce_parcels,
    ecommerce_quotas,
    ecommerce_records,
)

p = ecommerce_parcels
# What a parcel shows: never the consumer's hash (nor, anywhere, the identity number).
_SHOWN = (
    p.c.platform, p.c.order_no, p.c.status, p.c.reason_code, p.c.reason, p.c.agent,
    p.c.waybill_no, p.c.currency, p.c.value, p.c.customs_value, p.c.tax, p.c.selected,
    p.c.first_seen_at, p.c.decided_at, p.c.released_at, p.c.returned_at,
)  # fmt: skip


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(Decimal(value).quantize(Decimal("0.01")), "f")


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def shown(row: Any) -> dict[str, Any]:
    out = {str(k): v for k, v in row._mapping.items()}
    for key in ("value", "customs_value", "tax"):
        out[key] = _money(out[key])
    for key in ("first_seen_at", "decided_at", "released_at", "returned_at"):
        out[key] = _time(out[key])
    return out


def _scoped(stmt: sa.Select[Any], scope: tuple[str, str] | None) -> sa.Select[Any]:
    """``scope``: (column, party) a platform or an agent is limited to; None: every parcel."""
    if scope is None:
        return stmt
    column, party = scope
    return stmt.where(p.c[column] == party)


def parcel(
    conn: sa.Connection, order_no: str, platform: str | None, scope: tuple[str, str] | None
) -> list[dict[str, Any]]:
    stmt = sa.select(*_SHOWN).where(p.c.order_no == order_no)
    if platform is not None:
        stmt = stmt.where(p.c.platform == platform)
    return [shown(r) for r in conn.execute(_scoped(stmt, scope).order_by(p.c.platform))]


def parcels(
    conn: sa.Connection, scope: tuple[str, str] | None, status: str | None, limit: int
) -> list[dict[str, Any]]:
    stmt = sa.select(*_SHOWN)
    if status is not None:
        stmt = stmt.where(p.c.status == status)
    stmt = _scoped(stmt, scope).order_by(p.c.id.desc()).limit(limit)
    return [shown(r) for r in conn.execute(stmt)]


def figures(
    conn: sa.Connection, scope: tuple[str, str] | None, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """Parcels first seen in [start, end): how many by status, value and tax."""
    stmt = sa.select(
        p.c.status,
        sa.func.count().label("n"),
        sa.func.coalesce(sa.func.sum(p.c.value), 0).label("value"),
        sa.func.coalesce(sa.func.sum(p.c.tax), 0).label("tax"),
    ).where(p.c.first_seen_at >= start, p.c.first_seen_at < end)
    rows = conn.execute(_scoped(stmt, scope).group_by(p.c.status).order_by(p.c.status))
    by_status = {r.status: (r.n, Decimal(r.value), Decimal(r.tax)) for r in rows}
    return {
        "parcels": sum(n for n, _, _ in by_status.values()),
        "by_status": {s: n for s, (n, _, _) in by_status.items()},
        "value": _money(sum((v for _, v, _ in by_status.values()), ZERO)),
        "tax": _money(sum((t for _, _, t in by_status.values()), ZERO)),
    }


def stale(conn: sa.Connection, before: dt.datetime, limit: int) -> list[Any]:
    """Pending parcels first seen before ``before``, with the kinds of record they have."""
    rows = conn.execute(
        sa.select(p.c.id, p.c.platform, p.c.order_no)
        .where(p.c.status == "pending", p.c.first_seen_at < before)
        .order_by(p.c.id)
        .limit(limit)
    ).all()
    if not rows:
        return []
    r = ecommerce_records
    kinds: dict[tuple[str, str], set[str]] = {}
    keys = [(row.platform, row.order_no) for row in rows]
    for row in conn.execute(sa.select(r.c.platform, r.c.order_no, r.c.kind).where(keyed(r, keys))):
        kinds.setdefault((row.platform, row.order_no), set()).add(row.kind)
    return [(row.id, kinds.get((row.platform, row.order_no), set())) for row in rows]


def hold_incomplete(conn: sa.Connection, rows: list[dict[str, Any]], now: dt.datetime) -> None:
    if rows:
        conn.execute(
            p.update()
            .where(p.c.id == sa.bindparam("pid"), p.c.status == "pending")
            .values(
                status="held", reason_code="incomplete", reason=sa.bindparam("why"), decided_at=now
            ),
            rows,
        )


def lock_parcel(conn: sa.Connection, platform: str, order_no: str) -> Any:
    stmt = sa.select(p).where(p.c.platform == platform, p.c.order_no == order_no)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return conn.execute(stmt).first()


def give_back(conn: sa.Connection, row: Any, now: dt.datetime) -> None:
    """A returned parcel: its quota and its tax given back, conditionally (never below 0)."""
    conn.execute(p.update().where(p.c.id == row.id).values(status="returned", returned_at=now))
    q, g = ecommerce_quotas, ecommerce_guarantees
    if row.quota_year is not None and row.value:
        conn.execute(
            q.update()
            .where(
                q.c.consumer_hash == row.consumer_hash,
                q.c.year == row.quota_year,
                q.c.used >= row.value,
            )
            .values(used=q.c.used - row.value)
        )
    if row.tax:
        conn.execute(
            g.update()
            .where(g.c.agent == row.agent, g.c.drawn >= row.tax)
            .values(drawn=g.c.drawn - row.tax)
        )


def guarantee(conn: sa.Connection, agent: str) -> dict[str, Any] | None:
    g = ecommerce_guarantees
    row = conn.execute(sa.select(g).where(g.c.agent == agent)).first()
    if row is None:
        return None
    return {
        "agent": row.agent,
        "currency": row.currency,
        "amount": _money(row.amount),
        "drawn": _money(row.drawn),
        "left": _money(Decimal(row.amount) - Decimal(row.drawn)),
        "reference": row.reference,
        "updated_at": _time(row.updated_at),
    }


def set_guarantee(conn: sa.Connection, values: dict[str, Any]) -> bool:
    """Set the agent's guarantee to ``amount``; False when that is below what is drawn."""
    g = ecommerce_guarantees
    done = conn.execute(
        g.update()
        .where(g.c.agent == values["agent"], g.c.drawn <= values["amount"])
        .values(**{k: v for k, v in values.items() if k != "agent"})
    )
    if done.rowcount:
        return True
    if conn.execute(sa.select(g.c.agent).where(g.c.agent == values["agent"])).first() is not None:
        return False
    conn.execute(g.insert().values(drawn=0, **values))
    return True


def quota_used(conn: sa.Connection, consumer_hash: str, year: int) -> Decimal:
    q = ecommerce_quotas
    used = conn.execute(
        sa.select(q.c.used).where(q.c.consumer_hash == consumer_hash, q.c.year == year)
    ).scalar()
    return ZERO if used is None else Decimal(used)
