"""The dispatcher: delivers the outbox to partners, in order, until each message is receipted.

One process of a node dispatches at a time (a lease in the database, renewed
while it runs), so a node with several workers, or a restarted one, never
sends from two places at once. A message is *delivered* only when the
partner's signed receipt verifies; anything else is retried with exponential
backoff. A partner that cannot be reached at all is waited for however long
its outage lasts (nothing is parked for that); a message the partner refuses
(no agreement, bad payload), or one whose delivery the partner answers but
keeps failing after ``max_attempts``, is *parked*: an administrator sees it
and retries it (one, or all of a partner's). A partner that answers 429 (its
inbox holds this node back) is waited for as it asks (``Retry-After``), and
that costs the messages no attempt.

Order is kept per partner and subject: a message is not sent while an older
one on the same subject is undelivered (waiting for its retry, or parked).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import httpx

from silkgate.exchange.envelope import Refused
from silkgate.exchange.retries import (
    PERMANENT,
    UNREACHABLE_MAX_WAIT,
    PartnerBusy,
    backoff,
    retry_after,
)
from silkgate.exchange.services import ExchangeService
from silkgate.kernel.clock import Clock
from silkgate.store import exchange_outbox as store
from silkgate.store import exchange_partners as partners_store
from silkgate.store.db import reading, writing

log = logging.getLogger("silkgate.exchange")

LEASE = "dispatcher"
Outcome = tuple[dict[str, Any], str, str | None, str | None]
"""An outbox row, what becomes of it (delivered, retry, park, unreachable), receipt, error."""


class Dispatcher:
    """Delivers one node's outbox; ``clock`` and ``doorbell`` default to the exchange's.

    The doorbell is the event the outbox sets when a message is written or
    released: the dispatcher sleeps on it between passes.
    """

    def __init__(
        self,
        exchange: ExchangeService,
        *,
        batch: int = 200,
        max_attempts: int = 12,
        poll: float = 0.2,
        timeout: float = 10.0,
        lease_ttl: float = 10.0,
        transport: Callable[[str, list[str]], dict[str, Any]] | None = None,
        in_flight: int = 2,
        clock: Clock | None = None,
        doorbell: threading.Event | None = None,
    ) -> None:
        self.exchange = exchange
        self.clock: Clock = clock if clock is not None else exchange.clock
        self.batch = batch
        self.max_attempts = max_attempts
        self.poll = poll
        self.timeout = timeout
        self.lease_ttl = lease_ttl
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]
        self._bell = doorbell if doorbell is not None else exchange.doorbell
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None
        self._lease_until = 0.0
        self.in_flight = in_flight
        self._claims = threading.Lock()
        self._in_flight_ids: set[int] = set()
        self._in_flight_subjects: set[tuple[str, str]] = set()
        # partner -> (failed connections in a row, monotonic time of the next try)
        self._outages: dict[str, tuple[int, float]] = {}
        # How a batch reaches a partner's inbox: HTTPS POST by default.
        self.transport = transport or self._post

    # -- running -----------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="silkgate-dispatcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._bell.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        try:
            with writing(self.exchange.engine) as conn:
                store.release_lease(conn, LEASE, self.holder)
        except Exception:  # the database may already be gone at shutdown
            log.debug("could not release the dispatcher lease", exc_info=True)
        if self._client is not None:
            self._client.close()

    def _run(self) -> None:
        # Up to `in_flight` batches travel at once, so signing the next batch and the
        # partner's verifying of the last one overlap instead of waiting on each other.
        pool = ThreadPoolExecutor(max_workers=self.in_flight, thread_name_prefix="silkgate-send")
        running: set[Future[int]] = set()
        try:
            while not self._stop.is_set():
                try:
                    if self._hold_lease() and len(running) < self.in_flight:
                        for partner, rows in self.due(self.clock()).items():
                            if len(running) >= self.in_flight:
                                self._release(rows)
                                continue
                            running.add(pool.submit(self._deliver_claimed, partner, rows))
                except Exception:
                    log.exception("dispatcher pass failed; retrying")
                if running:
                    finished, _ = wait(running, timeout=self.poll, return_when=FIRST_COMPLETED)
                    running -= finished
                else:
                    self._bell.wait(self.poll)
                    self._bell.clear()
        finally:
            pool.shutdown(wait=True)

    def _deliver_claimed(self, partner: str, rows: list[dict[str, Any]]) -> int:
        try:
            return self._deliver(partner, rows)
        except Exception:
            log.exception("delivery to %s failed; retrying", partner)
            return 0
        finally:
            self._release(rows)
            self._bell.set()

    def _release(self, rows: list[dict[str, Any]]) -> None:
        with self._claims:
            for r in rows:
                self._in_flight_ids.discard(r["id"])
                self._in_flight_subjects.discard((r["partner"], r["subject"]))

    def _hold_lease(self) -> bool:
        now = self.clock()
        if now.timestamp() < self._lease_until - self.lease_ttl / 2:
            return True
        with writing(self.exchange.engine) as conn:
            held = store.take_lease(conn, LEASE, self.holder, now, self.lease_ttl)
        self._lease_until = now.timestamp() + self.lease_ttl if held else 0.0
        return held

    # -- one pass ----------------------------------------------------------------------------

    def due(self, now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
        """Per partner, the messages that may go now, oldest first, order kept per subject."""
        with reading(self.exchange.engine) as conn:
            rows = store.undelivered(conn, self.batch * 5)
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        with self._claims:
            # What is on its way now, and what follows it on the same subject, waits.
            blocked = set(self._in_flight_subjects)
            clock = time.monotonic()
            waiting = {p for p, (_, until) in self._outages.items() if until > clock}
            rows = [
                r
                for r in rows
                if r["id"] not in self._in_flight_ids and r["partner"] not in waiting
            ]
        for r in rows:
            key = (r["partner"], r["subject"])
            if key in blocked:
                continue
            if r["status"] == "parked" or r["next_attempt_at"] > now:
                blocked.add(key)
                continue
            if len(out[r["partner"]]) < self.batch:
                out[r["partner"]].append(r)
            else:
                blocked.add(key)  # the rest of this subject waits for the next pass
        chosen = [r["id"] for rows in out.values() for r in rows]
        with self._claims:
            self._in_flight_ids.update(chosen)
            self._in_flight_subjects.update(
                (r["partner"], r["subject"]) for rows in out.values() for r in rows
            )
        if chosen:
            with reading(self.exchange.engine) as conn:
                payloads = store.payloads(conn, chosen)
            for rows in out.values():
                for r in rows:
                    r["payload"] = payloads[r["id"]]
        return out

    def deliver_once(self) -> int:
        """Deliver what is due; the number of messages delivered."""
        now = self.clock()
        delivered = 0
        for partner, rows in self.due(now).items():
            try:
                delivered += self._deliver(partner, rows)
            finally:
                self._release(rows)
        return delivered

    def _deliver(self, partner: str, rows: list[dict[str, Any]]) -> int:
        with reading(self.exchange.engine) as conn:
            p = partners_store.partner(conn, partner)
        now = self.clock()
        if p is None:
            self._settle(
                [(r, "park", None, f"{partner} is not a registered partner") for r in rows]
            )
            return 0
        answer = self._send(partner, p["endpoint"], rows, now)
        if answer is None:
            return 0
        results = answer.get("results")
        if not isinstance(results, list):
            results = []
        acknowledged: dict[str, str] = {}
        if answer.get("receipt"):
            try:
                acknowledged = self.exchange.check_receipt(str(answer["receipt"]), partner)
            except Refused as exc:
                self._settle([(r, "retry", None, f"receipt refused: {exc.detail}") for r in rows])
                return 0
        outcomes: list[Outcome] = []
        done = 0
        for r, result in zip(rows, results, strict=False):
            status = result.get("status") if isinstance(result, dict) else None
            if status in ("accepted", "duplicate") and acknowledged.get(r["message_id"]) == status:
                outcomes.append((r, "delivered", answer["receipt"], None))
                done += 1
            elif status in ("accepted", "duplicate"):
                outcomes.append((r, "retry", None, "not covered by the signed receipt"))
            elif status == "refused" and result.get("code") in PERMANENT:
                outcomes.append((r, "park", None, f"{result.get('code')}: {result.get('detail')}"))
            else:
                detail = (result.get("detail") if isinstance(result, dict) else None) or status
                code = result.get("code") if isinstance(result, dict) else None
                outcomes.append((r, "retry", None, f"{code or status}: {detail}"))
        for r in rows[len(results) :]:
            outcomes.append((r, "retry", None, "no answer for this message"))
        self._settle(outcomes, partner_back=partner if done else None)
        return done

    def _send(
        self, partner: str, endpoint: str, rows: list[dict[str, Any]], now: dt.datetime
    ) -> dict[str, Any] | None:
        """The partner's answer to one batch, or None when the batch must wait (settled here)."""
        tokens = [self.exchange.signed_copy(r, now) for r in rows]
        try:
            answer = self.transport(endpoint, tokens)
        except PartnerBusy as exc:
            # The partner asks us to wait (429): the partner is waited for, not the messages;
            # no attempt is counted against them.
            self._wait_for(partner, exc.retry_after, count=False)
            self._settle([(r, "unreachable", None, str(exc)) for r in rows])
            return None
        except (httpx.TransportError, ConnectionError) as exc:
            # The partner cannot be reached: wait for it however long it takes (backoff up
            # to 5 minutes); only an answer that keeps failing counts towards parking.
            self._wait_for(partner, None, count=True)
            self._settle(
                [(r, "unreachable", None, f"{type(exc).__name__}: {exc}"[:500]) for r in rows]
            )
            return None
        except (httpx.HTTPError, ValueError) as exc:
            self._settle([(r, "retry", None, f"{type(exc).__name__}: {exc}"[:500]) for r in rows])
            return None
        with self._claims:
            self._outages.pop(partner, None)
        return answer

    def _wait_for(self, partner: str, seconds: float | None, *, count: bool) -> None:
        """Send nothing to ``partner`` for ``seconds`` (by default, the outage's backoff)."""
        with self._claims:
            failures = self._outages.get(partner, (0, 0.0))[0] + (1 if count else 0)
            if seconds is None:
                seconds = min(0.5 * 2 ** max(failures - 1, 0), UNREACHABLE_MAX_WAIT)
            self._outages[partner] = (failures, time.monotonic() + seconds)

    def _post(self, endpoint: str, tokens: list[str]) -> dict[str, Any]:
        with self._claims:
            if self._client is None:
                self._client = httpx.Client(timeout=self.timeout)
        response = self._client.post(
            f"{endpoint}/v1/exchange/inbox",
            json={"messages": tokens},
            headers={"Accept": "application/json"},
        )
        if response.status_code == 429:
            raise PartnerBusy(retry_after(response.headers.get("retry-after")))
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}: {response.text[:200]}")
        answer = response.json()
        if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
            raise ValueError("the inbox answered without results")
        return answer

    def _settle(
        self,
        outcomes: list[Outcome],
        partner_back: str | None = None,
    ) -> None:
        now = self.clock()
        delivered, retried, parked, unreachable = [], [], [], []
        for r, what, receipt, error in outcomes:
            attempts = r["attempts"] + 1
            if what == "delivered":
                delivered.append(
                    {
                        "_id": r["id"],
                        "status": "delivered",
                        "attempts": attempts,
                        "delivered_at": now,
                        "receipt": receipt,
                        "_partner": r["partner"],
                        "last_error": None,
                    }
                )
            elif what == "unreachable":
                # The partner, not the message, is waited for (see due()).
                unreachable.append({"_id": r["id"], "last_error": error})
            elif what == "retry" and attempts < self.max_attempts:
                retried.append(
                    {
                        "_id": r["id"],
                        "attempts": attempts,
                        "last_error": error,
                        "next_attempt_at": now + dt.timedelta(seconds=backoff(attempts)),
                    }
                )
            else:
                parked.append(
                    {"_id": r["id"], "status": "parked", "attempts": attempts, "last_error": error}
                )
                log.warning("parked message %s to %s: %s", r["message_id"], r["partner"], error)
        with writing(self.exchange.engine) as conn:
            receipts: dict[str, int] = {}
            for row in delivered:
                token = row.pop("receipt")
                if token not in receipts:
                    receipts[token] = store.add_receipt(conn, row.pop("_partner"), token, now)
                else:
                    row.pop("_partner")
                row["receipt_id"] = receipts[token]
            store.update_outbox_many(conn, delivered)
            store.update_outbox_many(conn, retried)
            store.update_outbox_many(conn, parked)
            store.update_outbox_many(conn, unreachable)
            if partner_back is not None:
                # The partner answers again: what waits in backoff for it goes now.
                store.retry_now(conn, partner_back, now)
