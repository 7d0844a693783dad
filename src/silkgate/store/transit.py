"""Transit movements, their steps, and the guarantee register (SQLAlchemy Core).

The guarantee's balance is only ever lowered by :func:`reserve`, one
conditional ``UPDATE ... WHERE balance >= amount``: the database decides which
of two concurrent releases gets the last of a balance, whatever the number of
processes, and the check constraint stands behind it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.exchange_rows import as_dict, as_dicts
from silkgate.store.tables import (
    transit_guarantees,
    transit_movements,
    transit_reservations,
    transit_steps,
)

_M = transit_movements.c
_S = transit_steps.c
_G = transit_guarantees.c
_R = transit_reservations.c
_JSON = ("transit_offices", "routing", "stake", "document", "seals", "transport")


def _movement(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    row = as_dict(found)
    for key in _JSON:
        if row.get(key) is not None:
            row[key] = orjson.loads(row[key])
    return row


def _encoded(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: orjson.dumps(v).decode() if k in _JSON and v is not None else v
        for k, v in values.items()
    }


# -- movements --------------------------------------------------------------------------------


def add_movement(conn: sa.Connection, row: dict[str, Any]) -> int:
    key = conn.execute(transit_movements.insert().values(**_encoded(row))).inserted_primary_key
    assert key is not None
    return int(key[0])


def movement(conn: sa.Connection, mrn: str, *, for_update: bool = False) -> dict[str, Any] | None:
    query = sa.select(transit_movements).where(_M.mrn == mrn)
    if for_update:
        query = query.with_for_update()
    return _movement(conn.execute(query).first())


def update_movement(conn: sa.Connection, movement_id: int, values: dict[str, Any]) -> None:
    conn.execute(transit_movements.update().where(_M.id == movement_id).values(**_encoded(values)))


def listing(
    conn: sa.Connection,
    *,
    holder: str | None = None,
    office: str | None = None,
    statuses: tuple[str, ...] | None = None,
    destination: bool = False,
    due_before: dt.date | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Movements newest first; ``office``: those whose itinerary names it (``destination``:
    as the office of destination only); ``due_before``: whose time limit is before it."""
    query = sa.select(transit_movements)
    if holder is not None:
        query = query.where(_M.holder == holder)
    if due_before is not None:
        query = query.where(_M.time_limit < due_before)
    if statuses:
        query = query.where(_M.status.in_(statuses))
    if office is not None:
        where = [_M.destination_office == office, _M.arrival_office == office]
        if not destination:
            # The JSON list holds quoted codes: '"KZHOR"' matches one element exactly.
            where += [_M.departure_office == office, _M.transit_offices.contains(f'"{office}"')]
        query = query.where(sa.or_(*where))
    rows = conn.execute(query.order_by(_M.id.desc()).limit(limit))
    return [r for r in (_movement(row) for row in rows) if r is not None]


def overdue(
    conn: sa.Connection, statuses: tuple[str, ...], due_before: dt.date, limit: int
) -> list[str]:
    """The MRNs of movements declared here, in ``statuses``, whose time limit is before
    ``due_before`` (oldest first)."""
    query = (
        sa.select(_M.mrn)
        .where(_M.role == "departure", _M.status.in_(statuses), _M.time_limit < due_before)
        .order_by(_M.id)
        .limit(limit)
    )
    return list(conn.scalars(query))


def unanswered(conn: sa.Connection, now: dt.datetime, limit: int) -> list[str]:
    """The MRNs of movements declared here under enquiry whose answer was due by ``now``."""
    query = (
        sa.select(_M.mrn)
        .where(_M.role == "departure", _M.status == "enquiry", _M.enquiry_due <= now)
        .order_by(_M.id)
        .limit(limit)
    )
    return list(conn.scalars(query))


def add_step(
    conn: sa.Connection, movement_id: int, step: str, office: str, at: dt.datetime, actor: str,
    detail: dict[str, Any] | None = None,
) -> bool:  # fmt: skip
    """Record a step once; False when it was recorded before (the caller holds the movement's
    lock, so no other transaction records it meanwhile)."""
    seen = conn.execute(
        sa.select(_S.id).where(_S.movement_id == movement_id, _S.step == step, _S.office == office)
    ).first()
    if seen is not None:
        return False
    conn.execute(transit_steps.insert().values(
        movement_id=movement_id, step=step, office=office, at=at, actor=actor,
        detail=None if detail is None else orjson.dumps(detail).decode(),
    ))  # fmt: skip
    return True


