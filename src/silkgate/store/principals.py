"""Principals and their tokens in the database."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from silkgate.kernel.actors import Principal, Role
from silkgate.store.tables import api_tokens, principals


def create_principal(
    conn: sa.Connection, name: str, role: Role, party_id: str | None, at: dt.datetime
) -> Principal:
    """Insert a principal; the caller has checked the name is free and a declarant's party id."""
    pid = conn.execute(
        principals.insert()
        .values(name=name, role=role.value, party_id=party_id, created_at=at)
        .returning(principals.c.id)
    ).scalar_one()
    return Principal(pid, name, role, party_id)


def find_principal(conn: sa.Connection, name: str) -> Principal | None:
    row = conn.execute(sa.select(principals).where(principals.c.name == name)).first()
    return None if row is None else Principal(row.id, row.name, Role(row.role), row.party_id)


def all_principals(conn: sa.Connection) -> list[Principal]:
    rows = conn.execute(sa.select(principals).order_by(principals.c.id))
    return [Principal(r.id, r.name, Role(r.role), r.party_id) for r in rows]


def add_token(
    conn: sa.Connection, principal: Principal, token_hash: str, label: str | None, at: dt.datetime
) -> None:
    exists = conn.execute(
        sa.select(api_tokens.c.id).where(api_tokens.c.token_hash == token_hash)
    ).first()
    if exists is None:
        conn.execute(
            api_tokens.insert().values(
                principal_id=principal.id, token_hash=token_hash, label=label, created_at=at
            )
        )


def revoke_tokens(conn: sa.Connection, principal: Principal, at: dt.datetime) -> int:
    result = conn.execute(
        api_tokens.update()
        .where(api_tokens.c.principal_id == principal.id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return result.rowcount


def principal_for_token(conn: sa.Connection, token_hash: str) -> Principal | None:
    row = conn.execute(
        sa.select(principals)
        .join(api_tokens, api_tokens.c.principal_id == principals.c.id)
        .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
    ).first()
    return None if row is None else Principal(row.id, row.name, Role(row.role), row.party_id)
