"""Notifications to the traders' own systems: a webhook per trader, signed with HMAC-SHA256.

When a declaration changes channel, is asked a question, is decided on or
released, the handlers below write a notification to the portal's outbox in
the same transaction (so one is sent if, and only if, the change is stored).
The :class:`Notifier` delivers the outbox in the background: each POST carries
``X-Silkgate-Event``, ``X-Silkgate-Timestamp`` and ``X-Silkgate-Signature:
sha256=<hex>``, the HMAC-SHA256 with the trader's secret of
``<timestamp>.<body>``; a failure is retried with backoff. The receiver checks
the signature and the timestamp's age (docs/portal.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import sqlalchemy as sa

from silkgate.declarations import events as ev
from silkgate.declarations.disclosure import channel_shown
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest
from silkgate.kernel.events import UnitOfWork, public_part
from silkgate.store import portal as store
from silkgate.store.db import reading, writing

log = logging.getLogger("silkgate.portal")
_TAKEN = dt.timedelta(seconds=60)  # how long a row taken for delivery is another's


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _what(event: ev.DeclarationEvent) -> tuple[str, dict[str, Any]] | None:
    """The notification an event makes (its name and what the trader is told), if any."""
    if type(event) is ev.ChannelAssigned:  # not a stricter channel kept quiet
        return "channel", {"channel": channel_shown(event.reason or event.channel)}
    if isinstance(event, ev.InformationRequested):
        deadline = event.deadline.isoformat() if event.deadline else None
        return "question", {"question": event.reason, "deadline": deadline}
    if isinstance(event, ev.Released):
        return "released", {"conditional": event.conditional}
    if isinstance(event, ev.Decided):
        return "decided", {"action": event.action, "reason": public_part(event.reason or "")}
    return None


def on_declaration_event(event: ev.DeclarationEvent, uow: UnitOfWork) -> None:
    """Queue the notification of ``event`` for its trader, if the trader has a webhook."""
    said = _what(event)
    if said is None:
        return
    conn = uow.connection
    # One look-up on the hot path (every lodging assigns a channel): most traders have none.
    party = store.webhook_party(conn, event.declaration_id)
    if party is None:
        return
    name, facts = said
    body = {
        "event": name, "mrn": event.mrn, "type": event.type, "version": event.version,
        "status": event.to_status, "at": event.at.isoformat(), **facts,
    }  # fmt: skip
    store.enqueue(
        conn,
        {
            "party_id": party, "event": name, "mrn": event.mrn,
            "body": orjson.dumps(body).decode(), "created_at": event.at, "next_at": event.at,
        },
    )  # fmt: skip


def _checked_url(url: str, private_allowed: bool) -> str:
    parts = urlsplit(url.strip())
    bad = parts.scheme not in ("https", "http") or not parts.hostname
    if not bad and not private_allowed:
        bad = parts.scheme != "https"
        try:
            bad = bad or not ipaddress.ip_address(parts.hostname or "").is_global
        except ValueError:
            bad = bad or parts.hostname in ("localhost",)
    if bad or len(url) > 500:
        raise InvalidRequest(
            [
                FieldError(
                    "/url", "invalid", "an https URL of your own system's, at most 500 characters"
                )
            ]
        )
    return url.strip()


class Webhooks:
    """A trader's webhook: where its notifications go, and the secret they are signed with."""

    def __init__(self, engine: sa.Engine, clock: Clock, *, private_allowed: bool) -> None:
        self.engine = engine
        self.clock = clock
        self.private_allowed = private_allowed

    def set(self, principal: Principal, url: str) -> str | None:
        """Send notifications to ``url`` (blank: none); the new secret, shown once."""
        if principal.role is not Role.DECLARANT or not principal.party_id:
            raise Forbidden("only a trader has a webhook")
        checked = _checked_url(url, self.private_allowed) if url.strip() else ""
        secret = secrets.token_urlsafe(32) if checked else ""
        with writing(self.engine) as conn:
            store.set_webhook(conn, principal.party_id, checked, secret, self.clock())
        return secret or None

    def of(self, principal: Principal) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The trader's webhook (without its secret) and its latest notifications."""
        if principal.role is not Role.DECLARANT or not principal.party_id:
            raise Forbidden("only a trader has a webhook")
        with reading(self.engine) as conn:
            found = store.webhook(conn, principal.party_id)
            sent = store.outbox_of(conn, principal.party_id)
        return ({"url": found["url"]} if found else None), sent


class Notifier:
    """Delivers the portal's outbox: :meth:`deliver_due` once, or a thread that keeps at it."""

    def __init__(self, engine: sa.Engine, clock: Clock, *, timeout: float = 5.0) -> None:
        self.engine = engine
        self.clock = clock
        self.timeout = timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def deliver_due(self, limit: int = 50) -> int:
        """Deliver what is due now; how many were delivered."""
        now = self.clock()
        with reading(self.engine) as conn:
            rows = store.due(conn, now, limit)
        done = 0
        with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
            for row in rows:
                with writing(self.engine) as conn:
                    if not store.took(conn, row["id"], row["next_at"], now + _TAKEN):
                        continue
                done += self._send(client, row)
        return done

    def _send(self, client: httpx.Client, row: dict[str, Any]) -> int:
        body = row["body"].encode()
        stamp = str(int(self.clock().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "X-Silkgate-Event": row["event"],
            "X-Silkgate-Delivery": str(row["id"]),
            "X-Silkgate-Timestamp": stamp,
            "X-Silkgate-Signature": sign(row["secret"], stamp, body),
        }
        error = None
        try:
            answer = client.post(row["url"], content=body, headers=headers)
            if not 200 <= answer.status_code < 300:
                error = f"answered {answer.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        now = self.clock()
        retry = now + dt.timedelta(seconds=min(3600, 5 * 2 ** min(row["attempts"], 10)))
        with writing(self.engine) as conn:
            store.delivered(conn, row["id"], None if error else now, error, retry)
        if error:
            log.info("webhook %s for %s: %s", row["id"], row["party_id"], error)
        return 0 if error else 1

    def start(self, every: float = 2.0) -> None:
        def run() -> None:
            while not self._stop.wait(every):
                try:
                    self.deliver_due()
                except Exception:  # a pass that fails is tried again, the node keeps serving
                    log.exception("webhook delivery failed")

        self._stop.clear()
        self._thread = threading.Thread(target=run, name="portal-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
