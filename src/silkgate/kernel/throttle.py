"""Counting by fixed windows of time, and the sources held back until their window ends.

A limit such as "20 failed logins per 5 minutes" counts in windows that start
at multiples of the window's length (UTC epoch), so every process of a node
agrees on the window without talking to the others. A source over its limit
is *held back* until its window ends: the answer is 429 with ``Retry-After``
the seconds left. The counts themselves are kept by the capability (in the
database, so that all worker processes add to one count); :class:`HeldBack` is
each process's memory of whom it already knows to be over the limit, so that
answering them costs nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import threading


def window_start(at: dt.datetime, seconds: int) -> dt.datetime:
    """The start of the fixed window of ``seconds`` that ``at`` falls in."""
    epoch = math.floor(at.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, dt.UTC)


def seconds_left(at: dt.datetime, until: dt.datetime) -> int:
    """Whole seconds from ``at`` to ``until``, at least 1 (a ``Retry-After`` value)."""
    return max(1, math.ceil((until - at).total_seconds()))


class HeldBack:
    """Sources held back until a time, in this process's memory; thread-safe and bounded."""

    def __init__(self, max_sources: int = 100_000) -> None:
        self._until: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()
        self._max = max_sources

    def hold(self, source: str, until: dt.datetime, now: dt.datetime) -> None:
        """Hold ``source`` back from ``now`` until ``until``."""
        with self._lock:
            if len(self._until) >= self._max:
                self._forget_before(now)
            self._until[source] = max(until, self._until.get(source, until))

    def retry_after(self, source: str, now: dt.datetime) -> int | None:
        """Seconds ``source`` is still held back, or None when it is not."""
        until = self._until.get(source)
        if until is None:
            return None
        if until <= now:
            with self._lock:
                if self._until.get(source) == until:
                    del self._until[source]
            return None
        return seconds_left(now, until)

    def _forget_before(self, now: dt.datetime) -> None:
        # Called with the lock held: drop what has expired; if every entry is current
        # (a flood from many sources), start again rather than grow without bound.
        expired = [s for s, until in self._until.items() if until <= now]
        for source in expired:
            del self._until[source]
        if len(self._until) >= self._max:
            self._until.clear()
