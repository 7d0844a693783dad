"""Versioned reference data: what is in force, and where a loaded file came from.

The tariff, the exchange rates, the SPS requirements and the risk profiles,
budget and model are all versioned in the database and read on every lodging,
so each service holds what is in force in memory and asks the database at most
every ``ttl`` seconds whether a newer version was loaded (by this process or
another). :class:`InForce` is that cache; :class:`FileLoad` is the provenance
every loaded file records. Nothing here touches a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class InForce(Generic[T]):
    """What is in force, reloaded when it is older than ``ttl`` seconds; thread-safe.

    ``load`` receives what is held (None the first time or after :meth:`forget`)
    and returns what is in force now: the same object when nothing changed, so
    that reloading costs one version check. One thread loads at a time; the
    others wait for it rather than all asking the database at once.
    """

    def __init__(
        self,
        load: Callable[[T | None], T],
        *,
        ttl: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self.ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._held: tuple[T, float] | None = None

    def get(self) -> T:
        """What is in force, as of at most ``ttl`` seconds ago."""
        held = self._held
        if held is not None and self._monotonic() - held[1] < self.ttl:
            return held[0]
        with self._lock:
            held = self._held
            if held is not None and self._monotonic() - held[1] < self.ttl:
                return held[0]
            current = self._load(held[0] if held is not None else None)
            self._held = (current, self._monotonic())
            return current

    def forget(self) -> None:
        """Drop what is held, so the next :meth:`get` loads afresh (after a change here)."""
        with self._lock:
            self._held = None


@dataclass(frozen=True)
class FileLoad:
    """Who loaded which file and when: stored with every version a file adds."""

    source: str
    sha256: str
    actor: str
    at: dt.datetime

    @classmethod
    def of(cls, data: bytes, *, source: str, actor: str, at: dt.datetime) -> FileLoad:
        """The provenance of ``data`` (the file exactly as received, before decoding)."""
        return cls(source, hashlib.sha256(data).hexdigest(), actor, at)
