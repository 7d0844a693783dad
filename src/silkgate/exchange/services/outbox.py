"""The outbox: messages to partners, written in the transaction of the change that causes them.

Sending never talks to the network: :meth:`Outbox.enqueue` writes the message
inside the caller's transaction, so a message exists exactly when the business
change that causes it was committed, and rings the doorbell the
:mod:`dispatcher` waits on. Administrators list the queue and send parked
messages again.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import sqlalchemy as sa

from silkgate.exchange import envelope
from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope, Refused
from silkgate.exchange.services.access import require_admin
from silkgate.exchange.services.keys import NodeKeys
from silkgate.exchange.services.partners import Partners
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import FieldError, InvalidRequest, NotFound
from silkgate.store import exchange_outbox as store
from silkgate.store.db import reading, writing

STATUSES = ("pending", "delivered", "parked")


class Outbox:
    """Messages waiting for, or delivered to, partner administrations."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        administration: str,
        keys: NodeKeys,
        partners: Partners,
        clock: Clock = system_clock,
        doorbell: threading.Event | None = None,
    ) -> None:
        self.engine = engine
        self.administration = administration
        self.keys = keys
        self.partners = partners
        self.clock = clock
        # Rung on every message written or released; the dispatcher waits on it.
        self.doorbell = doorbell if doorbell is not None else threading.Event()

    def enqueue(
        self,
        conn: sa.Connection,
        partner: str,
        kind: str,
        subject: str,
        payload: dict[str, Any],
        at: dt.datetime,
        *,
        signer: str | None = None,
    ) -> str | None:
        """Put a message for ``partner`` in the outbox, in the caller's transaction.

        Returns its id, or None when no agreement with that partner covers it.
        """
        row = self._row(partner, kind, subject, payload, at, signer)
        if row is None:
            return None
        store.enqueue(conn, row)
        self.doorbell.set()
        return str(row["message_id"])

    def enqueue_many(
        self,
        conn: sa.Connection,
        messages: list[tuple[str, str, str, dict[str, Any]]],
        at: dt.datetime,
    ) -> int:
        """:meth:`enqueue` for several ``(partner, kind, subject, payload)`` with one insert;
        how many an agreement covered."""
        rows = [r for r in (self._row(*message, at, None) for message in messages) if r]
        store.enqueue_many(conn, rows)
        if rows:
            self.doorbell.set()
        return len(rows)

    def _row(
        self,
        partner: str,
        kind: str,
        subject: str,
        payload: dict[str, Any],
        at: dt.datetime,
        signer: str | None,
    ) -> dict[str, Any] | None:
        """The outbox row of a message, or None when no agreement with ``partner`` covers it."""
        agreement = m.AGREEMENT_OF.get(kind)
        if kind != m.PARTNER_CARD and (
            agreement is None or not self.partners.agreed(partner, agreement)
        ):
            return None
        env = Envelope.new(kind, self.administration, partner, subject, payload, at)
        return {
            "message_id": env.id,
            "partner": partner,
            "type": kind,
            "subject": subject[:120],
            "payload": envelope.canonical(payload).decode(),
            "signer": signer,
            "created_at": at,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": at,
        }

    def listing(
        self, principal: Principal, status: str | None = None, limit: int = 100
    ) -> dict[str, Any]:
        """The latest messages (of one status), and how many there are of each status."""
        require_admin(principal)
        if status is not None and status not in STATUSES:
            raise InvalidRequest([FieldError("/status", "invalid", "pending, delivered or parked")])
        with reading(self.engine) as conn:
            rows = store.outbox(conn, status, min(max(limit, 1), 1000))
            counts = store.outbox_counts(conn)
        return {"counts": counts, "messages": [_outbox_json(r) for r in rows]}

    def counts(self, conn: sa.Connection) -> dict[str, int]:
        return store.outbox_counts(conn)

    def retry(self, principal: Principal, message_id: str) -> dict[str, Any]:
        """Send a parked message again (and release what waits behind it)."""
        require_admin(principal)
        with writing(self.engine) as conn:
            row = store.outbox_message(conn, message_id)
            if row is None:
                raise NotFound(f"no outgoing message {message_id}")
            if row["status"] != "parked":
                raise InvalidRequest(
                    [FieldError("/status", "not_parked", f"the message is {row['status']}")]
                )
            store.update_outbox(
                conn, row["id"], status="pending", attempts=0, next_attempt_at=self.clock()
            )
            row = store.outbox_message(conn, message_id)
        self.doorbell.set()
        if row is None:  # written in this very transaction
            raise NotFound(f"no outgoing message {message_id}")
        return _outbox_json(row)

    def retry_all(self, principal: Principal, partner: str | None = None) -> int:
        """Send every parked message (of one partner) again; how many."""
        require_admin(principal)
        with writing(self.engine) as conn:
            n = store.unpark(conn, partner, self.clock())
        self.doorbell.set()
        return n

    def signed_copy(self, row: dict[str, Any], at: dt.datetime) -> str:
        """The JWS of an outbox row, signed now (a retry gets a fresh ``sent`` time)."""
        kid, key = self.keys.signer(row["signer"])
        env = Envelope(
            row["message_id"],
            row["type"],
            self.administration,
            row["partner"],
            row["subject"],
            row["created_at"],
            {},
        )
        return envelope.sign(env, key, kid, at, row["payload"].encode())

    def check_receipt(self, token: str, partner: str) -> dict[str, str]:
        """The statuses a partner's receipt acknowledges, by message id; raises :class:`Refused`."""
        receipt = envelope.open_envelope(
            token, self.partners.key, recipient=self.administration, now=self.clock()
        )
        if receipt.sender != partner or receipt.type != m.RECEIPT:
            raise Refused("bad_receipt", f"not a receipt from {partner}")
        p = receipt.payload
        listed = p.get("messages") if "messages" in p else [p]
        if not isinstance(listed, list):
            raise Refused("bad_receipt", "the receipt lists no messages")
        return {
            str(x.get("message_id")): str(x.get("status"))
            for x in listed
            if isinstance(x, dict) and x.get("status") in ("accepted", "duplicate")
        }


def _outbox_json(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "message_id": r["message_id"],
        "partner": r["partner"],
        "type": r["type"],
        "subject": r["subject"],
        "status": r["status"],
        "attempts": r["attempts"],
        "created_at": envelope.iso(r["created_at"]),
        "next_attempt_at": envelope.iso(r["next_attempt_at"]),
        "delivered_at": None if r["delivered_at"] is None else envelope.iso(r["delivered_at"]),
        "last_error": r["last_error"],
        "receipt": r["receipt"],
    }
