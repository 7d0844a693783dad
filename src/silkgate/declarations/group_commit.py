"""Group commit: lodgings that arrive together are stored in one transaction.

Under load, most of a lodging's cost is the transaction around it (begin,
journal head lock, commit). One writer thread takes whatever lodgings are
waiting, up to ``max_batch``, and commits them together; each caller waits on
its own future and gets its own outcome. With one request in flight the batch
is that one request, so nothing waits for company. A caller is answered only
after the commit that holds its declaration, so every 201 is durable.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

log = logging.getLogger("silkgate.group_commit")

Job = TypeVar("Job")
Result = TypeVar("Result")

_STOP = object()


class GroupCommitter(Generic[Job, Result]):
    """Feeds batches of jobs to ``commit`` (one outcome per job, in order) on one thread."""

    def __init__(self, commit: Callable[[list[Job]], list[Result]], *, max_batch: int = 64) -> None:
        self._commit = commit
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> Future[Result]:
        future: Future[Result] = Future()
        self._queue.put((job, future))
        return future

    def close(self) -> None:
        """Finish what was submitted, then stop the writer thread."""
        self._queue.put(_STOP)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                batch.append(more)
            self._process(batch)  # type: ignore[arg-type]
            if stop:
                return

    def _process(self, batch: list[tuple[Job, Future[Result]]]) -> None:
        try:
            outcomes = self._commit([job for job, _ in batch])
        except Exception as exc:  # the whole transaction failed: every caller learns it
            log.exception("group commit of %d job(s) failed", len(batch))
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            future.set_result(outcome)
