"""The timeout sweep, run by the serving node itself every few minutes.

A parcel whose four records are not all there within the terms' time is held
with what it lacks (:meth:`EcommerceService.sweep`). A node that serves runs the
sweep in a background thread of its own (``SILKGATE_ECOMMERCE_SWEEP_SECONDS``,
0: never; ``silkgate ecommerce sweep`` still runs it by hand). The sweep is a
conditional update (only parcels still pending are held), so several node
processes sweeping the same database at once hold each parcel once and never
hold one that a record completed meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("silkgate.ecommerce")

BATCH = 100_000  # parcels a pass holds at most; a pass goes on while there are more


class Sweeper:
    """Runs ``sweep`` (parcels held, at most ``limit`` a call) every ``interval`` seconds."""

    def __init__(self, sweep: Callable[[int], int], interval: float) -> None:
        self.sweep = sweep
        self.interval = interval
        self.passes = 0  # passes done (read by whoever waits for one)
        self.held = 0  # parcels held since it started
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """One pass: hold every parcel overdue now; how many."""
        held = 0
        while True:
            n = self.sweep(BATCH)
            held += n
            if n < BATCH:
                break
        with self._done:
            self.passes += 1
            self.held += held
            self._done.notify_all()
        return held

    def wait_for_pass(self, after: int, timeout: float) -> bool:
        """Wait until more than ``after`` passes are done; False when ``timeout`` ran out."""
        with self._done:
            return self._done.wait_for(lambda: self.passes > after, timeout)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="ecommerce-sweep", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                held = self.run_once()
                if held:
                    log.info("e-commerce sweep: %d parcel(s) held as incomplete", held)
            except Exception:  # a failed pass (database away) is tried again next time
                log.exception("e-commerce sweep failed")
            self._stop.wait(self.interval)
