"""What the Time Release Study reads: declarations of a period and their journal entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.tables import declaration_versions, declarations, journal

EVENTS = (
    "lodged",
    "assessed",
    "channel",
    "inspection_started",
    "inspection_check",
    "inspected",
    "payment",
    "guarantee",
    "release",
    "conditional_release",
)


def rows(conn: sa.Connection, since: dt.datetime, until: dt.datetime) -> list[dict[str, Any]]:
    """Imports lodged in [since, until): office, channel, mode, arrival, journal events."""
    d = declarations.c
    found = conn.execute(
        sa.select(d.id, d.mrn, d.office, d.channel, d.arrival_date, declaration_versions.c.document)
        .join(
            declaration_versions,
            sa.and_(
                declaration_versions.c.declaration_id == d.id, declaration_versions.c.version == 1
            ),
        )
        .where(d.type == "IM", d.lodged_at >= since, d.lodged_at < until)
    ).all()
    by_id: dict[int, dict[str, Any]] = {}
    for r in found:
        mode = orjson.loads(r.document).get("transport", {}).get("mode")
        by_id[r.id] = {
            "mrn": r.mrn,
            "office": r.office,
            "channel": r.channel,
            "mode": str(mode),
            "arrival": r.arrival_date,
            "entries": [],
        }
    if not by_id:
        return []
    j = journal.c
    ids = list(by_id)
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        for e in conn.execute(
            sa.select(j.declaration_id, j.event, j.at, j.to_status)
            .where(j.declaration_id.in_(chunk), j.event.in_(EVENTS))
            .order_by(j.seq)
        ):
            by_id[e.declaration_id]["entries"].append((e.event, e.at, e.to_status))
    return list(by_id.values())
