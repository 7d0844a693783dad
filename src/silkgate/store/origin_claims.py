"""e-COs received from partners, what their lines have covered, and the claims checked.

A line's ``covered`` is raised only by :func:`cover`, one conditional
``UPDATE`` that refuses to go past the line's quantity: on PostgreSQL the
second of two concurrent transactions waits for the first's row lock and
re-reads the row before deciding, so two processes can never cover more than
a line states between them. (SQLite has one writer at a time anyway.)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.exchange_rows import as_dict, as_dicts
from silkgate.store.tables import (
    declarations,
    origin_certificate_lines,
    origin_certificate_uses,
    origin_certificates_received,
    origin_claims,
)

_C = origin_certificates_received.c
_L = origin_certificate_lines.c
_U = origin_certificate_uses.c
_K = origin_claims.c


def lock_number(conn: sa.Connection, number: str) -> None:
    """Serialise, until commit, the transactions that concern one certificate number.

    A lodging that finds no certificate and leaves its claim waiting, and the
    inbox storing that certificate and looking for claims waiting for it,
    could otherwise each miss the other on PostgreSQL (neither sees the
    other's uncommitted row). SQLite writers are serialised already.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": number})


# -- certificates received ----------------------------------------------------------------------


_HELD_COLUMNS = (
    _C.id,
    _C.number,
    _C.issuer,
    _C.status,
    _C.replaced_by,
    _C.updated_at,
    _L.id.label("line_id"),
    _L.line,
    _L.covered,
)


@functools.cache
def _held(count: int) -> sa.Select[Any]:
    """The query of :func:`held_state` for ``count`` numbers, built once per count.

    Plain bound parameters rather than an expanding IN: executing a built
    statement costs no compilation, where an expanding one is rewritten on
    every call.
    """
    params: list[Any] = [sa.bindparam(f"n{i}") for i in range(count)]
    return (
        sa.select(*_HELD_COLUMNS)
        .join(origin_certificate_lines, _L.certificate_id == _C.id)
        .where(_C.number.in_(params))
    )


def held_state(conn: sa.Connection, numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    """For each certificate held: its id, issuer, status (and what replaced it), version
    (status and last change), lines.

    ``lines`` maps each line number to its id and what it has covered.

    One query for any number of certificates; the documents are read apart
    (:func:`documents`) only when the caller does not hold them already.
    """
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    rows = conn.execute(_held(len(wanted)), {f"n{i}": n for i, n in enumerate(wanted)})
    held: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = held.setdefault(
            r.number,
            {
                "id": r.id,
                "issuer": r.issuer,
                "status": (r.status, r.replaced_by),
                "version": (r.status, r.updated_at),
                "lines": {},
            },
        )
        entry["lines"][r.line] = (r.line_id, _dec(r.covered))
    return held


def documents(conn: sa.Connection, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(sa.select(_C.id, _C.document).where(_C.id.in_(wanted)))
    return {r.id: orjson.loads(r.document) for r in rows}


def certificate_row(conn: sa.Connection, number: str) -> dict[str, Any] | None:
    row = conn.execute(origin_certificates_received.select().where(_C.number == number)).first()
    return None if row is None else as_dict(row)


def store_certificate(
    conn: sa.Connection,
    payload: dict[str, Any],
    lines: list[dict[str, Any]],
    *,
    message_id: str,
    at: dt.datetime,
) -> int:
    """Insert a certificate and its lines, or update the status of one held; its id."""
    values = {
        "number": payload["number"],
        "issuer": payload["issuer"],
        "agreement": payload["agreement"],
        "status": payload["status"],
        "replaces": payload.get("replaces"),
        "replaced_by": payload.get("replaced_by"),
        "issued_on": dt.date.fromisoformat(payload["issued_on"]),
        "valid_until": dt.date.fromisoformat(payload["valid_until"]),
        "exporter": payload["exporter"]["name"],
        "consignee": payload["consignee"]["name"],
        "importing_country": payload["importing_country"],
        "hash": payload["hash"],
        "document": orjson.dumps(payload).decode(),
        "message_id": message_id,
        "updated_at": at,
    }
    found = conn.execute(sa.select(_C.id).where(_C.number == payload["number"])).scalar()
    if found is not None:
        conn.execute(origin_certificates_received.update().where(_C.id == found).values(values))
        return int(found)
    new_id = int(
        conn.execute(
            origin_certificates_received.insert().values(**values, received_at=at).returning(_C.id)
        ).scalar_one()
    )
    conn.execute(
        origin_certificate_lines.insert(), [{**line, "certificate_id": new_id} for line in lines]
    )
    return new_id


def mark_replaced(conn: sa.Connection, number: str, by: str, at: dt.datetime) -> bool:
    """The issuer replaced ``number`` with ``by``: the one held (if any) says so."""
    done = conn.execute(
        origin_certificates_received.update()
        .where(_C.number == number, _C.status == "issued")
        .values(status="replaced", replaced_by=by, updated_at=at)
    )
    return bool(done.rowcount)


def received(conn: sa.Connection, *, status: str | None, limit: int) -> list[dict[str, Any]]:
    query = origin_certificates_received.select().order_by(_C.id.desc()).limit(limit)
    if status is not None:
        query = query.where(_C.status == status)
    return as_dicts(conn.execute(query))


def lines_of(conn: sa.Connection, certificate_id: int) -> list[dict[str, Any]]:
    return as_dicts(
        conn.execute(
            origin_certificate_lines.select()
            .where(_L.certificate_id == certificate_id)
            .order_by(_L.line)
        )
    )


def uses_of_certificate(conn: sa.Connection, certificate_id: int) -> list[dict[str, Any]]:
    """Each use of the certificate's lines, with the declaration's MRN."""
    rows = conn.execute(
        sa.select(
            _L.line,
            declarations.c.mrn,
            _U.version,
            _U.item,
            _U.quantity,
            _U.used_at,
            _U.released_at,
        )
        .join(origin_certificate_lines, _L.id == _U.line_id)
        .join(declarations, declarations.c.id == _U.declaration_id)
        .where(_L.certificate_id == certificate_id)
        .order_by(_U.id)
    )
    return as_dicts(rows)


# -- covering lines -------------------------------------------------------------------------------


_COVER = (
    origin_certificate_lines.update()
    .where(
        _L.id == sa.bindparam("b_line_id"),
        _L.covered + sa.bindparam("q", type_=_L.covered.type) <= _L.quantity,
    )
    .values(covered=_L.covered + sa.bindparam("q", type_=_L.covered.type))
)


def cover(conn: sa.Connection, line_id: int, quantity: Decimal) -> bool:
    """Add ``quantity`` to what the line has covered, unless that would exceed the line."""
    done = conn.execute(_COVER, {"b_line_id": line_id, "q": quantity})
    return bool(done.rowcount)


def add_uses(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(origin_certificate_uses.insert(), rows)


def release_uses(conn: sa.Connection, declaration_id: int, at: dt.datetime) -> int:
    """Give back what a declaration's live uses covered (lines in id order); how many."""
    uses = conn.execute(
        sa.select(_U.id, _U.line_id, _U.quantity)
        .where(_U.declaration_id == declaration_id, _U.released_at.is_(None))
        .order_by(_U.line_id)
    ).all()
    for use in uses:
        conn.execute(
            origin_certificate_lines.update()
            .where(_L.id == use.line_id)
            .values(covered=_L.covered - use.quantity)
        )
    if uses:
        conn.execute(
            origin_certificate_uses.update()
            .where(_U.id.in_([u.id for u in uses]))
            .values(released_at=at)
        )
    return len(uses)


def live_uses(conn: sa.Connection, declaration_id: int) -> dict[int, Decimal]:
    """What a declaration covers now, by line id."""
    rows = conn.execute(
        sa.select(_U.line_id, sa.func.sum(_U.quantity))
        .where(_U.declaration_id == declaration_id, _U.released_at.is_(None))
        .group_by(_U.line_id)
    )
    return {line_id: _dec(q) for line_id, q in rows}


# -- claims ---------------------------------------------------------------------------------------


def save_claims(
    conn: sa.Connection, rows: list[dict[str, Any]], *, replacing: Iterable[int] = ()
) -> None:
    """Claims (each row names its declaration); ``replacing``: declarations whose claims of
    an earlier version they replace."""
    replaced = list(replacing)
    if replaced:
        conn.execute(origin_claims.delete().where(_K.declaration_id.in_(replaced)))
    if rows:
        conn.execute(origin_claims.insert(), rows)


def wait_limits(
    conn: sa.Connection, declaration_ids: list[int]
) -> dict[tuple[int, str], dt.datetime]:
    """Until when each declaration's claims still waiting wait, by declaration and number."""
    if not declaration_ids:
        return {}
    rows = conn.execute(
        sa.select(_K.declaration_id, _K.number, sa.func.min(_K.wait_until))
        .where(_K.declaration_id.in_(declaration_ids), _K.treatment == "waiting")
        .group_by(_K.declaration_id, _K.number)
    )
    return {(d, n): until for d, n, until in rows if until is not None}


def claims_of(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    return as_dicts(
        conn.execute(
            origin_claims.select().where(_K.declaration_id == declaration_id).order_by(_K.item)
        )
    )


def waiting_for(conn: sa.Connection, number: str) -> list[int]:
    """The declarations with a claim waiting for the e-CO ``number``."""
    rows = conn.execute(
        sa.select(_K.declaration_id)
        .where(_K.number == number, _K.treatment == "waiting")
        .distinct()
        .order_by(_K.declaration_id)
    )
    return [r[0] for r in rows]


def overdue(conn: sa.Connection, now: dt.datetime) -> list[dict[str, Any]]:
    """Claims still waiting after their time."""
    return as_dicts(
        conn.execute(
            origin_claims.select()
            .where(_K.treatment == "waiting", _K.wait_until < now)
            .order_by(_K.declaration_id, _K.item)
        )
    )


def close_claim(conn: sa.Connection, claim_id: int, values: dict[str, Any]) -> None:
    conn.execute(origin_claims.update().where(_K.id == claim_id).values(**values))


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
