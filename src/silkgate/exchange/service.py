"""The exchange use cases of a node: identity, partners, the outbox and the inbox.

Sending never talks to the network: :meth:`ExchangeService.enqueue` writes the
message into the outbox inside the caller's transaction, so a message exists
exactly when the business change that causes it was committed. The
:mod:`dispatcher` delivers it later.

Receiving verifies the JWS, then records the message id and applies its
effect in one transaction; a message id seen before is acknowledged again
(a signed receipt saying ``duplicate``) without being applied twice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from joserfc.jwk import OKPKey

from silkgate.exchange import envelope, identity
from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope, Refused
from silkgate.exchange.identity import Card, CardError, PublicKey
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.store import exchange as store
from silkgate.store.db import reading, writing

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


class ExchangeService:
    """One node's side of the exchange with its partner administrations."""

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
        clock: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.administration = administration
        self.name = name
        self.endpoint = endpoint.rstrip("/")
        self.secret = secret
        self.countries = countries
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._signer: tuple[str, OKPKey] | None = None
        self._keys: dict[str, tuple[str, PublicKey]] = {}
        self._agreements: dict[str, frozenset[str]] = {}
        self._loaded_at = -1e9
        # Set by the node: what inbound messages act on.
        self.handlers: dict[
            str, Callable[[sa.Connection, Envelope, dt.datetime], dict[str, Any]]
        ] = {}
        # Kinds applied a run at a time: (connection, [(envelope, parsed payload)], time).
        self.batch_handlers: dict[str, Callable[..., list[dict[str, Any]]]] = {}
        self.wake: Callable[[], None] = lambda: None  # the dispatcher's doorbell
        self.zone: Any = dt.UTC  # the administration's time zone, set by the node
        self.handlers[m.PARTNER_CARD] = self._receive_card

    def today(self) -> dt.date:
        """The administration's local date (AEO validity is in local dates)."""
        return self.clock().astimezone(self.zone).date()

    # -- identity -----------------------------------------------------------------------

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
            return self._add_key(conn, self.clock())

    def _add_key(self, conn: sa.Connection, at: dt.datetime) -> str:
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

    def rotate_key(self, overlap: dt.timedelta) -> dict[str, Any]:
        """A new signing key; the old one keeps verifying for ``overlap``.

        Every partner is sent the new card, signed with the old key, so it
        learns the new key before the old one expires.
        """
        at = self.clock()
        with writing(self.engine) as conn:
            old = [r for r in store.node_keys_all(conn) if r["signing"]]
            kid = self._add_key(conn, at)
            for r in old:
                store.retire_node_key(conn, r["kid"], at + overlap)
            self._signer = None
            card = self._card(conn).as_json()
            for p in store.partners(conn):
                self.enqueue(
                    conn,
                    p["administration"],
                    m.PARTNER_CARD,
                    "card",
                    card,
                    at,
                    signer=old[0]["kid"] if old else None,
                )
        return {
            "kid": kid,
            "retired": [r["kid"] for r in old],
            "valid_until": envelope.iso(at + overlap),
        }

    def signer(self, kid: str | None = None) -> tuple[str, OKPKey]:
        """The key that signs now (or the key ``kid``, while it is valid)."""
        current = self._signer
        if current is not None and kid in (None, current[0]):
            return current
        with reading(self.engine) as conn:
            rows = store.node_keys_all(conn)
        if not rows:
            raise RuntimeError("this node has no signing key: run `silkgate node keygen`")
        row = next((r for r in rows if (r["kid"] == kid if kid else r["signing"])), None)
        if row is None:
            raise RuntimeError(f"no key {kid}")
        found = (str(row["kid"]), identity.load_private(row["private_pem"], self.secret))
        if kid is None or row["signing"]:
            self._signer = found
        return found

    def card(self) -> Card:
        with reading(self.engine) as conn:
            return self._card(conn)

    def _card(self, conn: sa.Connection) -> Card:
        now = self.clock()
        keys = tuple(
            PublicKey(r["kid"], orjson.loads(r["public_jwk"]), r["created_at"], r["valid_to"])
            for r in store.node_keys_all(conn)
            if r["valid_to"] is None or r["valid_to"] > now
        )
        if not keys:
            raise RuntimeError("this node has no signing key: run `silkgate node keygen`")
        return Card(
            self.administration, self.name, self.endpoint, keys, tuple(sorted(identity.AGREEMENTS))
        )

    # -- partners --------------------------------------------------------------------------

    def add_partner(self, raw: Any, agreements: list[str] | None = None) -> dict[str, Any]:
        """Register (or update) a partner from its card.

        ``agreements`` are those in force between the two administrations; by
        default, the ones the card proposes.
        """
        try:
            card = identity.parse_card(raw, self.countries or None)
        except CardError as exc:
            raise InvalidRequest([FieldError(p, "invalid", msg) for p, msg in exc.errors]) from exc
        if card.administration == self.administration:
            raise InvalidRequest(
                [FieldError("/administration", "invalid", "this is this node's own card")]
            )
        chosen = list(card.agreements) if agreements is None else agreements
        unknown = sorted(set(chosen) - set(identity.AGREEMENTS))
        if unknown:
            raise InvalidRequest(
                [
                    FieldError(
                        "/agreements", "invalid", f"unknown agreement(s): {', '.join(unknown)}"
                    )
                ]
            )
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

    def _receive_card(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
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

    def partner(self, administration: str) -> dict[str, Any]:
        with reading(self.engine) as conn:
            p = store.partner(conn, administration)
            if p is None:
                raise NotFound(f"no partner {administration}")
            return _partner_json(p, store.partner_keys_of(conn, administration))

    def partners(self) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            return [
                _partner_json(p, store.partner_keys_of(conn, p["administration"]))
                for p in store.partners(conn)
            ]

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

    # -- outbox ------------------------------------------------------------------------------

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
        agreement = m.AGREEMENT_OF.get(kind)
        if kind != m.PARTNER_CARD and (agreement is None or not self.agreed(partner, agreement)):
            return None
        env = Envelope.new(kind, self.administration, partner, subject, payload, at)
        store.enqueue(
            conn,
            {
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
            },
        )
        self.wake()
        return env.id

    def outbox(
        self, principal: Principal, status: str | None = None, limit: int = 100
    ) -> dict[str, Any]:
        _admin(principal)
        if status not in (None, "pending", "delivered", "parked"):
            raise InvalidRequest([FieldError("/status", "invalid", "pending, delivered or parked")])
        with reading(self.engine) as conn:
            rows = store.outbox(conn, status, min(max(limit, 1), 1000))
            counts = store.outbox_counts(conn)
        return {"counts": counts, "messages": [_outbox_json(r) for r in rows]}

    def retry(self, principal: Principal, message_id: str) -> dict[str, Any]:
        """Send a parked message again (and release what waits behind it)."""
        _admin(principal)
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
        self.wake()
        assert row is not None
        return _outbox_json(row)

    def retry_all(self, principal: Principal, partner: str | None = None) -> int:
        """Send every parked message (of one partner) again; how many."""
        _admin(principal)
        with writing(self.engine) as conn:
            n = store.unpark(conn, partner, self.clock())
        self.wake()
        return n

    def signed_copy(self, row: dict[str, Any], at: dt.datetime) -> str:
        """The JWS of an outbox row, signed now (a retry gets a fresh ``sent`` time)."""
        kid, key = self.signer(row["signer"])
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
            token, self.key, recipient=self.administration, now=self.clock()
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

    # -- inbox ---------------------------------------------------------------------------------

    def receive(self, tokens: list[str], remote: str | None = None) -> list[Received]:
        """Verify and apply messages in order; one answer per message.

        The batch is applied in one transaction (one commit), and receipts are
        signed only once it is committed: an acknowledged message is never
        lost. A message that is refused holds back the later ones on the same
        subject (``deferred``), so order per subject is kept. Kinds with a
        batch handler (advance export data) are applied a run at a time.
        """
        now = self.clock()
        opened: list[Envelope | Received] = []
        for token in tokens:
            try:
                opened.append(
                    envelope.open_envelope(token, self.key, recipient=self.administration, now=now)
                )
            except Refused as exc:
                opened.append(
                    Received("refused", code=exc.code, detail=exc.detail, http_status=exc.status)
                )
        results: list[Received | None] = [None] * len(tokens)
        accepted: dict[int, tuple[Envelope, str]] = {}
        refusals: list[tuple[str, Refused]] = []
        with writing(self.engine) as conn:
            known = store.seen_many(
                conn, [(e.sender, e.id) for e in opened if isinstance(e, Envelope)]
            )
            blocked: set[tuple[str, str]] = set()
            rows: list[dict[str, Any]] = []
            run: list[tuple[int, Envelope, Any]] = []

            def flush() -> None:
                if not run:
                    return
                outcomes = self.batch_handlers[run[0][1].type](
                    conn, [(env, parsed) for _, env, parsed in run], now
                )
                for (i, env, _), outcome in zip(run, outcomes, strict=True):
                    rows.append(_inbox_row(env, tokens[i], now, outcome))
                    accepted[i] = (env, "accepted")
                run.clear()

            for i, item in enumerate(opened):
                if isinstance(item, Received):
                    results[i] = item
                    refusals.append((tokens[i], Refused(item.code or "", item.detail or "")))
                    continue
                env = item
                if (env.sender, env.subject) in blocked:
                    results[i] = Received(
                        "deferred", detail="an earlier message on its subject failed"
                    )
                    continue
                if (env.sender, env.id) in known:
                    accepted[i] = (env, "duplicate")
                    continue
                try:
                    parsed = self._admit(env)
                    known.add((env.sender, env.id))
                    if env.type in self.batch_handlers:
                        if run and run[0][1].type != env.type:
                            flush()
                        run.append((i, env, parsed))
                        continue
                    flush()
                    with conn.begin_nested():
                        handler = self.handlers.get(env.type)
                        outcome = handler(conn, env, now) if handler is not None else {}
                    rows.append(_inbox_row(env, tokens[i], now, outcome))
                    accepted[i] = (env, "accepted")
                except (Refused, m.PayloadError) as exc:
                    refused = (
                        exc if isinstance(exc, Refused) else Refused("bad_payload", str(exc), 422)
                    )
                    known.discard((env.sender, env.id))
                    blocked.add((env.sender, env.subject))
                    refusals.append((tokens[i], refused))
                    results[i] = Received(
                        "refused",
                        code=refused.code,
                        detail=refused.detail,
                        http_status=refused.status,
                    )
            flush()
            store.record_inbox_many(conn, rows)
            for token, exc in refusals:
                self._log_refusal(conn, token, exc, remote, now)
        # Committed: only now may the messages be acknowledged (see answer_one, answer_batch).
        for i, (env, status) in accepted.items():
            results[i] = Received(status, message_id=env.id, sender=env.sender)
        return [r if r is not None else Received("deferred") for r in results]

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

    def _admit(self, env: Envelope) -> Any:
        """Whether this node takes this kind of message from its sender; the parsed payload."""
        if env.type not in m.AGREEMENT_OF:
            raise Refused("unknown_type", f"no message type {env.type!r}", 422)
        agreement = m.AGREEMENT_OF[env.type]
        if agreement is not None and not self.agreed(env.sender, agreement):
            raise Refused(
                "not_agreed", f"no {agreement} agreement with {env.sender} covers {env.type}", 403
            )
        return m.parse(env.type, env.payload)

    def _receipt(self, to: str, subject: str, payload: dict[str, Any]) -> str:
        now = self.clock()
        kid, key = self.signer()
        receipt = Envelope.new(
            m.RECEIPT,
            self.administration,
            to,
            subject,
            {**payload, "received_at": envelope.iso(now)},
            now,
        )
        return envelope.sign(receipt, key, kid, now)

    def _log_refusal(
        self, conn: sa.Connection, token: str, exc: Refused, remote: str | None, now: dt.datetime
    ) -> None:
        kid = None
        with contextlib.suppress(Refused):
            kid = envelope.header(token).get("kid")
        store.log_refusal(
            conn,
            at=now,
            code=exc.code[:24],
            detail=exc.detail[:1000],
            kid=str(kid)[:64] if kid else None,
            remote=(remote or "")[:64] or None,
            excerpt=token[:200],
        )

    def log_refusal(self, token: str, exc: Refused, remote: str | None) -> None:
        with writing(self.engine) as conn:
            self._log_refusal(conn, token, exc, remote, self.clock())

    def inbox(self, principal: Principal, limit: int = 100) -> dict[str, Any]:
        _admin(principal)
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

    def refusals(self, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
        _admin(principal)
        with reading(self.engine) as conn:
            return [
                {**r, "at": envelope.iso(r["at"])}
                for r in store.refusals(conn, min(max(limit, 1), 1000))
            ]

    def status(self, principal: Principal) -> dict[str, Any]:
        """The admin's overview: this node's card, partners, queues and refusals."""
        _admin(principal)
        with reading(self.engine) as conn:
            counts = store.outbox_counts(conn)
            received = store.inbox_counts(conn)
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


def _inbox_row(env: Envelope, token: str, at: dt.datetime, result: Any) -> dict[str, Any]:
    return {
        "sender": env.sender,
        "message_id": env.id,
        "type": env.type,
        "subject": env.subject,
        "created_at": env.created,
        "received_at": at,
        "token": token,
        "result": orjson.dumps(result).decode(),
    }


def _admin(principal: Principal) -> None:
    if principal.role is not Role.ADMIN:
        raise Forbidden("the exchange with partners is managed by the node's administrators")


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