def steps(conn: sa.Connection, movement_id: int) -> list[dict[str, Any]]:
    rows = as_dicts(
        conn.execute(
            sa.select(transit_steps).where(_S.movement_id == movement_id).order_by(_S.at, _S.id)
        )
    )
    return [{**r, "detail": orjson.loads(r["detail"]) if r["detail"] else None} for r in rows]


# -- guarantees --------------------------------------------------------------------------------


def add_guarantee(conn: sa.Connection, row: dict[str, Any]) -> None:
    conn.execute(transit_guarantees.insert().values(**row))


def guarantee(conn: sa.Connection, reference: str) -> dict[str, Any] | None:
    found = conn.execute(sa.select(transit_guarantees).where(_G.reference == reference)).first()
    return None if found is None else as_dict(found)


def guarantees(conn: sa.Connection, holder: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(transit_guarantees)
    if holder is not None:
        query = query.where(_G.holder == holder)
    return as_dicts(conn.execute(query.order_by(_G.reference)))


def _settled(amount: Any) -> Any:
    """The balance after a change, to the thousandth, computed by the database so that the
    conditional UPDATE stays one statement. SQLite keeps NUMERIC as binary floating point
    and reckons in it: without the rounding, thousands of reservations on a large guarantee
    would drift by fractions of a cent (PostgreSQL's numeric is exact; ROUND is a no-op)."""
    return sa.func.round(amount, 3)


def reserve(
    conn: sa.Connection, reference: str, holder: str, mrn: str, amount: Decimal, at: dt.datetime
) -> bool:
    """Take ``amount`` from the guarantee for ``mrn`` if its holder's balance covers it (and an
    individual guarantee or TIR carnet is unused); False, and nothing changed, when it does
    not."""
    taken = conn.execute(
        transit_guarantees.update()
        .where(
            _G.reference == reference,
            _G.holder == holder,
            _G.balance >= amount,
            sa.or_(_G.kind == "comprehensive", _G.uses == 0),
        )
        .values(balance=_settled(_G.balance - amount), uses=_G.uses + 1)
    ).rowcount
    if taken != 1:
        return False
    conn.execute(
        transit_reservations.insert().values(
            guarantee=reference, mrn=mrn, amount=amount, reserved_at=at
        )
    )
    return True


def free(conn: sa.Connection, mrn: str, at: dt.datetime) -> Decimal:
    """Give back what ``mrn`` holds of its guarantee (once); the amount given back."""
    held = conn.execute(
        sa.select(_R.id, _R.guarantee, _R.amount).where(_R.mrn == mrn, _R.freed_at.is_(None))
    ).first()
    if held is None:
        return Decimal(0)
    done = conn.execute(
        transit_reservations.update()
        .where(_R.id == held.id, _R.freed_at.is_(None))
        .values(freed_at=at)
    ).rowcount
    if done != 1:
        return Decimal(0)
    conn.execute(
        transit_guarantees.update()
        .where(_G.reference == held.guarantee)
        .values(balance=_settled(_G.balance + held.amount))
    )
    return Decimal(held.amount)


def recover(conn: sa.Connection, mrn: str, at: dt.datetime) -> Decimal:
    """Keep what ``mrn`` holds of its guarantee as the duty recovered (once): the balance is
    not given back. The amount recovered (0 when nothing was held)."""
    held = conn.execute(
        sa.select(_R.id, _R.amount).where(_R.mrn == mrn, _R.freed_at.is_(None))
    ).first()
    if held is None:
        return Decimal(0)
    done = conn.execute(
        transit_reservations.update()
        .where(_R.id == held.id, _R.freed_at.is_(None))
        .values(freed_at=at, recovered_at=at)
    ).rowcount
    return Decimal(held.amount) if done == 1 else Decimal(0)


def reservations(conn: sa.Connection, reference: str) -> list[dict[str, Any]]:
    return as_dicts(
        conn.execute(
            sa.select(transit_reservations).where(_R.guarantee == reference).order_by(_R.id)
        )
    )
