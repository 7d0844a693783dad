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


# -- questions ---------------------------------------------------------------------------------


def declarant_of(conn: sa.Connection, declaration_id: int) -> str:
    """The trader identifier a declaration was lodged under."""
    row = conn.execute(
        sa.select(t.declarations.c.declarant_id).where(t.declarations.c.id == declaration_id)
    ).one()
    return str(row.declarant_id)


def ask(conn: sa.Connection, row: dict[str, Any]) -> int:
    found = conn.execute(
        sa.insert(t.portal_questions).values(**row).returning(t.portal_questions.c.id)
    ).one()
    return int(found.id)


def answer_open(
    conn: sa.Connection, declaration_id: int, answer: str, at: dt.datetime, by: str
) -> int | None:
    """Record the answer to the declaration's open question; its id (None: none open)."""
    q = t.portal_questions
    row = conn.execute(
        sa.select(q.c.id)
        .where(q.c.declaration_id == declaration_id, q.c.answered_at.is_(None))
        .order_by(q.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    conn.execute(
        sa.update(q).where(q.c.id == row.id).values(answer=answer, answered_at=at, answered_by=by)
    )
    return int(row.id)


def open_question(conn: sa.Connection, declaration_id: int) -> int | None:
    q = t.portal_questions
    row = conn.execute(
        sa.select(q.c.id)
        .where(q.c.declaration_id == declaration_id, q.c.answered_at.is_(None))
        .order_by(q.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else int(row.id)


def questions(
    conn: sa.Connection, *, party_id: str | None = None, declaration_id: int | None = None
) -> list[dict[str, Any]]:
    """Questions, newest first, with the declaration's status now (a trader's only, or one
    declaration's only)."""
    q, d = t.portal_questions, t.declarations
    query = (
        sa.select(q, d.c.status)
        .join(d, d.c.id == q.c.declaration_id)
        .order_by(q.c.id.desc())
        .limit(500)
    )
    if party_id is not None:
        query = query.where(q.c.party_id == party_id)
    if declaration_id is not None:
        query = query.where(q.c.declaration_id == declaration_id)
    return [dict(r._mapping) for r in conn.execute(query)]


# -- documents ---------------------------------------------------------------------------------


def add_document(conn: sa.Connection, row: dict[str, Any]) -> int:
    found = conn.execute(
        sa.insert(t.portal_documents).values(**row).returning(t.portal_documents.c.id)
    ).one()
    return int(found.id)


def documents(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(t.portal_documents)
        .where(t.portal_documents.c.declaration_id == declaration_id)
        .order_by(t.portal_documents.c.id)
    )
    return [dict(r._mapping) for r in rows]


def document(conn: sa.Connection, document_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(t.portal_documents).where(t.portal_documents.c.id == document_id)
    ).first()
    return None if row is None else dict(row._mapping)


# -- payments the trader records ---------------------------------------------------------------


def add_claim(conn: sa.Connection, row: dict[str, Any]) -> int:
    found = conn.execute(
        sa.insert(t.portal_payments).values(**row).returning(t.portal_payments.c.id)
    ).one()
    return int(found.id)


def claim(conn: sa.Connection, claim_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(t.portal_payments).where(t.portal_payments.c.id == claim_id)
    ).first()
    return None if row is None else dict(row._mapping)


def claims(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(t.portal_payments)
        .where(t.portal_payments.c.declaration_id == declaration_id)
        .order_by(t.portal_payments.c.id)
    )
    return [dict(r._mapping) for r in rows]


def decide_claim(conn: sa.Connection, claim_id: int, status: str, at: dt.datetime, by: str) -> bool:
    """Confirm or refuse a claim still open; whether it was."""
    done = conn.execute(
        sa.update(t.portal_payments)
        .where(t.portal_payments.c.id == claim_id, t.portal_payments.c.status == "claimed")
        .values(status=status, decided_at=at, decided_by=by)
    )
    return done.rowcount == 1


# -- webhooks and their outbox -----------------------------------------------------------------


def set_webhook(conn: sa.Connection, party_id: str, url: str, secret: str, at: dt.datetime) -> None:
    w = t.portal_webhooks
    conn.execute(sa.delete(w).where(w.c.party_id == party_id))
    if url:
        conn.execute(sa.insert(w).values(party_id=party_id, url=url, secret=secret, updated_at=at))


def webhook(conn: sa.Connection, party_id: str) -> dict[str, Any] | None:
    w = t.portal_webhooks
    row = conn.execute(sa.select(w).where(w.c.party_id == party_id)).first()
    return None if row is None else dict(row._mapping)


def webhook_party(conn: sa.Connection, declaration_id: int) -> str | None:
    """The trader a declaration was lodged under, if that trader has a webhook; else None."""
    d, w = t.declarations, t.portal_webhooks
    found = conn.execute(
        sa.select(w.c.party_id)
        .join(d, d.c.declarant_id == w.c.party_id)
        .where(d.c.id == declaration_id)
    ).scalar()
    return None if found is None else str(found)


def enqueue(conn: sa.Connection, row: dict[str, Any]) -> None:
    conn.execute(sa.insert(t.portal_outbox).values(**row))


def due(conn: sa.Connection, at: dt.datetime, limit: int) -> list[dict[str, Any]]:
    o, w = t.portal_outbox, t.portal_webhooks
    rows = conn.execute(
        sa.select(o, w.c.url, w.c.secret)
        .join(w, w.c.party_id == o.c.party_id)
        .where(o.c.delivered_at.is_(None), o.c.next_at <= at, o.c.attempts < 20)
        .order_by(o.c.id)
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def took(conn: sa.Connection, row_id: int, seen: dt.datetime, until: dt.datetime) -> bool:
    """Take a due row for delivery (until ``until``): False if another process took it."""
    o = t.portal_outbox
    done = conn.execute(
        sa.update(o).where(o.c.id == row_id, o.c.next_at == seen).values(next_at=until)
    )
    return done.rowcount == 1


def delivered(
    conn: sa.Connection, row_id: int, at: dt.datetime | None, error: str | None, retry: dt.datetime
) -> None:
    o = t.portal_outbox
    values: dict[str, Any] = {"attempts": o.c.attempts + 1, "last_error": error}
    if at is not None:
        values["delivered_at"] = at
    else:
        values["next_at"] = retry
    conn.execute(sa.update(o).where(o.c.id == row_id).values(**values))


def outbox_of(conn: sa.Connection, party_id: str, limit: int = 20) -> list[dict[str, Any]]:
    o = t.portal_outbox
    rows = conn.execute(
        sa.select(o).where(o.c.party_id == party_id).order_by(o.c.id.desc()).limit(limit)
    )
    return [dict(r._mapping) for r in rows]
