"""Journal anchors (pure): the chain head, signed with the node's Ed25519 key, kept elsewhere.

An anchor says "on ``signed_at``, entry ``seq`` of the journal of
``administration`` had hash ``hash``". It is a JSON object: those fields in
clear, and ``signature``, a compact JWS (RFC 7515, alg ``Ed25519``) whose
payload is the canonical JSON of the same fields, signed with the signing key
the node uses for its partner messages and named by ``kid``. Once a copy is
held outside the node, whoever rewrites the history before ``seq`` (even with
the journal key) is found out: the chain no longer has that hash there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from silkgate.declarations.journal import GENESIS, Anchored
from silkgate.exchange.identity import PublicKey, load_public

FORMAT = "silkgate-journal-anchor/1"
TYP = "silkgate-journal-anchor+jws"
_ALGORITHMS = ["Ed25519"]
_FIELDS = ("format", "administration", "seq", "hash", "entry_at", "signed_at")
_HASH = re.compile(r"^[0-9a-f]{64}$")


class AnchorError(ValueError):
    """An anchor that cannot be trusted: unreadable, altered, or not signed by this node."""


@dataclass(frozen=True)
class Anchor:
    administration: str
    seq: int
    hash: str
    entry_at: dt.datetime | None  # the time of entry ``seq`` (None: an empty journal)
    signed_at: dt.datetime

    def content(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "administration": self.administration,
            "seq": self.seq,
            "hash": self.hash,
            "entry_at": None if self.entry_at is None else _iso(self.entry_at),
            "signed_at": _iso(self.signed_at),
        }

    def anchored(self) -> Anchored:
        return Anchored(self.seq, self.hash, self.signed_at)


def sign(anchor: Anchor, kid: str, key: OKPKey) -> dict[str, Any]:
    """The anchor as its JSON file: the fields in clear, ``kid`` and ``signature``."""
    content = anchor.content()
    payload = orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
    header = {"alg": "Ed25519", "kid": kid, "typ": TYP}
    signature = jws.serialize_compact(header, payload, key, algorithms=_ALGORITHMS)
    return {**content, "kid": kid, "signature": signature}


def read(raw: Any, key_for: Callable[[str], PublicKey | None]) -> Anchor:
    """The anchor of a JSON file, its signature checked with ``key_for(kid)``.

    Raises :class:`AnchorError` when it is not an anchor, was altered, or was
    not signed by a key that was valid when it was signed.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("signature"), str):
        raise AnchorError("not a journal anchor (a JSON object with a signature)")
    try:
        header = jws.extract_compact(raw["signature"].encode("ascii")).headers()
    except (JoseError, UnicodeEncodeError, ValueError) as exc:
        raise AnchorError(f"the signature is not a compact JWS ({exc})") from exc
    kid = header.get("kid")
    public = key_for(kid) if isinstance(kid, str) else None
    if public is None:
        raise AnchorError(f"the anchor is signed with {kid!r}, not a key of this node")
    try:
        token = jws.deserialize_compact(
            raw["signature"], load_public(public.jwk), algorithms=_ALGORITHMS
        )
    except (JoseError, ValueError) as exc:
        raise AnchorError(f"the signature does not verify with {kid}") from exc
    signed = _content(token.payload)
    if {k: raw.get(k) for k in _FIELDS} != signed:
        raise AnchorError("the anchor's fields differ from what was signed")
    anchor = _anchor(signed)
    if not public.valid_at(anchor.signed_at):
        raise AnchorError(f"key {kid} was not valid at {_iso(anchor.signed_at)}")
    return anchor


def _content(payload: bytes) -> dict[str, Any]:
    try:
        content = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise AnchorError("the signed content is not JSON") from exc
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise AnchorError(f"the signed content is not a {FORMAT}")
    return {k: content.get(k) for k in _FIELDS}


def _anchor(c: dict[str, Any]) -> Anchor:
    seq, digest = c["seq"], c["hash"]
    if not (type(seq) is int and seq >= 0 and isinstance(digest, str) and _HASH.fullmatch(digest)):
        raise AnchorError("the signed content has no sequence number and hash")
    if seq == 0 and digest != GENESIS:
        raise AnchorError("an anchor of an empty journal has the genesis hash")
    try:
        return Anchor(
            str(c["administration"]),
            seq,
            digest,
            None if c["entry_at"] is None else _time(c["entry_at"]),
            _time(c["signed_at"]),
        )
    except (TypeError, ValueError) as exc:
        raise AnchorError(f"the signed content has a bad time ({exc})") from exc


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _time(v: Any) -> dt.datetime:
    t = dt.datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError("times carry their offset")
    return t.astimezone(dt.UTC)
