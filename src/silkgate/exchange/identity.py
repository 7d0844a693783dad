"""A node's identity: Ed25519 signing keys and the card a partner registers.

A key is named by its ``kid`` (``<administration>-<date>-<thumbprint prefix>``)
and is valid from its creation until ``valid_to``; rotating the signing key
gives the old one a ``valid_to`` in the future (the overlap), so messages
signed before the partner learnt the new key still verify.

A *card* is what one administration hands another: its code and name, the
endpoint of its node, its public keys and the agreements it proposes. It
carries no secret.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

CARD_FORMAT = "silkgate-partner-card/1"
# What partners may agree on; each unlocks a kind of message (docs/exchange.md).
AGREEMENTS = {
    "advance_export_data": "export data sent to the importing side on release",
    "aeo_mra": "mutual recognition of Authorised Economic Operators",
    "inspection_results": "recognition of each other's inspection results",
    "mutual_assistance": "mutual administrative assistance: alerts and verification requests",
    "origin_certificates": "electronic certificates of origin, and the importing side's treatment",
    "transit": "transit movements: anticipated records, crossings, arrival, control, write-off",
    "lpco": "export licences and permits (CITES...) sent to the importing side, checked at import",
}
_ENDPOINT = re.compile(r"^https?://[^\s/?#]+(:[0-9]{1,5})?(/[^\s?#]*)?$")


class CardError(ValueError):
    """A partner card that cannot be registered; ``errors`` are (pointer, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p or '/'}: {m}" for p, m in errors))
        self.errors = errors


def new_key() -> OKPKey:
    return OKPKey.generate_key("Ed25519", private=True)


def key_id(administration: str, key: OKPKey, on: dt.date) -> str:
    return f"{administration}-{on:%Y%m%d}-{key.thumbprint()[:8]}"


def public_jwk(key: OKPKey, kid: str) -> dict[str, Any]:
    jwk = key.as_dict(private=False)
    return {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"], "kid": kid}


def private_pem(key: OKPKey, passphrase: str) -> str:
    """The private key as encrypted PKCS#8 PEM (the passphrase is the node's secret)."""
    return key.as_pem(private=True, password=passphrase).decode()


def load_private(pem: str, passphrase: str) -> OKPKey:
    return OKPKey.import_key(pem, password=passphrase)


def load_public(jwk: dict[str, Any]) -> OKPKey:
    return OKPKey.import_key({k: jwk[k] for k in ("kty", "crv", "x")})


@dataclass(frozen=True)
class PublicKey:
    kid: str
    jwk: dict[str, Any]
    valid_from: dt.datetime
    valid_to: dt.datetime | None = None

    def valid_at(self, at: dt.datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at <= self.valid_to)

    def as_json(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "jwk": self.jwk,
            "valid_from": _iso(self.valid_from),
            "valid_to": None if self.valid_to is None else _iso(self.valid_to),
        }


@dataclass(frozen=True)
class Card:
    administration: str
    name: str
    endpoint: str
    keys: tuple[PublicKey, ...]
    agreements: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "format": CARD_FORMAT,
            "administration": self.administration,
            "name": self.name,
            "endpoint": self.endpoint,
            "keys": [k.as_json() for k in self.keys],
            "agreements": list(self.agreements),
        }


def parse_card(raw: Any, countries: set[str] | frozenset[str] | None = None) -> Card:
    """A card from its JSON form, checked field by field (every error at once)."""
    errors: list[tuple[str, str]] = []
    if not isinstance(raw, dict):
        raise CardError([("", "a partner card is a JSON object")])
    if raw.get("format") != CARD_FORMAT:
        errors.append(("/format", f"must be {CARD_FORMAT}"))
    admin = raw.get("administration")
    if not (isinstance(admin, str) and re.fullmatch(r"[A-Z]{2}", admin)):
        errors.append(("/administration", "an ISO 3166 country code, e.g. VN"))
    elif countries is not None and admin not in countries:
        errors.append(("/administration", f"{admin} is not a known country"))
    name = raw.get("name")
    if not (isinstance(name, str) and 1 <= len(name.strip()) <= 140):
        errors.append(("/name", "the administration's name, 1 to 140 characters"))
    endpoint = raw.get("endpoint")
    if not (isinstance(endpoint, str) and _ENDPOINT.match(endpoint)):
        errors.append(("/endpoint", "the node's base URL, e.g. https://customs.example.vn"))
    keys: list[PublicKey] = []
    raw_keys = raw.get("keys")
    if not (isinstance(raw_keys, list) and raw_keys):
        errors.append(("/keys", "at least one public key"))
    else:
        for i, k in enumerate(raw_keys):
            try:
                keys.append(_parse_key(k))
            except (AttributeError, KeyError, TypeError, ValueError, JoseError) as exc:
                errors.append(
                    (f"/keys/{i}", f"not an Ed25519 public key with kid and dates ({exc})")
                )
    agreements = raw.get("agreements", [])
    if not (
        isinstance(agreements, list)
        and all(isinstance(a, str) and a in AGREEMENTS for a in agreements)
    ):
        errors.append(("/agreements", "a list among " + ", ".join(sorted(AGREEMENTS))))
    unknown = set(raw) - {"format", "administration", "name", "endpoint", "keys", "agreements"}
    errors.extend((f"/{k}", "is not a field of a partner card") for k in sorted(unknown))
    # The checks above already refused any field that is not a string.
    if errors or not (
        isinstance(admin, str) and isinstance(name, str) and isinstance(endpoint, str)
    ):
        raise CardError(errors)
    return Card(
        admin, name.strip(), endpoint.rstrip("/"), tuple(keys), tuple(sorted(set(agreements)))
    )


def _parse_key(k: dict[str, Any]) -> PublicKey:
    jwk = k["jwk"]
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("kty must be OKP and crv Ed25519")
    if "d" in jwk:
        raise ValueError("a card must not carry a private key")
    load_public(jwk)  # refuses an x that is not a key
    kid = k["kid"]
    if not (isinstance(kid, str) and 1 <= len(kid) <= 64):
        raise ValueError("kid must be 1 to 64 characters")
    valid_from = _parse_time(k["valid_from"])
    valid_to = None if k.get("valid_to") is None else _parse_time(k["valid_to"])
    return PublicKey(
        kid, {"kty": "OKP", "crv": "Ed25519", "x": jwk["x"], "kid": kid}, valid_from, valid_to
    )


def _parse_time(value: Any) -> dt.datetime:
    t = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError("times carry their offset")
    return t.astimezone(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
