"""This node's identity: its signing keys, their rotation, and the card partners register.

The private keys are stored encrypted with the node's secret; the signing key
is cached once loaded. A key rotated out keeps verifying (it stays on the
card) until the end of its overlap.
"""

from __future__ import annotations

import datetime as dt

import orjson
import sqlalchemy as sa
from joserfc.jwk import OKPKey

from silkgate.exchange import envelope, identity
from silkgate.exchange.identity import Card, PublicKey
from silkgate.kernel.clock import Clock, system_clock
from silkgate.store import exchange_partners as store
from silkgate.store.db import reading, writing

NO_KEY = "this node has no signing key: run `silkgate node keygen`"


class NodeKeys:
    """The keys this administration signs with, and the card that publishes them."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        administration: str,
        name: str,
        endpoint: str,
        secret: str,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.administration = administration
        self.name = name
        self.endpoint = endpoint.rstrip("/")
        self.secret = secret
        self.clock = clock
        self._signer: tuple[str, OKPKey] | None = None

    def check_identity(self) -> None:
        """Refuse to run as another administration than the one this database's keys are of."""
        with reading(self.engine) as conn:
            kids = [r["kid"] for r in store.node_keys_all(conn)]
        other = next((k for k in kids if not k.startswith(f"{self.administration}-")), None)
        if other is not None:
            raise RuntimeError(
                f"this database is the node of {other.split('-', 1)[0]} (its key {other}), "
                f"but SILKGATE_ADMINISTRATION is {self.administration}"
            )

    def ensure_key(self) -> str:
        """The signing key's id, creating the node's first key if it has none."""
        with writing(self.engine) as conn:
            for row in store.node_keys_all(conn):
                if row["signing"]:
                    return str(row["kid"])
            return self.add_key(conn, self.clock())

    def add_key(self, conn: sa.Connection, at: dt.datetime) -> str:
        """A new key that signs from now on (in the caller's transaction); its id."""
        key = identity.new_key()
        kid = identity.key_id(self.administration, key, at.date())
        store.add_node_key(
            conn,
            kid=kid,
            public_jwk=orjson.dumps(identity.public_jwk(key, kid)).decode(),
            private_pem=identity.private_pem(key, self.secret),
            created_at=at,
            valid_to=None,
        )
        self._signer = None
        return kid

    def rotate(
        self, conn: sa.Connection, at: dt.datetime, overlap: dt.timedelta
    ) -> tuple[str, list[str]]:
        """A new signing key, and the keys it replaces (they verify until ``at + overlap``)."""
        old = [str(r["kid"]) for r in store.node_keys_all(conn) if r["signing"]]
        kid = self.add_key(conn, at)
        for retired in old:
            store.retire_node_key(conn, retired, at + overlap)
        return kid, old

    def signer(self, kid: str | None = None) -> tuple[str, OKPKey]:
        """The key that signs now (or the key ``kid``, while it is valid)."""
        current = self._signer
        if current is not None and kid in (None, current[0]):
            return current
        with reading(self.engine) as conn:
            rows = store.node_keys_all(conn)
        if not rows:
            raise RuntimeError(NO_KEY)
        row = next((r for r in rows if (r["kid"] == kid if kid else r["signing"])), None)
        if row is None:
            raise RuntimeError(f"no key {kid}")
        found = (str(row["kid"]), identity.load_private(row["private_pem"], self.secret))
        if kid is None or row["signing"]:
            self._signer = found
        return found

    def sign_document(self, content: bytes) -> tuple[str, str]:
        """The signing key's id, and a detached JWS of ``content`` (a document's canonical
        JSON) made with it. The key must exist (:meth:`ensure_key`)."""
        kid, key = self.signer()
        return kid, envelope.sign_detached(content, key, kid)

    def verify_document(self, token: str, content: bytes) -> str | None:
        """The id of this node's key that signed ``content`` in ``token``; None if none did."""
        try:
            kid = envelope.header(token).get("kid")
        except envelope.Refused:
            return None
        key = self.public_key(kid) if isinstance(kid, str) else None
        if key is None or not envelope.verify_detached(token, content, key):
            return None
        return key.kid

    def public_key(self, kid: str) -> PublicKey | None:
        """Any key this node has had, retired ones included, with its validity (or None)."""
        with reading(self.engine) as conn:
            rows = store.node_keys_all(conn)
        return next(
            (
                PublicKey(r["kid"], orjson.loads(r["public_jwk"]), r["created_at"], r["valid_to"])
                for r in rows
                if r["kid"] == kid
            ),
            None,
        )

    def card(self, conn: sa.Connection | None = None) -> Card:
        """This node's card: who it is, where it listens, the keys that verify its messages."""
        if conn is None:
            with reading(self.engine) as own:
                return self.card(own)
        now = self.clock()
        keys = tuple(
            PublicKey(r["kid"], orjson.loads(r["public_jwk"]), r["created_at"], r["valid_to"])
            for r in store.node_keys_all(conn)
            if r["valid_to"] is None or r["valid_to"] > now
        )
        if not keys:
            raise RuntimeError(NO_KEY)
        return Card(
            self.administration, self.name, self.endpoint, keys, tuple(sorted(identity.AGREEMENTS))
        )
