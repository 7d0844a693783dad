"""The statistics' tables: stage rows, daily sums, and the Time Release Study read from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from silkgate.statistics.stages import SUMS, TIMED, Key, Slot, Stages, percentile
from silkgate.store.tables import stat_daily, stat_sketch, stat_stages, stat_study

_AT = {stage: f"{stage}_at" for stage in ("lodged", "released", *TIMED)}
_KEY = ("day", "type", "office", "channel", "mode", "chapter")
_S = stat_stages.c
_GET = sa.select(stat_stages).where(_S.declaration_id == sa.bindparam("id"))
_UPDATE = (
    stat_stages.update()
    .where(_S.declaration_id == sa.bindparam("b_id"))
    .values({c: sa.bindparam(c) for c in ("channel", "arrival_date", *_AT.values(), "release_ms")})
)


def _stages(row: Any) -> Stages:
    at = {stage: getattr(row, column) for stage, column in _AT.items()}
    return Stages(
        row.declaration_id,
        row.type,
        row.office,
        row.channel,
        row.mode,
        row.chapter,
        row.arrival_date,
        {k: v for k, v in at.items() if v is not None},
    )


def _row(stages: Stages) -> dict[str, Any]:
    return {
        "channel": stages.channel,
        "arrival_date": stages.arrival_date,
        **{column: stages.at.get(stage) for stage, column in _AT.items()},
        "release_ms": stages.ms("released"),
    }


def get(conn: sa.Connection, declaration_id: int) -> Stages | None:
    row = conn.execute(_GET, {"id": declaration_id}).first()
    return None if row is None else _stages(row)


def insert(conn: sa.Connection, rows: Iterable[Stages]) -> None:
    values = [
        {
            "declaration_id": s.declaration_id,
            "type": s.type,
            "office": s.office,
            "mode": s.mode,
            "chapter": s.chapter,
            "day": s.day,
            **_row(s),
        }
        for s in rows
    ]
    if values:
        conn.execute(stat_stages.insert(), values)


def update(conn: sa.Connection, stages: Stages) -> None:
    conn.execute(_UPDATE, {"b_id": stages.declaration_id, **_row(stages)})


# One statement for every move, built once: building an upsert per call costs more than
# running it. Every sum is added (a move's missing sums add 0).
_ADD_SUMS = sa.text(
    f"INSERT INTO stat_daily ({', '.join((*_KEY, *SUMS))}) "
    f"VALUES ({', '.join(':' + c for c in (*_KEY, *SUMS))}) "
    f"ON CONFLICT ({', '.join(_KEY)}) DO UPDATE SET "
    + ", ".join(f"{c} = stat_daily.{c} + excluded.{c}" for c in SUMS)
).bindparams(sa.bindparam("day", type_=sa.Date))
_ZERO = dict.fromkeys(SUMS, 0)


def add_sums(conn: sa.Connection, moves: Iterable[tuple[Key, dict[str, int]]]) -> None:
    """Add each move to its day's row (made when new): the sums kept as stages happen."""
    rows = [{**_ZERO, **dict(zip(_KEY, key, strict=True)), **sums} for key, sums in moves]
    if rows:
        conn.execute(_ADD_SUMS, rows)


_SLOT = ("day", "type", "dimension", "value")
_ADD_STUDY = sa.text(
    f"INSERT INTO stat_study ({', '.join((*_SLOT, *SUMS))}) "
    f"VALUES ({', '.join(':' + c for c in (*_SLOT, *SUMS))}) "
    f"ON CONFLICT ({', '.join(_SLOT)}) DO UPDATE SET "
    + ", ".join(f"{c} = stat_study.{c} + excluded.{c}" for c in SUMS)
).bindparams(sa.bindparam("day", type_=sa.Date))
_ADD_SKETCH = sa.text(
    "INSERT INTO stat_sketch (day, type, dimension, value, bucket, count) "
    "VALUES (:day, :type, :dimension, :value, :bucket, :count) "
    "ON CONFLICT (day, type, dimension, value, bucket) DO UPDATE SET "
    "count = stat_sketch.count + excluded.count"
).bindparams(sa.bindparam("day", type_=sa.Date))


def add_study(conn: sa.Connection, moves: dict[Slot, dict[str, int]]) -> None:
    rows = [
        {**_ZERO, **dict(zip(_SLOT, slot, strict=True)), **sums} for slot, sums in moves.items()
    ]
    if rows:
        conn.execute(_ADD_STUDY, rows)


def add_sketch(conn: sa.Connection, moves: dict[tuple[Slot, int], int]) -> None:
    rows = [
        {**dict(zip(_SLOT, slot, strict=True)), "bucket": b, "count": n}
        for (slot, b), n in moves.items()
    ]
    if rows:
        conn.execute(_ADD_SKETCH, rows)


