"""What the inbox refuses: counted per source, code and window, and a limit per source.

The inbox takes no bearer token, so anyone can send it messages that will be
refused. Each refusal used to be a row; now a window (``window`` seconds) holds
one row per source (the client address), code and window, with the number of
messages refused so and the last one as the example. A source that has had
``limit`` messages refused in a window is held back: its requests are answered
429 until the window ends, before anything is verified or written.

What a sender wrote is kept as the example, as written, but with any control or
invisible formatting character spelled out (``\\u0000``): PostgreSQL cannot
store a NUL, and a log must read as what it holds.

The count is the database's (every worker process adds to the same rows), and
each process remembers whom it found over the limit, so holding a source back
costs no database work. A partner's accepted messages are never counted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

from silkgate.exchange import envelope
from silkgate.exchange.envelope import Refused
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.text import escaped
from silkgate.kernel.throttle import HeldBack, seconds_left, window_start
from silkgate.store import exchange_inbox as store

log = logging.getLogger("silkgate.exchange")


class RefusalLog:
    """The inbox's refusals, ``limit`` messages per source per ``window`` seconds."""

    def __init__(self, *, limit: int, window: int, clock: Clock = system_clock) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._held = HeldBack()

    def busy(self, remote: str | None) -> int | None:
        """Seconds ``remote`` must wait before sending again, or None (from memory only)."""
        return self._held.retry_after(_source(remote), self._clock())

    def record(
        self,
        conn: sa.Connection,
        refused: list[tuple[str, Refused]],
        remote: str | None,
        now: dt.datetime,
    ) -> None:
        """Count the refused messages ``(token, why)`` from ``remote`` in ``conn``'s transaction."""
        if not refused:
            return
        source = _source(remote)
        start = window_start(now, self.window)
        by_code: dict[str, tuple[int, str, Refused]] = {}
        for token, exc in refused:
            code = exc.code[:24]
            by_code[code] = (by_code.get(code, (0, "", exc))[0] + 1, token, exc)
        for code, (messages, token, exc) in by_code.items():
            store.count_refusals(
                conn,
                remote=source,
                code=code,
                window_start=start,
                at=now,
                messages=messages,
                detail=escaped(exc.detail)[:1000],
                kid=_kid(token),
                excerpt=escaped(token[:200]),
            )
        if store.refused_in_window(conn, source, start) >= self.limit:
            end = start + dt.timedelta(seconds=self.window)
            if self._held.retry_after(source, now) is None:
                log.warning(
                    "inbox: %s had %d or more messages refused since %s; held back %d s",
                    source or "an unknown address",
                    self.limit,
                    start.isoformat(),
                    seconds_left(now, end),
                )
            self._held.hold(source, end, now)

    def listing(self, conn: sa.Connection, limit: int) -> list[dict[str, Any]]:
        """The log, the most recently refused first: each row's first and last time, count."""
        return [
            {
                "id": r["id"],
                "at": envelope.iso(r["at"]),
                "last_at": envelope.iso(r["last_at"] or r["at"]),
                "count": r["messages"],
                "code": r["code"],
                "detail": r["detail"],
                "kid": r["kid"],
                "remote": r["remote"] or None,
                "excerpt": r["excerpt"],
            }
            for r in store.refusals(conn, limit)
        ]


def _source(remote: str | None) -> str:
    return (remote or "")[:64]


def _kid(token: str) -> str | None:
    kid = None
    with contextlib.suppress(Refused):
        kid = envelope.header(token).get("kid")
    return escaped(str(kid))[:64] if kid else None
