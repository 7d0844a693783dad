"""Console sessions in the database: the HMAC of each session id, never the id itself."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from silkgate.kernel.actors import Principal, Role
from silkgate.store.tables import api_tokens, console_sessions, principals


def token_holder(conn: sa.Connection, token_hash: str) -> tuple[int, Principal] | None:
    """The id of a valid (unrevoked) token and its principal, or None."""
    row = conn.execute(
        sa.select(api_tokens.c.id.label("token_id"), principals)
        .join(principals, api_tokens.c.principal_id == principals.c.id)
        .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    return row.token_id, Principal(row.id, row.name, Role(row.role), row.party_id)


def open_session(
    conn: sa.Connection,
    session_hash: str,
    *,
    token_id: int,
    principal: Principal,
    at: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    conn.execute(
        console_sessions.insert().values(
            session_hash=session_hash,
            principal_id=principal.id,
            token_id=token_id,
            created_at=at,
            last_seen_at=at,
            expires_at=expires_at,
        )
    )


def session_holder(
    conn: sa.Connection, session_hash: str, *, now: dt.datetime, seen_since: dt.datetime
) -> tuple[Principal, dt.datetime] | None:
    """The principal of a live session and when it was last seen, or None.

    Live: not expired, used since ``seen_since``, and its token not revoked.
    """
    s = console_sessions.c
    row = conn.execute(
        sa.select(principals, s.last_seen_at)
        .select_from(console_sessions)
        .join(api_tokens, api_tokens.c.id == s.token_id)
        .join(principals, principals.c.id == s.principal_id)
        .where(
            s.session_hash == session_hash,
            s.expires_at > now,
            s.last_seen_at > seen_since,
            api_tokens.c.revoked_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    return Principal(row.id, row.name, Role(row.role), row.party_id), row.last_seen_at


def touch(conn: sa.Connection, session_hash: str, at: dt.datetime) -> None:
    conn.execute(
        console_sessions.update()
        .where(console_sessions.c.session_hash == session_hash)
        .values(last_seen_at=at)
    )


def close_session(conn: sa.Connection, session_hash: str) -> bool:
    """Delete a session; whether there was one."""
    result = conn.execute(
        console_sessions.delete().where(console_sessions.c.session_hash == session_hash)
    )
    return bool(result.rowcount)


def close_stale(conn: sa.Connection, *, now: dt.datetime, seen_since: dt.datetime) -> int:
    """Delete the sessions that expired or went unused; how many."""
    s = console_sessions.c
    result = conn.execute(
        console_sessions.delete().where(sa.or_(s.expires_at <= now, s.last_seen_at <= seen_since))
    )
    return int(result.rowcount)
