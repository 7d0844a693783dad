"""Retroactive verification requests (both sides) and the duty each one recovered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.exchange_rows import as_dict, as_dicts
from silkgate.store.tables import (
    MAX_ID,
    declarations,
    origin_claims,
    origin_verification_recoveries,
    origin_verifications,
)

_V = origin_verifications.c
_R = origin_verification_recoveries.c
_K = origin_claims.c


def _row(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    row = as_dict(found)
    return {**row, "documents": orjson.loads(row["documents"])}


def add(conn: sa.Connection, row: dict[str, Any]) -> int:
    values = {**row, "documents": orjson.dumps(row["documents"]).decode()}
    key = conn.execute(origin_verifications.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def get(
    conn: sa.Connection, side: str, verification_id: int, *, for_update: bool = False
) -> dict[str, Any] | None:
    if not 0 < verification_id <= MAX_ID:
        return None  # no row has such an id (and PostgreSQL would refuse the number)
    query = origin_verifications.select().where(_V.side == side, _V.id == verification_id)
    return _row(conn.execute(query.with_for_update() if for_update else query).first())


def by_reference(
    conn: sa.Connection, side: str, reference: str, *, for_update: bool = False
) -> dict[str, Any] | None:
    query = origin_verifications.select().where(_V.side == side, _V.reference == reference)
    return _row(conn.execute(query.with_for_update() if for_update else query).first())


def listing(
    conn: sa.Connection,
    side: str,
    *,
    status: str | None = None,
    past: dt.date | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The requests of one side, newest first; ``past``: only open ones due before that day."""
    query = origin_verifications.select().where(_V.side == side)
    if status is not None:
        query = query.where(_V.status == status)
    if past is not None:
        query = query.where(_V.status == "open", _V.deadline < past)
    rows = conn.execute(query.order_by(_V.id.desc()).limit(limit))
    return [r for r in (_row(x) for x in rows) if r is not None]


def open_for(conn: sa.Connection, number: str) -> bool:
    """Whether a request sent about the certificate ``number`` is still open."""
    query = sa.select(_V.id).where(_V.side == "sent", _V.number == number, _V.status == "open")
    return conn.execute(query.limit(1)).first() is not None


def close(conn: sa.Connection, verification_id: int, values: dict[str, Any]) -> bool:
    """Close an open request; False when it was no longer open."""
    done = conn.execute(
        origin_verifications.update()
        .where(_V.id == verification_id, _V.status == "open")
        .values(**values)
    )
    return done.rowcount == 1


def add_recovered(conn: sa.Connection, verification_id: int, amount: Decimal) -> None:
    conn.execute(
        origin_verifications.update()
        .where(_V.id == verification_id)
        .values(recovered=_V.recovered + amount)
    )


def given_on(conn: sa.Connection, number: str) -> dict[int, list[int]]:
    """The declarations whose items were given a preference on e-CO ``number``: their items."""
    rows = conn.execute(
        sa.select(_K.declaration_id, _K.item)
        .where(_K.number == number, _K.treatment == "given")
        .order_by(_K.declaration_id, _K.item)
    )
    out: dict[int, list[int]] = {}
    for declaration_id, item in rows:
        out.setdefault(declaration_id, []).append(item)
    return out


def add_recovery(conn: sa.Connection, row: dict[str, Any]) -> None:
    conn.execute(origin_verification_recoveries.insert().values(**row))


def recoveries(conn: sa.Connection, verification_id: int) -> list[dict[str, Any]]:
    d = declarations.c
    return as_dicts(
        conn.execute(
            sa.select(d.mrn, d.status, _R.version, _R.amount, _R.at)
            .join(declarations, d.id == _R.declaration_id)
            .where(_R.verification_id == verification_id)
            .order_by(_R.id)
        )
    )
