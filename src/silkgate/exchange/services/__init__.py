"""The exchange of a node with its partner administrations, by use case.

* :mod:`keys` — this node's identity: signing keys, their rotation, its card;
* :mod:`partners` — the partners registered and the agreements in force;
* :mod:`outbox` — messages written in the caller's transaction, delivered later;
* :mod:`inbox` — messages received: verified, applied once, receipted.

:class:`ExchangeService` composes the four for the rest of the node (the API,
the console, the CLI, the capabilities that send and receive messages): one
object to hold, whose methods hand over to the use case that answers.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import sqlalchemy as sa
from joserfc.jwk import OKPKey

from silkgate.exchange import envelope
from silkgate.exchange import messages as m
from silkgate.exchange.commands import PartnerRegistration
from silkgate.exchange.envelope import Refused
from silkgate.exchange.identity import Card, PublicKey
from silkgate.exchange.services.access import require_admin
from silkgate.exchange.services.inbox import BatchHandler, Handler, Inbox, Received
from silkgate.exchange.services.keys import NodeKeys
from silkgate.exchange.services.outbox import Outbox
from silkgate.exchange.services.partners import Partners
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock, system_clock
from silkgate.store.db import reading, writing

__all__ = ["ExchangeService", "Received"]


class ExchangeService:
    """One node's side of the exchange with its partner administrations.

    The use cases are ``keyring`` (:class:`NodeKeys`), ``partnerships``
    (:class:`Partners`), ``outgoing`` (:class:`Outbox`) and ``incoming``
    (:class:`Inbox`); the methods below are theirs, gathered under one name.
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        administration: str,
        name: str,
        endpoint: str,
        secret: str,
        countries: frozenset[str] | set[str] = frozenset(),
        ttl: float = 5.0,
        clock: Clock = system_clock,
        zone: dt.tzinfo = dt.UTC,
        doorbell: threading.Event | None = None,
        refusal_limit: int = 1000,
        refusal_window: int = 60,
    ) -> None:
        self.engine = engine
        self.administration = administration
        self._clock = clock
        # The administration's time zone: AEO validity is in its local dates.
        self.zone = zone
        self.keyring = NodeKeys(
            engine,
            administration=administration,
            name=name,
            endpoint=endpoint,
            secret=secret,
            clock=clock,
        )
        self.partnerships = Partners(
            engine, administration=administration, countries=countries, ttl=ttl, clock=clock
        )
        self.outgoing = Outbox(
            engine,
            administration=administration,
            keys=self.keyring,
            partners=self.partnerships,
            clock=clock,
            doorbell=doorbell,
        )
        self.incoming = Inbox(
            engine,
            administration=administration,
            keys=self.keyring,
            partners=self.partnerships,
            clock=clock,
            refusal_limit=refusal_limit,
            refusal_window=refusal_window,
        )

    # -- the node's identity, time and doorbell --------------------------------------------

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def name(self) -> str:
        return self.keyring.name

    @property
    def endpoint(self) -> str:
        return self.keyring.endpoint

    @endpoint.setter
    def endpoint(self, url: str) -> None:
        # Where partners reach this node, as its card says (tests serve it under another name).
        self.keyring.endpoint = url

    @property
    def countries(self) -> frozenset[str] | set[str]:
        return self.partnerships.countries

    @property
    def doorbell(self) -> threading.Event:
        """Rung when a message is written or released; the dispatcher waits on it."""
        return self.outgoing.doorbell

    def wake(self) -> None:
        self.outgoing.doorbell.set()

    def today(self) -> dt.date:
        """The administration's local date (AEO validity is in local dates)."""
        return self.clock().astimezone(self.zone).date()

    # -- keys and cards --------------------------------------------------------------------

    def check_identity(self) -> None:
        self.keyring.check_identity()

    def ensure_key(self) -> str:
        return self.keyring.ensure_key()

    def signer(self, kid: str | None = None) -> tuple[str, OKPKey]:
        return self.keyring.signer(kid)

    def card(self) -> Card:
        return self.keyring.card()

    def rotate_key(self, overlap: dt.timedelta) -> dict[str, Any]:
        """A new signing key; the old one keeps verifying for ``overlap``.

        Every partner is sent the new card, signed with the old key, so it
        learns the new key before the old one expires.
        """
        at = self.clock()
        with writing(self.engine) as conn:
            kid, retired = self.keyring.rotate(conn, at, overlap)
            card = self.keyring.card(conn).as_json()
            for partner in self.partnerships.administrations(conn):
                self.outgoing.enqueue(
                    conn,
                    partner,
                    m.PARTNER_CARD,
                    "card",
                    card,
                    at,
                    signer=retired[0] if retired else None,
                )
        return {"kid": kid, "retired": retired, "valid_until": envelope.iso(at + overlap)}

    # -- partners --------------------------------------------------------------------------

    def add_partner(self, registration: PartnerRegistration) -> dict[str, Any]:
        """Register (or update) a partner from its card, with the agreements in force."""
        return self.partnerships.add(registration)

    def partner(self, administration: str) -> dict[str, Any]:
        return self.partnerships.partner(administration)

    def partners(self) -> list[dict[str, Any]]:
        return self.partnerships.all()

    def forget(self) -> None:
        self.partnerships.forget()

    def key(self, kid: str) -> tuple[str, PublicKey] | None:
        return self.partnerships.key(kid)

    def agreed(self, partner: str, agreement: str) -> bool:
        return self.partnerships.agreed(partner, agreement)

    def partners_with(self, agreement: str) -> list[str]:
        return self.partnerships.partners_with(agreement)

    # -- outbox ----------------------------------------------------------------------------

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
        return self.outgoing.enqueue(conn, partner, kind, subject, payload, at, signer=signer)

    def enqueue_many(
        self,
        conn: sa.Connection,
        messages: list[tuple[str, str, str, dict[str, Any]]],
        at: dt.datetime,
    ) -> int:
        """Several ``(partner, kind, subject, payload)`` into the outbox with one insert."""
        return self.outgoing.enqueue_many(conn, messages, at)

    def outbox(
        self, principal: Principal, status: str | None = None, limit: int = 100
    ) -> dict[str, Any]:
        return self.outgoing.listing(principal, status, limit)

    def retry(self, principal: Principal, message_id: str) -> dict[str, Any]:
        return self.outgoing.retry(principal, message_id)

    def retry_all(self, principal: Principal, partner: str | None = None) -> int:
        return self.outgoing.retry_all(principal, partner)

    def signed_copy(self, row: dict[str, Any], at: dt.datetime) -> str:
        return self.outgoing.signed_copy(row, at)

    def check_receipt(self, token: str, partner: str) -> dict[str, str]:
        return self.outgoing.check_receipt(token, partner)

    # -- inbox -----------------------------------------------------------------------------

    @property
    def handlers(self) -> dict[str, Handler]:
        return self.incoming.handlers

    @property
    def batch_handlers(self) -> dict[str, BatchHandler]:
        return self.incoming.batch_handlers

    def handle(self, kind: str, handler: Handler) -> None:
        self.incoming.handle(kind, handler)

    def handle_batches(self, kind: str, handler: BatchHandler) -> None:
        self.incoming.handle_batches(kind, handler)

    def receive(self, tokens: list[str], remote: str | None = None) -> list[Received]:
        return self.incoming.receive(tokens, remote)

    def answer_one(self, token: str, remote: str | None = None) -> Received:
        return self.incoming.answer_one(token, remote)

    def answer_batch(self, tokens: list[str], remote: str | None = None) -> dict[str, Any]:
        return self.incoming.answer_batch(tokens, remote)

    def log_refusal(self, token: str, exc: Refused, remote: str | None) -> None:
        self.incoming.log_refusal(token, exc, remote)

    def inbox_busy(self, remote: str | None) -> int | None:
        """Seconds ``remote`` must wait before the inbox takes its messages again, or None."""
        return self.incoming.busy(remote)

    def inbox(self, principal: Principal, limit: int = 100) -> dict[str, Any]:
        return self.incoming.listing(principal, limit)

    def refusals(self, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
        return self.incoming.refusals(principal, limit)

    # -- the administrator's overview ------------------------------------------------------

    def status(self, principal: Principal) -> dict[str, Any]:
        """The admin's overview: this node's card, partners, queues and refusals."""
        require_admin(principal)
        with reading(self.engine) as conn:
            counts = self.outgoing.counts(conn)
            received = self.incoming.counts(conn)
        try:
            card: dict[str, Any] | None = self.card().as_json()
        except RuntimeError:
            card = None
        return {
            "card": card,
            "partners": self.partners(),
            "outbox": counts,
            "inbox": received,
        }
