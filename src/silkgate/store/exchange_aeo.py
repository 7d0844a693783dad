"""The AEO register, and the lists partners share under mutual recognition."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from silkgate.store.exchange_rows import as_dict, as_dicts
from silkgate.store.tables import (
    aeo_events,
    aeo_operators,
    partner_aeo,
)

# -- AEO ---------------------------------------------------------------------------------------


def aeo(conn: sa.Connection, party_id: str, for_update: bool = False) -> dict[str, Any] | None:
    q = aeo_operators.select().where(aeo_operators.c.party_id == party_id)
    if for_update and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    return None if row is None else as_dict(row)


def save_aeo(
    conn: sa.Connection, party_id: str, values: dict[str, Any], administration: str, *, exists: bool
) -> None:
    """Write an operator's entry in the register (a new one, or a change of status)."""
    if exists:
        conn.execute(
            aeo_operators.update().where(aeo_operators.c.party_id == party_id).values(**values)
        )
    else:
        conn.execute(
            aeo_operators.insert().values(
                party_id=party_id, administration=administration, **values
            )
        )


def aeo_history(conn: sa.Connection, party_id: str) -> list[dict[str, Any]]:
    e = aeo_events.c
    return as_dicts(conn.execute(aeo_events.select().where(e.party_id == party_id).order_by(e.id)))


def aeo_event(conn: sa.Connection, **row: Any) -> None:
    conn.execute(aeo_events.insert().values(**row))


def aeo_register(conn: sa.Connection) -> list[dict[str, Any]]:
    return as_dicts(conn.execute(aeo_operators.select().order_by(aeo_operators.c.party_id)))


def replace_partner_aeo(
    conn: sa.Connection, administration: str, version: dt.datetime, rows: list[dict[str, Any]]
) -> bool:
    """Replace a partner's list unless a newer one is held; True when replaced."""
    p = partner_aeo.c
    held = conn.execute(
        sa.select(sa.func.max(p.list_version)).where(p.administration == administration)
    ).scalar()
    if held is not None and held.replace(tzinfo=dt.UTC) > version:
        return False
    conn.execute(partner_aeo.delete().where(p.administration == administration))
    if rows:
        conn.execute(partner_aeo.insert(), rows)
    return True


def partner_aeo_list(
    conn: sa.Connection, administration: str | None = None
) -> list[dict[str, Any]]:
    p = partner_aeo.c
    q = partner_aeo.select().order_by(p.administration, p.party_id)
    if administration:
        q = q.where(p.administration == administration)
    return as_dicts(conn.execute(q))


def partner_aeo_in_force(
    conn: sa.Connection, on: dt.date, administrations: list[str]
) -> frozenset[str]:
    """``"VN:0312345678"`` for each partner AEO granted and valid on ``on``."""
    if not administrations:
        return frozenset()
    p = partner_aeo.c
    rows = conn.execute(
        sa.select(p.administration, p.party_id).where(
            p.administration.in_(administrations),
            p.status == "granted",
            p.valid_from <= on,
            sa.or_(p.valid_to.is_(None), p.valid_to >= on),
        )
    )
    return frozenset(f"{a}:{pid}" for a, pid in rows)


def partner_aeo_version(conn: sa.Connection) -> Any:
    return conn.execute(sa.select(sa.func.max(partner_aeo.c.received_at))).scalar()
