"""The partner administrations this node exchanges with, and the agreements in force.

Partners' keys and agreements are read on every message, so they are cached
for ``ttl`` seconds; registering a partner here forgets the cache at once, and
a key not found is looked up again (it may have been registered a moment ago
by another process of the node).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.exchange import envelope, identity
from silkgate.exchange import messages as m
from silkgate.exchange.commands import PartnerRegistration
from silkgate.exchange.envelope import Envelope
from silkgate.exchange.identity import Card, CardError, PublicKey
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import FieldError, InvalidRequest, NotFound
from silkgate.store import exchange_partners as store
from silkgate.store.db import reading, writing


class Partners:
    """The register of partner administrations: their cards, keys and agreements."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        administration: str,
        countries: frozenset[str] | set[str] = frozenset(),
        ttl: float = 5.0,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.administration = administration
        self.countries = countries
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[str, PublicKey]] = {}
        self._agreements: dict[str, frozenset[str]] = {}
        self._loaded_at = -1e9

    # -- registering ---------------------------------------------------------------------

    def add(self, registration: PartnerRegistration) -> dict[str, Any]:
        """Register (or update) a partner from its card.

        The agreements in force between the two administrations are those
        ``registration`` names; by default, the ones the card proposes.
        """
        try:
            card = identity.parse_card(registration.card, self.countries or None)
        except CardError as exc:
            raise InvalidRequest([FieldError(p, "invalid", msg) for p, msg in exc.errors]) from exc
        if card.administration == self.administration:
            raise InvalidRequest(
                [FieldError("/administration", "invalid", "this is this node's own card")]
            )
        agreements = registration.agreements
        chosen = list(card.agreements) if agreements is None else agreements
        with writing(self.engine) as conn:
            self._store_card(conn, card, sorted(set(chosen)))
        self.forget()
        return self.partner(card.administration)

    def _store_card(self, conn: sa.Connection, card: Card, agreements: list[str] | None) -> None:
        at = self.clock()
        existing = store.partner(conn, card.administration)
        if agreements is None:
            agreements = existing["agreements"] if existing else list(card.agreements)
        store.upsert_partner(
            conn,
            {
                "administration": card.administration,
                "name": card.name,
                "endpoint": card.endpoint,
                "agreements": agreements,
                "registered_at": at,
                "updated_at": at,
            },
            [
                {
                    "kid": k.kid,
                    "administration": card.administration,
                    "jwk": orjson.dumps(k.jwk).decode(),
                    "valid_from": k.valid_from,
                    "valid_to": k.valid_to,
                }
                for k in card.keys
            ],
        )

    def receive_card(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        """A partner's new card (after a key rotation): its keys and endpoint are updated.

        The agreements stay as registered here: a card proposes, it does not decide.
        """
        try:
            card = identity.parse_card(env.payload, self.countries or None)
        except CardError as exc:
            raise m.PayloadError(f"partner card: {exc}") from exc
        if card.administration != env.sender:
            raise m.PayloadError(f"a card of {card.administration} sent by {env.sender}")
        self._store_card(conn, card, None)
        self.forget()
        return {"keys": [k.kid for k in card.keys], "endpoint": card.endpoint}

    # -- reading -------------------------------------------------------------------------

    def partner(self, administration: str) -> dict[str, Any]:
        with reading(self.engine) as conn:
            p = store.partner(conn, administration)
            if p is None:
                raise NotFound(f"no partner {administration}")
            return _partner_json(p, store.partner_keys_of(conn, administration))

    def all(self) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            return [
                _partner_json(p, store.partner_keys_of(conn, p["administration"]))
                for p in store.partners(conn)
            ]

    def administrations(self, conn: sa.Connection) -> list[str]:
        """Every registered partner, whatever the agreements (in the caller's transaction)."""
        return [str(p["administration"]) for p in store.partners(conn)]

    # -- the cache the inbox and outbox read -----------------------------------------------

    def forget(self) -> None:
        with self._lock:
            self._loaded_at = -1e9

    def _load(self) -> None:
        if time.monotonic() - self._loaded_at < self.ttl:
            return
        with self._lock:
            if time.monotonic() - self._loaded_at < self.ttl:
                return
            with reading(self.engine) as conn:
                keys = {
                    r["kid"]: (
                        r["administration"],
                        PublicKey(r["kid"], orjson.loads(r["jwk"]), r["valid_from"], r["valid_to"]),
                    )
                    for r in store.partner_keys_all(conn)
                }
                agreements = {
                    p["administration"]: frozenset(p["agreements"]) for p in store.partners(conn)
                }
            self._keys, self._agreements = keys, agreements
            self._loaded_at = time.monotonic()

    def key(self, kid: str) -> tuple[str, PublicKey] | None:
        """The partner a key is of, and the key; None for a key no partner has."""
        self._load()
        found = self._keys.get(kid)
        if found is None and self._loaded_at < time.monotonic() - 0.5:
            self.forget()  # a key registered a moment ago in another process
            self._load()
            found = self._keys.get(kid)
        return found

    def agreed(self, partner: str, agreement: str) -> bool:
        self._load()
        return agreement in self._agreements.get(partner, frozenset())

    def partners_with(self, agreement: str) -> list[str]:
        self._load()
        return sorted(p for p, a in self._agreements.items() if agreement in a)


def _partner_json(p: dict[str, Any], keys: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "administration": p["administration"],
        "name": p["name"],
        "endpoint": p["endpoint"],
        "agreements": p["agreements"],
        "registered_at": envelope.iso(p["registered_at"]),
        "updated_at": envelope.iso(p["updated_at"]),
        "keys": [
            {
                "kid": k["kid"],
                "valid_from": envelope.iso(k["valid_from"]),
                "valid_to": None if k["valid_to"] is None else envelope.iso(k["valid_to"]),
            }
            for k in keys
        ],
    }