def clear(conn: sa.Connection) -> None:
    conn.execute(stat_sketch.delete())
    conn.execute(stat_study.delete())
    conn.execute(stat_daily.delete())
    conn.execute(stat_stages.delete())


def all_stages(conn: sa.Connection) -> Iterator[Stages]:
    for row in conn.execute(sa.select(stat_stages).order_by(_S.declaration_id)):
        yield _stages(row)


def all_sums(conn: sa.Connection) -> dict[Key, dict[str, int]]:
    """Every day's sums, without the rows that came back to zero."""
    out: dict[Key, dict[str, int]] = {}
    for row in conn.execute(sa.select(stat_daily)):
        sums = {name: getattr(row, name) for name in SUMS}
        if any(sums.values()):
            out[(row.day, row.type, row.office, row.channel, row.mode, row.chapter)] = sums
    return out


def all_study(conn: sa.Connection) -> dict[tuple[Any, ...], dict[str, int]]:
    out = {}
    for row in conn.execute(sa.select(stat_study)):
        sums = {name: getattr(row, name) for name in SUMS}
        if any(sums.values()):
            out[(row.day, row.type, row.dimension, row.value)] = sums
    return out


def all_sketch(conn: sa.Connection) -> dict[tuple[Any, ...], int]:
    k = stat_sketch.c
    found = conn.execute(sa.select(k.day, k.type, k.dimension, k.value, k.bucket, k["count"]))
    return {tuple(r[:5]): r[5] for r in found if r[5]}


def study_sums(
    conn: sa.Connection, since: dt.date, until: dt.date, by: str, kind: str = "IM"
) -> dict[str, dict[str, int]]:
    """The sums of days ``since`` to ``until`` (inclusive) by ``by`` (office, channel, mode)."""
    d = stat_study.c
    found = conn.execute(
        sa.select(d.value.label("g"), *(sa.func.sum(d[n]).label(n) for n in SUMS))
        .where(d.day >= since, d.day <= until, d.type == kind, d.dimension == by)
        .group_by(d.value)
    )
    return {r.g: {n: int(getattr(r, n) or 0) for n in SUMS} for r in found if r.declarations}


def sketch_counts(
    conn: sa.Connection, since: dt.date, until: dt.date, by: str, kind: str = "IM"
) -> dict[str | None, list[tuple[int, int]]]:
    """The sketch's merged buckets over the days, by ``by``'s values and overall (None)."""
    k = stat_sketch.c
    found = conn.execute(
        sa.select(k.dimension, k.value, k.bucket, sa.func.sum(k["count"]))
        .where(k.day >= since, k.day <= until, k.type == kind, k.dimension.in_((by, "all")))
        .group_by(k.dimension, k.value, k.bucket)
    )
    out: dict[str | None, list[tuple[int, int]]] = {}
    for dimension, value, index, count in found:
        out.setdefault(None if dimension == "all" else value, []).append((index, int(count)))
    return out


def release_quantiles(
    conn: sa.Connection, since: dt.date, until: dt.date, by: str, kind: str = "IM"
) -> dict[str | None, dict[str, float]]:
    """Exact median and 90th percentile of lodging-to-release milliseconds, by ``by`` and
    overall (key None): SQL's percentile_cont on PostgreSQL, the same rule in Python else."""
    s = stat_stages.c
    group = sa.func.coalesce(s.channel, "none") if by == "channel" else s[by]
    where = (s.day >= since, s.day <= until, s.type == kind, s.release_ms.is_not(None))
    if conn.dialect.name == "postgresql":
        out: dict[str | None, dict[str, float]] = {}
        for grouping in (group, None):
            cols = [
                sa.func.percentile_cont(p).within_group(s.release_ms).label(n)
                for n, p in (("p50", 0.5), ("p90", 0.9))
            ]
            stmt = sa.select(*([grouping.label("g")] if grouping is not None else []), *cols)
            stmt = stmt.where(*where)
            if grouping is not None:
                stmt = stmt.group_by(grouping)
            for r in conn.execute(stmt):
                if r.p50 is not None:
                    out[r.g if grouping is not None else None] = {"p50": r.p50, "p90": r.p90}
        return out
    values: dict[str | None, list[int]] = {}
    for g, ms in conn.execute(sa.select(group, s.release_ms).where(*where)):
        values.setdefault(g, []).append(ms)
        values.setdefault(None, []).append(ms)
    result = {}
    for g, found in values.items():
        found.sort()
        result[g] = {"p50": percentile(found, 0.5), "p90": percentile(found, 0.9)}
    return result
