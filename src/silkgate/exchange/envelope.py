"""The envelope: a JWS over canonical JSON, signed with the sender's Ed25519 key.

The signed content is the RFC 8785 canonical form of::

    {"id", "type", "sender", "recipient", "subject", "created", "sent", "payload"}

``created`` is when the business event happened; ``sent`` is when this copy was
signed. A retry is signed again with a new ``sent``, so the receiver can keep
a narrow freshness window (a copy captured and replayed later is refused as
expired) without refusing a message that waited out a partner's outage.

The JWS uses the fully-specified EdDSA algorithm ``Ed25519`` (RFC 9864;
``EdDSA`` on an Ed25519 key is accepted too) and names its key in ``kid``.
Compact serialisation and the Ed25519 signature are done here with
``cryptography`` (a few lines of RFC 7515; joserfc verifies the same tokens in
the tests): a generic JOSE library costs more per message than the whole
signature on the exchange's hot path.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import orjson
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc.jwk import OKPKey

from silkgate.exchange.identity import PublicKey
from silkgate.kernel.errors import pointer
from silkgate.kernel.text import json_faults, suspect_json

TYP = "silkgate-message+jws"
# A document this node vouches for (a certificate of origin), signed with its payload detached.
DOCUMENT_TYP = "silkgate-document+jws"
ALGORITHMS = ["Ed25519", "EdDSA"]
# How far a message's sending time may be from the receiver's clock.
MAX_AGE = dt.timedelta(minutes=5)
MAX_AHEAD = dt.timedelta(minutes=2)
MAX_BYTES = 256_000  # one signed message


class Refused(Exception):
    """A message the receiver will not process: ``code`` is machine-readable."""

    def __init__(self, code: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    sender: str
    recipient: str
    subject: str
    created: dt.datetime
    payload: dict[str, Any]
    sent: dt.datetime | None = None

    @staticmethod
    def new(
        type: str,
        sender: str,
        recipient: str,
        subject: str,
        payload: dict[str, Any],
        at: dt.datetime,
    ) -> Envelope:
        return Envelope(str(uuid.uuid4()), type, sender, recipient, subject, at, payload)

    def content(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "sender": self.sender,
            "recipient": self.recipient,
            "subject": self.subject,
            "created": iso(self.created),
            "sent": iso(self.sent or self.created),
            "payload": self.payload,
        }


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes: the same JSON value always signs to the same bytes.

    For values without floats and with ASCII keys (everything silkgate sends:
    amounts travel as strings) orjson's sorted output is byte for byte JCS and
    twenty times faster; anything else goes through the reference implementation.
    """
    if _plain(value):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return rfc8785.dumps(value)


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(k.__class__ is str and k.isascii() and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, int):  # bool too; JCS integers are exact up to 2**53
        return abs(value) < 2**53
    return value is None or isinstance(value, str)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def content_bytes(envelope: Envelope, payload: bytes | None = None) -> bytes:
    """The canonical signed content; ``payload`` is the payload's canonical JSON if known.

    Built member by member in JCS order, so a stored canonical payload is signed
    as it is, without being parsed and serialised again on every delivery.
    """
    members = (
        ("created", iso(envelope.created)),
        ("id", envelope.id),
        ("payload", None),
        ("recipient", envelope.recipient),
        ("sender", envelope.sender),
        ("sent", iso(envelope.sent or envelope.created)),
        ("subject", envelope.subject),
        ("type", envelope.type),
    )
    body = payload if payload is not None else canonical(envelope.payload)
    return (
        b"{"
        + b",".join(
            b'"' + name.encode() + b'":' + (body if value is None else canonical(value))
            for name, value in members
        )
        + b"}"
    )


def sign(
    envelope: Envelope, key: OKPKey, kid: str, at: dt.datetime, payload: bytes | None = None
) -> str:
    """The compact JWS (RFC 7515) of ``envelope`` sent at ``at``."""
    body = content_bytes(replace(envelope, sent=at), payload)
    head = _b64(canonical({"alg": "Ed25519", "kid": kid, "typ": TYP}))
    signing_input = head + b"." + _b64(body)
    signature = _private(key).sign(signing_input)
    return (signing_input + b"." + _b64(signature)).decode("ascii")


def sign_detached(content: bytes, key: OKPKey, kid: str) -> str:
    """A compact JWS of ``content`` with its payload detached (RFC 7515, appendix F).

    The token is ``header..signature``: whoever holds ``content`` (the document
    as its canonical JSON) and the signer's public key can check it; the token
    alone reveals nothing of the content.
    """
    head = _b64(canonical({"alg": "Ed25519", "kid": kid, "typ": DOCUMENT_TYP}))
    signature = _private(key).sign(head + b"." + _b64(content))
    return (head + b".." + _b64(signature)).decode("ascii")


