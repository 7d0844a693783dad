"""SPS requirement sets in the database: each load is a set; the newest active one applies."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from silkgate.kernel.versioned import FileLoad
from silkgate.sps.requirements import Control, Requirement
from silkgate.store.tables import sps_requirement_sets, sps_requirements
from silkgate.store.versions import provenance


def add_set(
    conn: sa.Connection,
    requirements: list[Requirement],
    load: FileLoad,
) -> int:
    """Store a requirements file as a new set and make it the one in force."""
    conn.execute(sps_requirement_sets.update().values(active=False))
    set_id = conn.execute(
        sps_requirement_sets.insert().returning(sps_requirement_sets.c.id),
        {**provenance(load), "rows": len(requirements), "active": True},
    ).scalar_one()
    if requirements:
        conn.execute(
            sps_requirements.insert(),
            [
                {
                    "set_id": set_id,
                    "hs_prefix": r.hs_prefix,
                    "origin": r.origin,
                    "control": r.control.value,
                    "document": r.document,
                    "description": r.description,
                    "valid_from": r.valid_from,
                    "valid_to": r.valid_to,
                }
                for r in requirements
            ],
        )
    return set_id


def active_set(conn: sa.Connection) -> int | None:
    return conn.execute(
        sa.select(sa.func.max(sps_requirement_sets.c.id)).where(
            sps_requirement_sets.c.active.is_(True)
        )
    ).scalar()


def requirements(conn: sa.Connection, set_id: int) -> list[Requirement]:
    s = sps_requirements.c
    rows = conn.execute(sps_requirements.select().where(s.set_id == set_id).order_by(s.id))
    return [
        Requirement(
            r.hs_prefix,
            r.origin,
            Control(r.control),
            r.document,
            r.description,
            r.valid_from,
            r.valid_to,
        )
        for r in rows
    ]


def sets(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(sps_requirement_sets.select().order_by(sps_requirement_sets.c.id.desc()))
    return [dict(r._mapping) for r in rows]
