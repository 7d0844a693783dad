"""The rebuild: every figure again from the journal and the stored versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.statistics.stages import (
    MARKS,
    Key,
    Slot,
    Stages,
    by_dimension,
    contribution,
    mark,
    sketch_moves,
)
from silkgate.store import statistics as store
from silkgate.store import statistics_trade as trade_store
from silkgate.store.tables import declaration_versions, declarations, journal

_CHUNK = 2000
RecordRelease = Callable[[sa.Connection, int, int, Stages], None]


def _first_versions(conn: sa.Connection, after: int) -> list[Any]:
    d, v = declarations.c, declaration_versions.c
    return list(
        conn.execute(
            sa.select(d.id, d.channel, d.arrival_date, v.document)
            .join(declaration_versions, sa.and_(v.declaration_id == d.id, v.version == 1))
            .where(d.id > after)
            .order_by(d.id)
            .limit(_CHUNK)
        )
    )


def _stages(row: Any) -> Stages:
    doc = orjson.loads(row.document)
    return Stages(
        row.id,
        doc["type"],
        doc["office"],
        row.channel,
        str(doc["transport"]["mode"]),
        doc["items"][0]["hs_code"][:2],
        row.arrival_date,
    )


def rebuild_all(conn: sa.Connection, record_release: RecordRelease) -> dict[str, int]:
    """Clear the figures and recompute them, a chunk of declarations at a time."""
    store.clear(conn)
    trade_store.clear(conn)
    sums: dict[Key, dict[str, int]] = {}
    sketch: dict[tuple[Slot, int], int] = {}
    counted = released = 0
    after = 0
    j = journal.c
    while chunk := _first_versions(conn, after):
        after = chunk[-1].id
        by_id = {r.id: _stages(r) for r in chunk}
        last_release: dict[int, int] = {}
        entries = conn.execute(
            sa.select(j.declaration_id, j.event, j.at, j.to_status, j.version)
            .where(j.declaration_id.in_(list(by_id)), j.event.in_(list(MARKS)))
            .order_by(j.seq)
        )
        for e in entries:
            mark(by_id[e.declaration_id], e.event, e.at, e.to_status)
            if MARKS[e.event] == "released" and e.version is not None:
                last_release[e.declaration_id] = e.version
        kept = [s for s in by_id.values() if "lodged" in s.at]
        store.insert(conn, kept)
        for s in kept:
            into = sums.setdefault(s.key(), {})
            for name, value in contribution(s).items():
                into[name] = into.get(name, 0) + value
            for at, count in sketch_moves(None, s).items():
                sketch[at] = sketch.get(at, 0) + count
        for declaration_id, version in last_release.items():
            if "released" in by_id[declaration_id].at:
                record_release(conn, declaration_id, version, by_id[declaration_id])
                released += 1
        counted += len(kept)
    store.add_sums(conn, sums.items())
    store.add_study(conn, by_dimension(sums.items()))
    store.add_sketch(conn, sketch)
    return {"declarations": counted, "released": released, "days": len(sums)}
