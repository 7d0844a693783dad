"""The trader's portal's rows: drafts, questions, documents, payments claimed, webhooks and
the notifications' outbox; and the code lists the declaration form searches."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store import tables as t

# -- drafts ------------------------------------------------------------------------------------


def save_draft(
    conn: sa.Connection,
    draft_id: int | None,
    party_id: str,
    title: str,
    fields: dict[str, str],
    at: dt.datetime,
    by: str,
) -> int:
    """Store a draft (a new one when ``draft_id`` is None); its id."""
    values = {"title": title, "fields": orjson.dumps(fields).decode(), "updated_at": at}
    if draft_id is not None:
        conn.execute(
            sa.update(t.portal_drafts)
            .where(t.portal_drafts.c.id == draft_id, t.portal_drafts.c.party_id == party_id)
            .values(**values, updated_by=by)
        )
        return draft_id
    row = conn.execute(
        sa.insert(t.portal_drafts)
        .values(party_id=party_id, created_at=at, updated_by=by, **values)
        .returning(t.portal_drafts.c.id)
    ).one()
    return int(row.id)


def draft(conn: sa.Connection, draft_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(t.portal_drafts).where(t.portal_drafts.c.id == draft_id)).first()
    if row is None:
        return None
    found = dict(row._mapping)
    found["fields"] = orjson.loads(found["fields"])
    return found


def drafts_of(conn: sa.Connection, party_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(
            t.portal_drafts.c.id,
            t.portal_drafts.c.title,
            t.portal_drafts.c.updated_at,
            t.portal_drafts.c.updated_by,
        )
        .where(t.portal_drafts.c.party_id == party_id)
        .order_by(t.portal_drafts.c.updated_at.desc())
    )
    return [dict(r._mapping) for r in rows]


def delete_draft(conn: sa.Connection, draft_id: int, party_id: str) -> None:
    conn.execute(
        sa.delete(t.portal_drafts).where(
            t.portal_drafts.c.id == draft_id, t.portal_drafts.c.party_id == party_id
        )
    )


# -- code lists --------------------------------------------------------------------------------

_LISTS: dict[str, tuple[sa.Table, str, str]] = {
    "countries": (t.countries, "alpha2", "name"),
    "currencies": (t.currencies, "code", "name"),
    "units": (t.units, "code", "name"),
    "packages": (t.package_types, "code", "name"),
    "locations": (t.locations, "code", "name"),
    "offices": (t.offices, "code", "name"),
}


def code_lists() -> frozenset[str]:
    return frozenset(_LISTS)


def search_codes(conn: sa.Connection, kind: str, q: str, limit: int = 30) -> list[tuple[str, str]]:
    """(code, name) of list ``kind`` whose code starts with ``q`` or whose name holds it."""
    table, code_col, name_col = _LISTS[kind]
    code, name = table.c[code_col], table.c[name_col]
    query = sa.select(code, name).order_by(code).limit(limit)
    q = q.strip()
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            sa.or_(
                code.like(f"{escaped.upper()}%", escape="\\"),
                sa.func.lower(name).like(f"%{escaped.lower()}%", escape="\\"),
            )
        )
    return [(str(r[0]), str(r[1])) for r in conn.execute(query)]
