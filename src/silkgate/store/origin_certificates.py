"""Certificates of origin issued by this node: applications, certificates, their numbers,
and the importing partners' treatment of them (Form E box 4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.db import upsert
from silkgate.store.tables import (
    MAX_ID,
    origin_applications,
    origin_certificate_numbers,
    origin_certificates,
    origin_treatments,
)

_JSON = ("application", "determinations", "document")


def _row(row: Any) -> dict[str, Any]:
    found = dict(row._mapping)
    for name in _JSON:
        if isinstance(found.get(name), str):
            found[name] = orjson.loads(found[name])
    return found


def _text(value: Any) -> str:
    return orjson.dumps(value).decode()


# -- applications ------------------------------------------------------------------------------


def add_application(conn: sa.Connection, row: dict[str, Any]) -> int:
    values = {k: _text(v) if k in _JSON else v for k, v in row.items()}
    insert = origin_applications.insert().values(**values)
    return int(conn.execute(insert.returning(origin_applications.c.id)).scalar_one())


def application(
    conn: sa.Connection, application_id: int, *, for_update: bool = False
) -> dict[str, Any] | None:
    """One application (locked for update if asked: two officers deciding it wait in turn)."""
    if not 1 <= application_id <= MAX_ID:
        return None
    query = origin_applications.select().where(origin_applications.c.id == application_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else _row(row)


def applications(
    conn: sa.Connection,
    *,
    applicant: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Applications, the oldest waiting first when listing a status, else newest first."""
    a = origin_applications.c
    query = origin_applications.select().limit(limit)
    if applicant is not None:
        query = query.where(a.applicant == applicant)
    if status is not None:
        query = query.where(a.status == status).order_by(a.id)
    else:
        query = query.order_by(a.id.desc())
    return [_row(r) for r in conn.execute(query)]


def decide(
    conn: sa.Connection,
    application_id: int,
    *,
    status: str,
    at: dt.datetime,
    by: str,
    reason: str | None = None,
    certificate: str | None = None,
) -> None:
    conn.execute(
        origin_applications.update()
        .where(origin_applications.c.id == application_id)
        .values(status=status, decided_at=at, decided_by=by, reason=reason, certificate=certificate)
    )


# -- numbers and certificates ------------------------------------------------------------------


def next_number(conn: sa.Connection, issuer: str, year: int) -> int:
    """The next certificate number of ``issuer`` in ``year``, in the caller's transaction.

    One statement that inserts the year's first number or increments the last:
    on PostgreSQL the row stays locked until the transaction ends, so
    concurrent approvals take distinct numbers and a rollback leaves no gap.
    """
    n = origin_certificate_numbers
    statement = (
        upsert(conn, n)
        .values(issuer=issuer, year=year, last=1)
        .on_conflict_do_update(index_elements=[n.c.issuer, n.c.year], set_={"last": n.c.last + 1})
        .returning(n.c.last)
    )
    return int(conn.execute(statement).scalar_one())


def add_certificate(conn: sa.Connection, row: dict[str, Any]) -> None:
    values = {k: _text(v) if k in _JSON else v for k, v in row.items()}
    conn.execute(origin_certificates.insert().values(**values))


def certificate(
    conn: sa.Connection, number: str, *, for_update: bool = False
) -> dict[str, Any] | None:
    query = origin_certificates.select().where(origin_certificates.c.number == number)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return None if row is None else _row(row)


def certificates(
    conn: sa.Connection,
    *,
    applicant: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    c = origin_certificates.c
    columns = [col for col in origin_certificates.c if col.name not in ("document", "jws")]
    query = sa.select(*columns).order_by(c.issued_at.desc(), c.number.desc()).limit(limit)
    if applicant is not None:
        query = query.where(c.applicant == applicant)
    if status is not None:
        query = query.where(c.status == status)
    return [dict(r._mapping) for r in conn.execute(query)]


def change_certificate(
    conn: sa.Connection,
    number: str,
    *,
    document: dict[str, Any],
    at: dt.datetime,
    by: str,
    reason: str | None,
) -> None:
    """Record a certificate's new status (cancelled, replaced) and its document as it stands."""
    conn.execute(
        origin_certificates.update()
        .where(origin_certificates.c.number == number)
        .values(
            status=document["status"],
            replaced_by=document["replaced_by"],
            document=_text(document),
            changed_at=at,
            changed_by=by,
            reason=reason,
        )
    )


# -- the importing side's treatment (box 4) ----------------------------------------------------


def add_treatment(conn: sa.Connection, row: dict[str, Any]) -> int:
    insert = origin_treatments.insert().values(**row)
    return int(conn.execute(insert.returning(origin_treatments.c.id)).scalar_one())


def treatments(conn: sa.Connection, numbers: list[str]) -> list[dict[str, Any]]:
    t = origin_treatments.c
    query = origin_treatments.select().where(t.number.in_(numbers)).order_by(t.id)
    return [dict(r._mapping) for r in conn.execute(query)]
