"""Declarations, their versions and items in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.aggregate import Declaration, DeclarationState
from silkgate.declarations.document import DeclarationDocument
from silkgate.store.tables import (
    declaration_items,
    declaration_versions,
    declarations,
    idempotency_keys,
)

# The stored columns are the aggregate's state.
StoredDeclaration = DeclarationState

_FIELDS = frozenset(StoredDeclaration.__dataclass_fields__)
_COLUMNS = [declarations.c[f] for f in StoredDeclaration.__dataclass_fields__]


def _summary(doc: DeclarationDocument) -> dict[str, Any]:
    return {
        "type": doc.type,
        "office": doc.office,
        "declarant_id": doc.declarant.id,
        "lrn": doc.lrn,
        "currency": doc.invoice.currency,
        "invoice_amount": doc.invoice.amount,
        "item_count": len(doc.items),
        "arrival_date": doc.transport.arrival_date,
    }


def dump_document(doc: DeclarationDocument) -> str:
    return orjson.dumps(doc.model_dump(mode="json", exclude_none=True)).decode()


# Statements are built once: building them per call costs more than running them.
_INSERT_VERSION = declaration_versions.insert()
_INSERT_ITEM = declaration_items.insert()
_INSERT_DECLARATIONS = declarations.insert().returning(*_COLUMNS, sort_by_parameter_order=True)
_INSERT_IDEMPOTENCY = idempotency_keys.insert()


def _item_rows(doc: DeclarationDocument) -> list[dict[str, Any]]:
    """``declaration_items`` rows of a document, without the declaration id and version."""
    return [
        {
            "seq": item.seq,
            "hs_code": item.hs_code,
            "origin": item.origin,
            "description": item.description,
            "value": item.value,
            "net_mass_kg": item.net_mass_kg,
            "preference": item.preference.agreement if item.preference else None,
        }
        for item in doc.items
    ]


def _write_version(
    conn: sa.Connection,
    declaration_id: int,
    version: int,
    doc: DeclarationDocument,
    at: dt.datetime,
    actor: str,
    reason: str | None,
) -> None:
    conn.execute(
        _INSERT_VERSION,
        [
            {
                "declaration_id": declaration_id,
                "version": version,
                "document": dump_document(doc),
                "created_at": at,
                "created_by": actor,
                "reason": reason,
            }
        ],
    )
    conn.execute(
        _INSERT_ITEM,
        [{"declaration_id": declaration_id, "version": version, **row} for row in _item_rows(doc)],
    )


@dataclass(frozen=True)
class NewDeclaration:
    """The rows of a new declaration, built before the write transaction needs them.

    Serialising the document and building item rows is most of the Python
    work of storing; done early (on the request's thread) it keeps the time
    the database write lock is held short.
    """

    columns: dict[str, Any]  # the document's columns of ``declarations``
    document: str  # normalised JSON of version 1
    items: list[dict[str, Any]]  # ``declaration_items`` rows, without the ids


def new_declaration(doc: DeclarationDocument) -> NewDeclaration:
    return NewDeclaration(_summary(doc), dump_document(doc), _item_rows(doc))


def draft(mrn: str, new: NewDeclaration, at: dt.datetime) -> StoredDeclaration:
    """The state of a declaration about to be lodged (its id comes with the insert)."""
    columns = {k: v for k, v in new.columns.items() if k in _FIELDS}
    return StoredDeclaration(
        id=0, mrn=mrn, status="lodged", version=1, lodged_at=at, updated_at=at, **columns
    )


def insert_many(
    conn: sa.Connection,
    lodgings: list[tuple[Declaration, NewDeclaration, str]],
    at: dt.datetime,
) -> list[StoredDeclaration]:
    """Insert new declarations ``(aggregate, rows, actor)`` at version 1, in three statements."""
    rows = conn.execute(
        _INSERT_DECLARATIONS,
        [
            {
                "mrn": d.state.mrn,
                "status": d.status.value,
                "channel": d.channel,
                "version": 1,
                "lodged_at": at,
                "updated_at": at,
                **new.columns,
            }
            for d, new, _actor in lodgings
        ],
    ).all()
    stored = [StoredDeclaration(*row) for row in rows]
    versions: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for d, (declaration, new, actor) in zip(stored, lodgings, strict=True):
        declaration.stored(d)
        versions.append(
            {
                "declaration_id": d.id,
                "version": 1,
                "document": new.document,
                "created_at": at,
                "created_by": actor,
                "reason": None,
            }
        )
        items.extend({"declaration_id": d.id, "version": 1, **row} for row in new.items)
    conn.execute(_INSERT_VERSION, versions)
    conn.execute(_INSERT_ITEM, items)
    return stored


def add_version(
    conn: sa.Connection,
    declaration: Declaration,
    doc: DeclarationDocument,
    at: dt.datetime,
    actor: str,
    reason: str | None,
) -> StoredDeclaration:
    """Store the aggregate's new version (amended or corrected) with its status and channel."""
    current = declaration.state
    row = conn.execute(
        declarations.update()
        .where(declarations.c.id == current.id, declarations.c.version == current.version)
        .values(
            status=declaration.status.value,
            channel=declaration.channel,
            version=declaration.version,
            updated_at=at,
            **_summary(doc),
        )
        .returning(*_COLUMNS)
    ).one()
    _write_version(conn, current.id, declaration.version, doc, at, actor, reason)
    declaration.stored(StoredDeclaration(*row))
    return declaration.state


def save(conn: sa.Connection, declaration: Declaration, at: dt.datetime) -> StoredDeclaration:
    """Write the aggregate's status and channel (the only place a status is written)."""
    if not declaration.changed:
        return declaration.state
    row = conn.execute(
        declarations.update()
        .where(declarations.c.id == declaration.state.id)
        .values(status=declaration.status.value, channel=declaration.channel, updated_at=at)
        .returning(*_COLUMNS)
    ).one()
    declaration.stored(StoredDeclaration(*row))
    return declaration.state


def get(conn: sa.Connection, mrn: str, *, for_update: bool = False) -> StoredDeclaration | None:
    query = sa.select(*_COLUMNS).where(declarations.c.mrn == mrn)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else StoredDeclaration(*row)


def get_by_id(
    conn: sa.Connection, declaration_id: int, *, for_update: bool = False
) -> StoredDeclaration | None:
    query = sa.select(*_COLUMNS).where(declarations.c.id == declaration_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else StoredDeclaration(*row)


def document(conn: sa.Connection, declaration_id: int, version: int) -> dict[str, Any] | None:
    text = conn.execute(
        sa.select(declaration_versions.c.document).where(
            declaration_versions.c.declaration_id == declaration_id,
            declaration_versions.c.version == version,
        )
    ).scalar()
    return None if text is None else orjson.loads(text)


def declarant_names(conn: sa.Connection, declarations_: list[StoredDeclaration]) -> dict[int, str]:
    """The declarant's name as each declaration's current version gives it, by id."""
    if not declarations_:
        return {}
    v = declaration_versions.c
    current = sa.tuple_(v.declaration_id, v.version).in_([(d.id, d.version) for d in declarations_])
    rows = conn.execute(sa.select(v.declaration_id, v.document).where(current))
    return {i: orjson.loads(text)["declarant"].get("name", "") for i, text in rows}


def versions(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(
            declaration_versions.c.version,
            declaration_versions.c.created_at,
            declaration_versions.c.created_by,
            declaration_versions.c.reason,
        )
        .where(declaration_versions.c.declaration_id == declaration_id)
        .order_by(declaration_versions.c.version)
    )
    # str(): column labels are a str subclass that orjson refuses as keys.
    return [{str(k): v for k, v in r._mapping.items()} for r in rows]


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    type: str | None = None
    office: str | None = None
    declarant_id: str | None = None
    lrn: str | None = None
    hs_code: str | None = None  # prefix: chapter, heading, subheading or national line
    lodged_from: dt.datetime | None = None
    lodged_to: dt.datetime | None = None
    channel: str | None = None


def search(
    conn: sa.Connection, filters: Filters, *, limit: int, before_id: int | None = None
) -> list[StoredDeclaration]:
    """Newest first; ``before_id`` is the keyset cursor from the previous page."""
    query = sa.select(*_COLUMNS)
    c = declarations.c
    for name in ("status", "type", "office", "declarant_id", "lrn", "channel"):
        value = getattr(filters, name)
        if value is not None:
            query = query.where(c[name] == value)
    if filters.lodged_from is not None:
        query = query.where(c.lodged_at >= filters.lodged_from)
    if filters.lodged_to is not None:
        query = query.where(c.lodged_at < filters.lodged_to)
    if filters.hs_code:
        items = declaration_items.c
        query = query.where(
            sa.exists().where(
                items.declaration_id == c.id,
                items.version == c.version,
                items.hs_code.startswith(filters.hs_code, autoescape=True),
            )
        )
    if before_id is not None:
        query = query.where(c.id < before_id)
    rows = conn.execute(query.order_by(c.id.desc()).limit(limit))
    return [StoredDeclaration(*r) for r in rows]


# Built once, with expanding IN lists: building a select per call cost more than running it.
_EXISTING_LRNS = sa.select(
    declarations.c.declarant_id, declarations.c.lrn, declarations.c.mrn
).where(
    declarations.c.lrn.in_(sa.bindparam("lrns", expanding=True)),
    declarations.c.declarant_id.in_(sa.bindparam("declarants", expanding=True)),
)
_FIND_KEYS = sa.select(
    idempotency_keys.c.principal_id,
    idempotency_keys.c.key,
    idempotency_keys.c.request_hash,
    idempotency_keys.c.response,
).where(
    idempotency_keys.c.key.in_(sa.bindparam("keys", expanding=True)),
    idempotency_keys.c.principal_id.in_(sa.bindparam("principals", expanding=True)),
)


def existing_lrns(conn: sa.Connection, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``(declarant_id, lrn) -> mrn`` for those pairs already lodged."""
    if not pairs:
        return {}
    rows = conn.execute(
        _EXISTING_LRNS,
        {"lrns": sorted({lrn for _, lrn in pairs}), "declarants": sorted({d for d, _ in pairs})},
    )
    return {(r.declarant_id, r.lrn): r.mrn for r in rows if (r.declarant_id, r.lrn) in pairs}


def find_idempotent_many(
    conn: sa.Connection, slots: set[tuple[int, str]]
) -> dict[tuple[int, str], tuple[str, str]]:
    """``(principal_id, key) -> (request_hash, response)`` for the keys already used."""
    if not slots:
        return {}
    rows = conn.execute(
        _FIND_KEYS,
        {"keys": sorted({k for _, k in slots}), "principals": sorted({p for p, _ in slots})},
    )
    return {
        (r.principal_id, r.key): (r.request_hash, r.response)
        for r in rows
        if (r.principal_id, r.key) in slots
    }


def find_idempotent(conn: sa.Connection, principal_id: int, key: str) -> tuple[str, str] | None:
    """``(request_hash, response)`` of an Idempotency-Key already used, or None."""
    return find_idempotent_many(conn, {(principal_id, key)}).get((principal_id, key))


def remember_idempotent(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Record ``principal_id, key, request_hash, declaration_id, response, created_at`` rows."""
    if rows:
        conn.execute(_INSERT_IDEMPOTENCY, rows)
