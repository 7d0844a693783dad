"""Advance export data, the imports matched to it, partners' inspection results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.exchange_rows import as_dict, as_dicts
from silkgate.store.tables import (
    advance_export_data,
    advance_links,
    import_match_keys,
    partner_inspection_results,
)

# -- advance export data ---------------------------------------------------------------------


def upsert_advance(conn: sa.Connection, row: dict[str, Any]) -> int:
    a = advance_export_data.c
    found = conn.execute(
        sa.select(a.id).where(
            a.sender == row["sender"], a.export_declaration == row["export_declaration"]
        )
    ).scalar()
    if found is None:
        insert = advance_export_data.insert().values(**row).returning(a.id)
        return int(conn.execute(insert).scalar_one())
    conn.execute(advance_export_data.update().where(a.id == found).values(**row))
    return int(found)


def advance_ids(conn: sa.Connection, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (sender, export declaration) pairs are held already."""
    if not keys:
        return set()
    a = advance_export_data.c
    rows = conn.execute(
        sa.select(a.sender, a.export_declaration).where(
            a.export_declaration.in_({e for _, e in keys})
        )
    )
    return {(s, e) for s, e in rows} & set(keys)


def insert_advance_many(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(advance_export_data.insert(), rows)


def advance(conn: sa.Connection, advance_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        advance_export_data.select().where(advance_export_data.c.id == advance_id)
    ).first()
    return None if row is None else _advance(as_dict(row))


def _advance(row: dict[str, Any]) -> dict[str, Any]:
    row["payload"] = orjson.loads(row["payload"])
    if "mismatches" in row:
        row["mismatches"] = orjson.loads(row["mismatches"])
    return row


def advance_of_declaration(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    """The advance data linked to a declaration, with what the comparison found."""
    a, k = advance_export_data.c, advance_links.c
    rows = conn.execute(
        sa.select(advance_export_data, k.linked_at, k.mismatches, k.version)
        .join(advance_links, k.advance_id == a.id)
        .where(k.declaration_id == declaration_id)
        .order_by(a.id)
    )
    return [_advance(r) for r in as_dicts(rows)]


def advance_list(
    conn: sa.Connection, *, linked: bool | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Advance data received, newest first, each with when it was first linked to an import
    (``linked_at``, None while no import matches it)."""
    a, k = advance_export_data.c, advance_links.c
    first_link = sa.select(sa.func.min(k.linked_at)).where(k.advance_id == a.id).scalar_subquery()
    q = (
        sa.select(advance_export_data, first_link.label("linked_at"))
        .order_by(a.id.desc())
        .limit(limit)
    )
    has_link = sa.exists().where(k.advance_id == a.id)
    if linked is True:
        q = q.where(has_link)
    elif linked is False:
        q = q.where(~has_link)
    return [_advance(r) for r in as_dicts(conn.execute(q))]


def links_of(conn: sa.Connection, advance_ids: list[int]) -> dict[int, list[int]]:
    """The declarations each advance data is linked to."""
    if not advance_ids:
        return {}
    k = advance_links.c
    out: dict[int, list[int]] = {}
    for advance_id, declaration_id in conn.execute(
        sa.select(k.advance_id, k.declaration_id)
        .where(k.advance_id.in_(advance_ids))
        .order_by(k.linked_at)
    ):
        out.setdefault(advance_id, []).append(declaration_id)
    return out


def find_advance(
    conn: sa.Connection,
    *,
    export_declarations: list[str],
    ucr: str | None,
    transport_document: str,
    dispatch_country: str,
) -> dict[str, Any] | None:
    """The advance data an import declaration matches, best key first (linked or not)."""
    a = advance_export_data.c
    base = advance_export_data.select().order_by(a.id.desc())
    for cond in (
        a.export_declaration.in_(export_declarations) if export_declarations else None,
        (a.ucr == ucr) if ucr else None,
        sa.and_(a.transport_document == transport_document, a.sender == dispatch_country),
    ):
        if cond is None:
            continue
        row = conn.execute(base.where(cond).limit(1)).first()
        if row is not None:
            return _advance(as_dict(row))
    return None


def link_advance(
    conn: sa.Connection,
    advance_id: int,
    declaration_id: int,
    version: int,
    at: dt.datetime,
    mismatches: list[Any],
) -> None:
    """Record (or refresh, after an amendment) the comparison of an import with advance data."""
    k = advance_links.c
    values = {"version": version, "linked_at": at, "mismatches": orjson.dumps(mismatches).decode()}
    done = conn.execute(
        advance_links.update()
        .where(k.advance_id == advance_id, k.declaration_id == declaration_id)
        .values(**values)
    )
    if not done.rowcount:
        conn.execute(
            advance_links.insert().values(
                advance_id=advance_id, declaration_id=declaration_id, **values
            )
        )


def linked_advance(
    conn: sa.Connection, sender: str, export_declaration: str
) -> tuple[dict[str, Any], list[int]] | None:
    """Advance data from ``sender`` for an export, and the declarations linked to it."""
    a = advance_export_data.c
    row = conn.execute(
        advance_export_data.select().where(
            a.sender == sender, a.export_declaration == export_declaration
        )
    ).first()
    if row is None:
        return None
    found = _advance(as_dict(row))
    return found, links_of(conn, [found["id"]]).get(found["id"], [])


# -- partner inspection results ------------------------------------------------------------


def add_partner_result(conn: sa.Connection, **row: Any) -> int:
    table = partner_inspection_results
    return int(conn.execute(table.insert().values(**row).returning(table.c.id)).scalar_one())


def pending_partner_results(
    conn: sa.Connection, sender: str, export_declaration: str
) -> list[dict[str, Any]]:
    r = partner_inspection_results.c
    rows = conn.execute(
        partner_inspection_results.select()
        .where(
            r.sender == sender, r.export_declaration == export_declaration, r.applied_at.is_(None)
        )
        .order_by(r.id)
    )
    return [{**row, "payload": orjson.loads(row["payload"])} for row in as_dicts(rows)]


def mark_partner_result(conn: sa.Connection, result_id: int, at: dt.datetime) -> None:
    conn.execute(
        partner_inspection_results.update()
        .where(partner_inspection_results.c.id == result_id)
        .values(applied_at=at)
    )


# -- imports waiting for advance data -------------------------------------------------------


def expect_advance(conn: sa.Connection, declaration_id: int, keys: list[str]) -> None:
    if keys:
        conn.execute(
            import_match_keys.insert(),
            [{"key": k, "declaration_id": declaration_id} for k in dict.fromkeys(keys)],
        )


def expecting(conn: sa.Connection, keys: list[str]) -> list[int]:
    """Declarations waiting under any of ``keys``, in the order of the keys."""
    m = import_match_keys.c
    rows = conn.execute(sa.select(m.key, m.declaration_id).where(m.key.in_(keys))).all()
    order = {k: i for i, k in enumerate(keys)}
    return [d for _, d in sorted(rows, key=lambda r: (order[r[0]], r[1]))]


def expecting_keys(conn: sa.Connection, keys: list[str]) -> set[str]:
    """Which of ``keys`` an import declaration is waiting under."""
    if not keys:
        return set()
    m = import_match_keys.c
    return set(conn.execute(sa.select(m.key).where(m.key.in_(set(keys)))).scalars())


def stop_expecting(conn: sa.Connection, declaration_id: int) -> None:
    conn.execute(
        import_match_keys.delete().where(import_match_keys.c.declaration_id == declaration_id)
    )
