"""Throttling failed authentication: after ``limit`` failures from one source in a window,
the next are answered 429 until the window ends.

Only failures are counted, and only they are held back: a valid token is
answered as always, from whatever source, and the check costs the valid
token's path nothing (it runs after the token was refused). The counts are in
the database (one upsert per failure), so every worker process of a node adds
to the same count; once a process knows a source is over the limit, it answers
that source's failures from memory, without writing.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.throttle import HeldBack, seconds_left, window_start
from silkgate.store import throttle as store
from silkgate.store.db import writing


class AuthThrottle:
    """Failed authentications per source (a client address), ``limit`` per ``window`` seconds."""

    def __init__(
        self, engine: sa.Engine, *, limit: int, window: int, clock: Clock = system_clock
    ) -> None:
        self._engine = engine
        self.limit = limit
        self.window = window
        self._clock = clock
        self._held = HeldBack()

    def failed(self, source: str) -> int | None:
        """Count a failed authentication from ``source``.

        Returns the seconds to wait (answer 429 with ``Retry-After``) when the
        source has gone over its limit in this window, or None (answer 401).
        """
        now = self._clock()
        held = self._held.retry_after(source, now)
        if held is not None:
            return held
        start = window_start(now, self.window)
        end = start + dt.timedelta(seconds=self.window)
        with writing(self._engine) as conn:
            failures = store.count_failure(conn, source[:80], start)
            if failures == 1:  # a new window: the counts of the last but one go
                store.forget_before(conn, start - dt.timedelta(seconds=self.window))
        if failures >= self.limit:
            self._held.hold(source, end, now)
        return seconds_left(now, end) if failures > self.limit else None
