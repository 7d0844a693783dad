"""The SPS use cases of a node: load the requirements, find those that apply to a declaration.

The requirements in force are held in memory and refreshed when a new set is
loaded (checked every ``ttl`` seconds), as the tariff is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.versioned import FileLoad, InForce
from silkgate.sps.requirements import Control, Requirement, Requirements, parse
from silkgate.store import sps as store
from silkgate.store.db import reading
from silkgate.store.versions import add_version


@dataclass(frozen=True)
class Applicable:
    """A requirement that applies to one item, and whether its certificate is attached."""

    item_seq: int
    requirement: Requirement
    document_attached: bool | None  # None when the control needs no document

    def reason(self) -> str:
        r = self.requirement
        text = f"item {self.item_seq}: {r.control.value.replace('_', ' ')} ({r.description})"
        if self.document_attached is False:
            text += f"; document {r.document} not attached"
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item_seq,
            **self.requirement.as_json(),
            "document_attached": self.document_attached,
        }


class SpsService:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        countries: frozenset[str],
        ttl: float = 5.0,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.countries = countries
        self.ttl = ttl
        self.clock = clock
        self._in_force: InForce[Requirements] = InForce(self._load, ttl=ttl)

    def _load(self, held: Requirements | None) -> Requirements:
        with reading(self.engine) as conn:
            set_id = store.active_set(conn)
            if held is not None and held.version == (set_id or 0):
                return held
            return Requirements(store.requirements(conn, set_id) if set_id else [], set_id or 0)

    def requirements(self) -> Requirements:
        """The requirements in force, as of at most ``ttl`` seconds ago."""
        return self._in_force.get()

    def applicable(self, doc: DeclarationDocument, on: dt.date) -> list[Applicable]:
        """The SPS controls that the items of an import must pass."""
        if doc.type != "IM":
            return []
        held = self.requirements()
        out = []
        for item in doc.items:
            codes = {d.code for d in item.documents} | {d.code for d in doc.documents}
            for r in held.applicable(item.hs_code, item.origin, on):
                attached = (r.document in codes) if r.document else None
                out.append(Applicable(item.seq, r, attached))
        return out

    def load(self, data: bytes, *, source: str, actor: str) -> tuple[int, int]:
        """Check a whole requirements file and make it the set in force: (set id, rows)."""
        requirements = parse(data.decode("utf-8-sig"), self.countries)
        load = FileLoad.of(data, source=source, actor=actor, at=self.clock())
        set_id = add_version(
            self.engine, self._in_force, lambda conn: store.add_set(conn, requirements, load)
        )
        return set_id, len(requirements)

    def lookup(self, hs_code: str, origin: str | None, on: dt.date) -> list[dict[str, Any]]:
        held = self.requirements()
        found = [
            r
            for r in held.all()
            if (hs_code.startswith(r.hs_prefix) or r.hs_prefix.startswith(hs_code))
            and (origin is None or r.origin in ("", origin))
            and r.in_force(on)
        ]
        return [r.as_json() for r in sorted(found, key=lambda r: (r.hs_prefix, r.origin))]


PROHIBITED = Control.PROHIBITED
