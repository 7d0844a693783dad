"""Drafts: a declaration form saved to finish later, owned by the trader that saved it.

A draft is the form's fields as they were (valid or not); it belongs to the
trader (its party), so a colleague under the same trader identifier may
finish it, and any other trader is told there is no such draft.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock
from silkgate.kernel.errors import Forbidden, NotFound
from silkgate.store import portal as store
from silkgate.store.db import reading, writing

_MAX_DRAFTS = 500  # per trader: a draft is work in progress, not an archive


def _trader(principal: Principal) -> str:
    if principal.role is not Role.DECLARANT or not principal.party_id:
        raise Forbidden("only a declarant keeps drafts of declarations")
    return principal.party_id


class Drafts:
    def __init__(self, engine: sa.Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def save(
        self, principal: Principal, draft_id: int | None, title: str, fields: dict[str, str]
    ) -> int:
        """Save the form as draft ``draft_id`` (a new draft when None); its id.

        Another trader's draft id is refused as unknown, and nothing is stored.
        """
        party = _trader(principal)
        with writing(self.engine) as conn:
            if draft_id is not None:
                self._own(conn, party, draft_id)
            elif len(store.drafts_of(conn, party)) >= _MAX_DRAFTS:
                raise Forbidden(f"at most {_MAX_DRAFTS} drafts: lodge or delete some first")
            return store.save_draft(
                conn, draft_id, party, title[:140], fields, self.clock(), principal.name
            )

    def get(self, principal: Principal, draft_id: int) -> dict[str, Any]:
        party = _trader(principal)
        with reading(self.engine) as conn:
            return self._own(conn, party, draft_id)

    def mine(self, principal: Principal) -> list[dict[str, Any]]:
        party = _trader(principal)
        with reading(self.engine) as conn:
            return store.drafts_of(conn, party)

    def delete(self, principal: Principal, draft_id: int) -> None:
        party = _trader(principal)
        with writing(self.engine) as conn:
            self._own(conn, party, draft_id)
            store.delete_draft(conn, draft_id, party)

    @staticmethod
    def _own(conn: sa.Connection, party: str, draft_id: int) -> dict[str, Any]:
        found = store.draft(conn, draft_id)
        if found is None or found["party_id"] != party:
            # Another trader's draft is answered as one that does not exist.
            raise NotFound(f"no draft {draft_id} of yours")
        return found
