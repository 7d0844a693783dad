"""Console logins: a random session id in the browser's cookie, its HMAC in the database.

The cookie never holds the API token the user logged in with. A session ends
when the user logs out (its row is deleted), when it expires, when it has gone
unused for the idle time, or when the token it was opened with is revoked.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa

from silkgate.access.principals import Principal, hash_token, is_demo_token
from silkgate.kernel.clock import Clock, system_clock
from silkgate.store import sessions as store
from silkgate.store.db import reading, writing

# How stale "last seen" may get before a request writes it again: a page view costs
# a read, and at most one write a minute per session.
TOUCH_EVERY = dt.timedelta(seconds=60)
# Longer than any id this node hands out: not worth a look-up.
MAX_ID_LENGTH = 100


class ConsoleSessions:
    """Open, resolve and close console sessions.

    ``lifetime`` and ``idle`` are in seconds; ``demo_tokens`` is False on a
    production node, where a derived demo token opens nothing.
    """

    def __init__(
        self,
        engine: sa.Engine,
        secret_key: str,
        *,
        lifetime: int,
        idle: int,
        demo_tokens: bool = True,
        clock: Clock = system_clock,
    ) -> None:
        self._engine = engine
        self._secret_key = secret_key
        self.lifetime = dt.timedelta(seconds=lifetime)
        self.idle = dt.timedelta(seconds=idle)
        self._demo_tokens = demo_tokens
        self._clock = clock

    def open(self, token: str) -> tuple[str, Principal] | None:
        """Log in with an API token: a new session id and its principal, or None if refused."""
        if not token or len(token) > 200 or (is_demo_token(token) and not self._demo_tokens):
            return None
        with reading(self._engine) as conn:
            held = store.token_holder(conn, hash_token(self._secret_key, token))
        if held is None:
            return None
        token_id, principal = held
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        with writing(self._engine) as conn:
            store.close_stale(conn, now=now, seen_since=now - self.idle)
            store.open_session(
                conn,
                self._hash(session_id),
                token_id=token_id,
                principal=principal,
                at=now,
                expires_at=now + self.lifetime,
            )
        return session_id, principal

    def principal(self, session_id: str) -> Principal | None:
        """Who holds a live session ``session_id``, or None."""
        if not session_id or len(session_id) > MAX_ID_LENGTH:
            return None
        digest = self._hash(session_id)
        now = self._clock()
        with reading(self._engine) as conn:
            held = store.session_holder(conn, digest, now=now, seen_since=now - self.idle)
        if held is None:
            return None
        principal, last_seen = held
        if now - last_seen >= TOUCH_EVERY:
            with writing(self._engine) as conn:
                store.touch(conn, digest, now)
        return principal

    def close(self, session_id: str) -> bool:
        """Log out: delete the session; whether there was one."""
        if not session_id or len(session_id) > MAX_ID_LENGTH:
            return False
        with writing(self._engine) as conn:
            return store.close_session(conn, self._hash(session_id))

    def _hash(self, session_id: str) -> str:
        # Keyed like the tokens: a copy of the database yields no usable session.
        return hash_token(self._secret_key, "console-session:" + session_id)
