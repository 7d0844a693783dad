"""The journal keys: HMAC keys derived from the node's secret, never stored in the database.

The key with id ``K`` is ``HKDF-SHA256(secret, salt="silkgate-journal", info=K)``
(RFC 5869): the node's ``SILKGATE_SECRET_KEY`` yields a different, independent
key for every id. Each journal entry records the id of the key it was sealed
with, so the keys rotate without re-sealing anything:

* new generation, same secret: set ``SILKGATE_JOURNAL_KEY_ID`` to a new id
  (``j2``); new entries are sealed with it, older ones keep verifying under
  their own id, derived from the same secret;
* new secret: keep the old secret for the ids it sealed in
  ``SILKGATE_JOURNAL_RETIRED_SECRETS`` (``{"j1": "the old secret"}``) and seal
  under a new id from now on.

Whoever can write the database but does not know the secret cannot seal an
entry, so cannot rewrite one and recompute the later hashes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,16}$")
_SALT = b"silkgate-journal"


def derive(secret: str, key_id: str) -> bytes:
    """The 256-bit journal key ``key_id`` derived from ``secret``."""
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=_SALT, info=key_id.encode())
    return hkdf.derive(secret.encode())


class JournalKeys:
    """The key new entries are sealed with (``current``) and every key that verifies.

    A key id without a retired secret is derived from the node's secret.
    """

    def __init__(
        self, secret: str, current: str = "j1", retired: Mapping[str, str] | None = None
    ) -> None:
        for key_id in (current, *(retired or {})):
            if not KEY_ID.fullmatch(key_id):
                raise ValueError(f"journal key id {key_id!r}: 1 to 16 of A-Z a-z 0-9 . _ -")
        if current in (retired or {}):
            raise ValueError(f"journal key {current} seals new entries; it cannot be retired")
        self.current = current
        self._secret = secret
        self._retired = dict(retired or {})
        self._keys: dict[str, bytes] = {}

    def key(self, key_id: str) -> bytes:
        """The key ``key_id`` (derived once, then kept in memory)."""
        found = self._keys.get(key_id)
        if found is None:
            found = derive(self._retired.get(key_id, self._secret), key_id)
            self._keys[key_id] = found
        return found

    def sealing(self) -> tuple[str, bytes]:
        """The id and key new entries are sealed with."""
        return self.current, self.key(self.current)