def verify_detached(token: str, content: bytes, key: PublicKey) -> bool:
    """Whether ``token`` (from :func:`sign_detached`) signs ``content`` with ``key``."""
    parts = token.split(".")
    if len(parts) != 3 or parts[1] or not token.isascii():
        return False
    try:
        head = header(token)
        signature = _unb64(parts[2])
    except (Refused, ValueError):
        return False
    if head.get("alg") not in ALGORITHMS or head.get("kid") != key.kid:
        return False
    try:
        _verifier(key).verify(signature, parts[0].encode("ascii") + b"." + _b64(content))
    except InvalidSignature:
        return False
    return True


def _private(key: OKPKey) -> Ed25519PrivateKey:
    raw = key.private_key
    assert isinstance(raw, Ed25519PrivateKey)
    return raw


def header(token: str) -> dict[str, Any]:
    """The protected header, unverified (to find the key)."""
    try:
        head = orjson.loads(_unb64(token.split(".", 1)[0]))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise Refused("malformed", f"not a compact JWS: {exc}") from exc
    if not isinstance(head, dict):
        raise Refused("malformed", "not a compact JWS: the header is not an object")
    return head


def open_envelope(
    token: str,
    keys: Callable[[str], tuple[str, PublicKey] | None],
    *,
    recipient: str,
    now: dt.datetime,
) -> Envelope:
    """Verify ``token`` and return its envelope, or raise :class:`Refused`.

    ``keys(kid)`` answers ``(administration, key)`` for a registered partner key.
    """
    if len(token) > MAX_BYTES:
        raise Refused("too_large", f"a message may not exceed {MAX_BYTES} bytes", 413)
    parts = token.split(".")
    if len(parts) != 3 or not token.isascii():
        raise Refused("malformed", "not a compact JWS (three base64url parts)")
    head = header(token)
    if head.get("alg") not in ALGORITHMS:
        raise Refused("unsigned", f"alg must be Ed25519 (or EdDSA), not {head.get('alg')!r}", 401)
    if "crit" in head:
        raise Refused("malformed", "no critical header extension is understood here")
    kid = head.get("kid")
    found = keys(kid) if isinstance(kid, str) else None
    if found is None:
        raise Refused("unknown_sender", f"no registered partner holds the key {kid!r}", 401)
    owner, public = found
    try:
        _verifier(public).verify(_unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii"))
        payload = _unb64(parts[1])
    except (InvalidSignature, ValueError) as exc:
        raise Refused("bad_signature", f"the signature does not verify with {kid}", 401) from exc
    try:
        c = orjson.loads(payload)
        env = Envelope(
            id=_text(c, "id", 64),
            type=_text(c, "type", 40),
            sender=_text(c, "sender", 2),
            recipient=_text(c, "recipient", 2),
            subject=_text(c, "subject", 120),
            created=_time(c["created"]),
            sent=_time(c["sent"]),
            payload=c["payload"] if isinstance(c["payload"], dict) else _fail("payload"),
        )
    except (KeyError, TypeError, ValueError, orjson.JSONDecodeError) as exc:
        raise Refused("malformed", f"the signed content is not an envelope ({exc})") from exc
    _printable(payload, c)
    if env.sender != owner:
        raise Refused("wrong_sender", f"key {kid} belongs to {owner}, not {env.sender}", 401)
    if env.recipient != recipient:
        raise Refused("wrong_recipient", f"addressed to {env.recipient}, this node is {recipient}")
    assert env.sent is not None
    if not public.valid_at(env.sent):
        raise Refused("key_expired", f"key {kid} is not valid at {iso(env.sent)}", 401)
    if env.sent > now + MAX_AHEAD:
        raise Refused("far_future", f"sent {iso(env.sent)}, ahead of this node's clock")
    if env.sent < now - MAX_AGE:
        raise Refused("expired", f"sent {iso(env.sent)}, older than {MAX_AGE} (a replay?)")
    return env


@functools.lru_cache(maxsize=256)
def _public(x: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_unb64(x))


def _verifier(public: PublicKey) -> Ed25519PublicKey:
    return _public(public.jwk["x"])


def _text(c: dict[str, Any], name: str, max_length: int) -> str:
    v = c[name]
    if not isinstance(v, str) or not 1 <= len(v) <= max_length:
        raise ValueError(f"{name} must be 1 to {max_length} characters")
    return v


def _time(v: Any) -> dt.datetime:
    t = dt.datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError("times carry their offset")
    return t.astimezone(dt.UTC)


def _printable(payload: bytes, content: Any) -> None:
    """Refuse signed content holding a control or invisible formatting character.

    A partner's names and texts are stored and shown here; the byte scan is
    cheap, and only a suspect content is walked to name the field.
    """
    if suspect_json(payload):
        for where, why in json_faults(content):
            raise Refused("malformed", f"the signed content at {pointer(*where)} {why}")


def _fail(name: str) -> Any:
    raise ValueError(f"{name} must be an object")
