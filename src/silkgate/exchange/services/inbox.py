"""The inbox: messages from partners, verified, applied once, and receipted.

Receiving verifies the JWS, then records the message id and applies its
effect in one transaction; a message id seen before is acknowledged again
(a signed receipt saying ``duplicate``) without being applied twice. What
a message does is up to the capability that registered a handler for its
kind (:meth:`Inbox.handle`, :meth:`Inbox.handle_batches`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.exchange import envelope
from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope, Refused
from silkgate.exchange.services.access import require_admin
from silkgate.exchange.services.inbox_refusals import RefusalLog
from silkgate.exchange.services.inbox_run import BatchHandler, Handler, Received, Run
from silkgate.exchange.services.keys import NodeKeys
from silkgate.exchange.services.partners import Partners
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock, system_clock
from silkgate.store import exchange_inbox as store
from silkgate.store.db import reading, writing

__all__ = ["BatchHandler", "Handler", "Inbox", "Received"]


class Inbox:
    """Messages received from partner administrations."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        administration: str,
        keys: NodeKeys,
        partners: Partners,
        clock: Clock = system_clock,
        refusal_limit: int = 1000,
        refusal_window: int = 60,
    ) -> None:
        self.engine = engine
        self.administration = administration
        self.keys = keys
        self.partners = partners
        self.clock = clock
        self.refused = RefusalLog(limit=refusal_limit, window=refusal_window, clock=clock)
        self.handlers: dict[str, Handler] = {m.PARTNER_CARD: partners.receive_card}
        self.batch_handlers: dict[str, BatchHandler] = {}

    def handle(self, kind: str, handler: Handler) -> None:
        """What messages of ``kind`` do here (one capability per kind)."""
        self.handlers[kind] = handler

    def handle_batches(self, kind: str, handler: BatchHandler) -> None:
        """Like :meth:`handle`, for kinds applied a run of consecutive messages at a time."""
        self.batch_handlers[kind] = handler

    def receive(self, tokens: list[str], remote: str | None = None) -> list[Received]:
        """Verify and apply messages in order; one answer per message.

        The batch is applied in one transaction (one commit), and receipts are
        signed only once it is committed: an acknowledged message is never
        lost. A message that is refused holds back the later ones on the same
        subject (``deferred``), so order per subject is kept. Kinds with a
        batch handler (advance export data) are applied a run at a time.
        """
        now = self.clock()
        opened = [self._open(token, now) for token in tokens]
        with writing(self.engine) as conn:
            run = Run(conn, tokens, now, self.handlers, self.batch_handlers, self._admit)
            run.apply(opened)
            self.refused.record(conn, run.refusals, remote, now)
        # Committed: only now may the messages be acknowledged (see answer_one, answer_batch).
        return run.answers()

    def _open(self, token: str, now: dt.datetime) -> Envelope | Received:
        try:
            return envelope.open_envelope(
                token, self.partners.key, recipient=self.administration, now=now
            )
        except Refused as exc:
            return Received("refused", code=exc.code, detail=exc.detail, http_status=exc.status)

    def _admit(self, env: Envelope) -> Any:
        """Whether this node takes this kind of message from its sender; the parsed payload."""
        if env.type not in m.AGREEMENT_OF:
            raise Refused("unknown_type", f"no message type {env.type!r}", 422)
        agreement = m.AGREEMENT_OF[env.type]
        if agreement is not None and not self.partners.agreed(env.sender, agreement):
            raise Refused(
                "not_agreed", f"no {agreement} agreement with {env.sender} covers {env.type}", 403
            )
        return m.parse(env.type, env.payload)

    def answer_one(self, token: str, remote: str | None = None) -> Received:
        """One message; accepted or duplicate comes with its own signed receipt."""
        result = self.receive([token], remote)[0]
        if result.message_id is None or result.sender is None:
            return result
        return dataclasses.replace(
            result,
            receipt=self._receipt(
                result.sender,
                result.message_id,
                {"message_id": result.message_id, "status": result.status},
            ),
        )

    def answer_batch(self, tokens: list[str], remote: str | None = None) -> dict[str, Any]:
        """A batch; one signed receipt lists every message accepted or recognised as a duplicate.

        Signing (and verifying) once per batch rather than per message halves
        the public-key work of the exchange; the sender stores the receipt with
        each message it covers.
        """
        results = self.receive(tokens, remote)
        done = [r for r in results if r.message_id is not None]
        answer: dict[str, Any] = {"results": [r.as_json() for r in results]}
        if done:
            # A batch comes from one partner; a receipt only ever speaks to one sender.
            to = str(done[0].sender)
            answer["receipt"] = self._receipt(
                to,
                "batch",
                {
                    "messages": [
                        {"message_id": r.message_id, "status": r.status}
                        for r in done
                        if r.sender == to
                    ]
                },
            )
        return answer

    def _receipt(self, to: str, subject: str, payload: dict[str, Any]) -> str:
        now = self.clock()
        kid, key = self.keys.signer()
        receipt = Envelope.new(
            m.RECEIPT,
            self.administration,
            to,
            subject,
            {**payload, "received_at": envelope.iso(now)},
            now,
        )
        return envelope.sign(receipt, key, kid, now)

    # -- refusals ------------------------------------------------------------------------------

    def busy(self, remote: str | None) -> int | None:
        """Seconds ``remote`` must wait (too many of its messages refused), or None."""
        return self.refused.busy(remote)

    def log_refusal(self, token: str, exc: Refused, remote: str | None) -> None:
        """Count a message refused before it reached the inbox (too large, malformed)."""
        now = self.clock()
        with writing(self.engine) as conn:
            self.refused.record(conn, [(token, exc)], remote, now)

    # -- reading -------------------------------------------------------------------------------

    def listing(self, principal: Principal, limit: int = 100) -> dict[str, Any]:
        """The latest messages received, each with the JWS as received."""
        require_admin(principal)
        with reading(self.engine) as conn:
            return {
                "counts": store.inbox_counts(conn),
                "messages": [
                    {
                        **{k: r[k] for k in ("sender", "message_id", "type", "subject")},
                        "created_at": envelope.iso(r["created_at"]),
                        "received_at": envelope.iso(r["received_at"]),
                        "result": orjson.loads(r["result"]) if r["result"] else None,
                        # The JWS as received: the evidence, and what a partner can verify.
                        "token": r["token"],
                    }
                    for r in store.inbox(conn, min(max(limit, 1), 1000))
                ],
            }

    def counts(self, conn: sa.Connection) -> dict[str, int]:
        return store.inbox_counts(conn)

    def refusals(self, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
        """The refusal log: per source, code and window, how many and the last example."""
        require_admin(principal)
        with reading(self.engine) as conn:
            return self.refused.listing(conn, min(max(limit, 1), 1000))
