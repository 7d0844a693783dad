"""One run of the inbox: a batch of opened messages applied in order, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope, Refused
from silkgate.store import exchange_inbox as store

# What one inbound message does, in the inbox's transaction; its result is journaled.
Handler = Callable[[sa.Connection, Envelope, dt.datetime], dict[str, Any]]
# Kinds applied a run at a time: (connection, [(envelope, parsed payload)], time).
BatchHandler = Callable[[sa.Connection, list[tuple[Envelope, Any]], dt.datetime], list[Any]]


@dataclass(frozen=True)
class Received:
    """What the inbox answers for one message."""

    status: str  # accepted | duplicate | refused | deferred
    receipt: str | None = None
    message_id: str | None = None
    sender: str | None = None
    code: str | None = None
    detail: str | None = None
    http_status: int = 200

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.receipt:
            out["receipt"] = self.receipt
        if self.code:
            out["code"] = self.code
            out["detail"] = self.detail
        return out


class Run:
    """Applies one batch: duplicates recognised, refusals hold back their subject."""

    def __init__(
        self,
        conn: sa.Connection,
        tokens: list[str],
        now: dt.datetime,
        handlers: Mapping[str, Handler],
        batch_handlers: Mapping[str, BatchHandler],
        admit: Callable[[Envelope], Any],
    ) -> None:
        self.conn = conn
        self.tokens = tokens
        self.now = now
        self.handlers = handlers
        self.batch_handlers = batch_handlers
        self.admit = admit
        self.results: list[Received | None] = [None] * len(tokens)
        self.accepted: dict[int, tuple[Envelope, str]] = {}
        self.refusals: list[tuple[str, Refused]] = []
        self.known: set[tuple[str, str]] = set()
        self.blocked: set[tuple[str, str]] = set()
        self.rows: list[dict[str, Any]] = []
        self.pending: list[tuple[int, Envelope, Any]] = []  # a run of one batch-handled kind

    def apply(self, opened: list[Envelope | Received]) -> None:
        """Apply every opened message in order and journal those applied."""
        self.known = store.seen_many(
            self.conn, [(e.sender, e.id) for e in opened if isinstance(e, Envelope)]
        )
        for i, item in enumerate(opened):
            if isinstance(item, Received):
                self.results[i] = item
                self.refusals.append((self.tokens[i], Refused(item.code or "", item.detail or "")))
            elif (item.sender, item.subject) in self.blocked:
                self.results[i] = Received(
                    "deferred", detail="an earlier message on its subject failed"
                )
            elif (item.sender, item.id) in self.known:
                self.accepted[i] = (item, "duplicate")
            else:
                self._take(i, item)
        self._flush()
        store.record_inbox_many(self.conn, self.rows)

    def _take(self, i: int, env: Envelope) -> None:
        try:
            parsed = self.admit(env)
            self.known.add((env.sender, env.id))
            if env.type in self.batch_handlers:
                if self.pending and self.pending[0][1].type != env.type:
                    self._flush()
                self.pending.append((i, env, parsed))
                return
            self._flush()
            with self.conn.begin_nested():
                handler = self.handlers.get(env.type)
                outcome = handler(self.conn, env, self.now) if handler is not None else {}
            self._applied(i, env, outcome)
        except (Refused, m.PayloadError) as exc:
            refused = exc if isinstance(exc, Refused) else Refused("bad_payload", str(exc), 422)
            self.known.discard((env.sender, env.id))
            self.blocked.add((env.sender, env.subject))
            self.refusals.append((self.tokens[i], refused))
            self.results[i] = Received(
                "refused", code=refused.code, detail=refused.detail, http_status=refused.status
            )

    def _flush(self) -> None:
        if not self.pending:
            return
        handler = self.batch_handlers[self.pending[0][1].type]
        outcomes = handler(self.conn, [(env, parsed) for _, env, parsed in self.pending], self.now)
        for (i, env, _), outcome in zip(self.pending, outcomes, strict=True):
            self._applied(i, env, outcome)
        self.pending.clear()

    def _applied(self, i: int, env: Envelope, outcome: Any) -> None:
        self.rows.append(
            {
                "sender": env.sender,
                "message_id": env.id,
                "type": env.type,
                "subject": env.subject,
                "created_at": env.created,
                "received_at": self.now,
                "token": self.tokens[i],
                "result": orjson.dumps(outcome).decode(),
            }
        )
        self.accepted[i] = (env, "accepted")

    def answers(self) -> list[Received]:
        """One answer per message, once the run is committed."""
        for i, (env, status) in self.accepted.items():
            self.results[i] = Received(status, message_id=env.id, sender=env.sender)
        return [r if r is not None else Received("deferred") for r in self.results]
