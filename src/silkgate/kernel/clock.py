"""The one source of "now".

Every service takes a :data:`Clock`; the node injects :func:`system_clock`, the
simulation a :class:`ManualClock` it moves forward, tests whichever they like.
Times are UTC and timezone-aware; local dates are derived in the
administration's zone by the caller.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The machine's time, in UTC."""
    return dt.datetime.now(dt.UTC)


class ManualClock:
    """A clock that moves only when told to (simulations and tests); thread-safe."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's time must be timezone-aware")
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self._now

    def set(self, at: dt.datetime) -> None:
        with self._lock:
            self._now = at

    def advance(self, by: dt.timedelta) -> dt.datetime:
        with self._lock:
            self._now += by
            return self._now
