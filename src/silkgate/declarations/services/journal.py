"""The journal's own use cases: sign an anchor of its head, verify the chain (and an anchor).

The anchor is signed with the node's signing key (the one its partner
messages carry), which this capability does not own: the bootstrap hands it
over as two ports, one that signs and one that finds a public key by id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from joserfc.jwk import OKPKey

from silkgate.declarations import journal_anchor
from silkgate.declarations.journal import Tampering
from silkgate.declarations.journal_anchor import Anchor, AnchorError
from silkgate.declarations.journal_keys import JournalKeys
from silkgate.exchange.identity import CardError, PublicKey, parse_card
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import Forbidden
from silkgate.store import journal as store
from silkgate.store.db import reading

# The key that signs now (kid, private key); a node without one gets its first.
Signer = Callable[[], tuple[str, OKPKey]]
# Any key this node has signed with, retired ones included, by id.
PublicKeys = Callable[[str], PublicKey | None]


@dataclass(frozen=True)
class Verification:
    count: int  # entries read
    problem: Tampering | None
    anchor: Anchor | None = None  # the anchor checked, if one was given


class JournalService:
    """Anchors of the journal's head, and the verification of the chain."""

    def __init__(
        self,
        engine: sa.Engine,
        keys: JournalKeys,
        *,
        administration: str,
        signer: Signer,
        public_keys: PublicKeys,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.administration = administration
        self.signer = signer
        self.public_keys = public_keys
        self.clock = clock

    def anchor(self, principal: Principal | None = None) -> dict[str, Any]:
        """The journal head, signed: the JSON to keep outside the node.

        For administrators (``None``: the node's operator, on its own machine).
        The sequence number tells how busy the node is, so it is not public.
        """
        if principal is not None and principal.role is not Role.ADMIN:
            raise Forbidden("the journal anchor is for administrators")
        with reading(self.engine) as conn:
            seq, digest, entry_at = store.head(conn)
        kid, key = self.signer()
        head = Anchor(self.administration, seq, digest, entry_at, self.clock())
        return journal_anchor.sign(head, kid, key)

    def verify(self, anchor: Any = None, card: Any = None) -> Verification:
        """Recompute the chain; with ``anchor`` (its JSON), check it holds the anchored head.

        The anchor's signature is checked with this node's keys as its
        database lists them, or with the keys of ``card`` (the node's partner
        card, as a partner or auditor holds it) when given. Raises
        :class:`AnchorError` for an anchor that cannot be trusted.
        """
        checked = None if anchor is None else self._read(anchor, card)
        with reading(self.engine) as conn:
            count, problem = store.verify(
                conn, self.keys, None if checked is None else checked.anchored()
            )
        return Verification(count, problem, checked)

    def _read(self, raw: Any, card: Any) -> Anchor:
        key_for = self.public_keys
        if card is not None:
            try:
                parsed = parse_card(card)
            except CardError as exc:
                raise AnchorError(f"not a partner card: {exc}") from exc
            if parsed.administration != self.administration:
                raise AnchorError(f"the card is of {parsed.administration}")
            key_for = {k.kid: k for k in parsed.keys}.get
        found = journal_anchor.read(raw, key_for)
        if found.administration != self.administration:
            raise AnchorError(
                f"the anchor is of the journal of {found.administration}, "
                f"this node is {self.administration}"
            )
        return found
