"""This node's signing keys, and the partners it exchanges with and their keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.exchange_rows import as_dict, as_dicts
from silkgate.store.tables import (
    exchange_partners,
    node_keys,
    partner_keys,
)

# -- this node's keys --------------------------------------------------------------------


def node_keys_all(conn: sa.Connection) -> list[dict[str, Any]]:
    return as_dicts(conn.execute(node_keys.select().order_by(node_keys.c.created_at)))


def add_node_key(conn: sa.Connection, **row: Any) -> None:
    conn.execute(node_keys.update().where(node_keys.c.signing).values(signing=False))
    conn.execute(node_keys.insert().values(signing=True, **row))


def retire_node_key(conn: sa.Connection, kid: str, valid_to: dt.datetime) -> None:
    conn.execute(node_keys.update().where(node_keys.c.kid == kid).values(valid_to=valid_to))


# -- partners ------------------------------------------------------------------------------


def partner(conn: sa.Connection, administration: str) -> dict[str, Any] | None:
    row = conn.execute(
        exchange_partners.select().where(exchange_partners.c.administration == administration)
    ).first()
    return None if row is None else _partner(as_dict(row))


def _partner(row: dict[str, Any]) -> dict[str, Any]:
    row["agreements"] = orjson.loads(row["agreements"])
    return row


def partners(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(exchange_partners.select().order_by(exchange_partners.c.administration))
    return [_partner(r) for r in as_dicts(rows)]


def upsert_partner(conn: sa.Connection, row: dict[str, Any], keys: list[dict[str, Any]]) -> bool:
    """Register or update a partner and replace its keys; True when it is new."""
    p = exchange_partners.c
    values = {**row, "agreements": orjson.dumps(row["agreements"]).decode()}
    exists = conn.execute(
        sa.select(p.administration).where(p.administration == row["administration"])
    ).first()
    if exists:
        values.pop("registered_at", None)
        conn.execute(
            exchange_partners.update()
            .where(p.administration == row["administration"])
            .values(**values)
        )
    else:
        conn.execute(exchange_partners.insert().values(**values))
    conn.execute(
        partner_keys.delete().where(partner_keys.c.administration == row["administration"])
    )
    if keys:
        conn.execute(partner_keys.insert(), keys)
    return not exists


def partner_keys_all(conn: sa.Connection) -> list[dict[str, Any]]:
    return as_dicts(conn.execute(partner_keys.select()))


def partner_keys_of(conn: sa.Connection, administration: str) -> list[dict[str, Any]]:
    return as_dicts(
        conn.execute(
            partner_keys.select()
            .where(partner_keys.c.administration == administration)
            .order_by(partner_keys.c.valid_from)
        )
    )
