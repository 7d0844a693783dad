"""The consumer's identity number, kept only as a keyed hash.

The hash is HMAC-SHA256 under a key derived from the node's secret, so the same
person's number always gives the same hash on this node (the three lists can be
compared, the annual quota kept per person), while whoever reads the database
cannot test guessed numbers without the secret. The number itself is never
stored nor returned.
"""

from __future__ import annotations

import hashlib
import hmac

# Domain separation: this key serves nothing but consumer identities.
_LABEL = b"silkgate/ecommerce/consumer-identity/v1"


def consumer_key(secret: str) -> bytes:
    """The key consumer identities are hashed under, derived from the node's secret."""
    return hmac.new(secret.encode(), _LABEL, hashlib.sha256).digest()


class ConsumerHasher:
    """Identity number -> hex HMAC (64 characters); the number is normalised to capitals."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._cache: dict[str, str] = {}

    def __call__(self, id_number: str) -> str:
        found = self._cache.get(id_number)
        if found is None:
            found = hmac.digest(self._key, id_number.upper().encode(), "sha256").hex()
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[id_number] = found
        return found
