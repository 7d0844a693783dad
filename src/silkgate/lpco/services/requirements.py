"""The LPCO requirements in force: loaded from a file, held in memory, looked up by anyone.

Held as the SPS requirements are: refreshed when a new set is loaded (checked
every ``ttl`` seconds), so a lodging asks them without touching the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.versioned import FileLoad, InForce
from silkgate.lpco.licence import Flow
from silkgate.lpco.requirements import Requirements, parse
from silkgate.store import lpco as store
from silkgate.store.db import reading
from silkgate.store.versions import add_version


class RequirementsInForce:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        countries: frozenset[str],
        hs_codes: frozenset[str],
        ttl: float = 5.0,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.countries = countries
        self.hs_codes = hs_codes  # headings and subheadings a prefix may start with
        self.clock = clock
        self._in_force: InForce[Requirements] = InForce(self._load, ttl=ttl)

    def _load(self, held: Requirements | None) -> Requirements:
        with reading(self.engine) as conn:
            set_id = store.active_set(conn)
            if held is not None and held.version == (set_id or 0):
                return held
            return Requirements(store.requirements(conn, set_id) if set_id else [], set_id or 0)

    def get(self) -> Requirements:
        """The requirements in force, as of at most ``ttl`` seconds ago."""
        return self._in_force.get()

    def load(self, data: bytes, *, source: str, actor: str) -> tuple[int, int]:
        """Check a whole requirements file and make it the set in force: (set id, rules).

        A file with any error raises ``FileErrors`` (every error with its line) and
        changes nothing.
        """
        import tomllib

        text = data.decode("utf-8-sig")
        requirements = parse(text, self.countries, self.hs_codes)
        title = str(tomllib.loads(text).get("title") or source)
        load = FileLoad.of(data, source=source, actor=actor, at=self.clock())
        set_id = add_version(
            self.engine,
            self._in_force,
            lambda conn: store.add_set(conn, title, requirements, load),
        )
        return set_id, len(requirements)

    def lookup(
        self, hs: str, country: str | None, flow: Flow | None, on: dt.date
    ) -> list[dict[str, Any]]:
        """The requirements in force for goods of ``hs`` (a prefix of theirs, or a longer
        code under one), from or to ``country``, in ``flow`` (None: any)."""
        found = [
            r
            for r in self.get().all()
            if (hs.startswith(r.hs_prefix) or r.hs_prefix.startswith(hs))
            and (country is None or r.country in ("", country))
            and (flow is None or r.flow is flow)
            and r.in_force(on)
        ]
        found.sort(key=lambda r: (r.hs_prefix, r.flow.value, r.country, r.kind.value))
        return [r.as_json() for r in found]

    def sets(self) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            return store.sets(conn)
