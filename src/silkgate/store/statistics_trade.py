"""Trade statistics' tables: the facts of each release, cells by any dimensions, releases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.tables import declaration_versions, stat_releases, stat_trade

_T = stat_trade.c
_DOCUMENT = sa.select(declaration_versions.c.document).where(
    declaration_versions.c.declaration_id == sa.bindparam("id"),
    declaration_versions.c.version == sa.bindparam("version"),
)


def document_of(conn: sa.Connection, declaration_id: int, version: int) -> dict[str, Any]:
    raw = conn.execute(_DOCUMENT, {"id": declaration_id, "version": version}).scalar_one()
    doc: dict[str, Any] = orjson.loads(raw)
    return doc


def put(conn: sa.Connection, source: str, ref_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """Replace what ``source`` ``ref_id`` gives the statistics with ``rows``."""
    conn.execute(stat_trade.delete().where(_T.source == source, _T.ref_id == ref_id))
    if rows:
        conn.execute(stat_trade.insert(), list(rows))


def clear(conn: sa.Connection) -> None:
    conn.execute(stat_trade.delete())


def all_rows(conn: sa.Connection) -> list[tuple[Any, ...]]:
    return [
        tuple(r) for r in conn.execute(sa.select(stat_trade).order_by(_T.source, _T.ref_id, _T.seq))
    ]


def _dimension(name: str) -> sa.ColumnElement[Any]:
    if name in ("chapter", "heading", "subheading"):
        return sa.func.substr(_T.hs6, 1, {"chapter": 2, "heading": 4, "subheading": 6}[name])
    return _T[name]


_MEASURES = ("value", "value_usd", "quantity", "net_mass_kg", "duties")


def cells(conn: sa.Connection, month: str, flow: str, by: Sequence[str]) -> list[dict[str, Any]]:
    """Each cell of ``month``'s ``flow`` by ``by``: sums, traders, the largest trader's value.

    Quantities are summed only within a subheading (units differ across them); a
    cell with a missing USD rate or quantity has none.
    """
    dims = [_dimension(name).label(f"d{i}") for i, name in enumerate(by)]
    per_trader = (
        sa.select(
            *dims,
            _T.trader,
            sa.func.sum(_T.value).label("value"),
            sa.func.sum(_T.value_usd).label("value_usd"),
            sa.func.count(_T.value_usd).label("usd_n"),
            sa.func.sum(_T.quantity).label("quantity"),
            sa.func.count(_T.quantity).label("quantity_n"),
            sa.func.count().label("n"),
            sa.func.sum(_T.net_mass_kg).label("net_mass_kg"),
            sa.func.sum(_T.duties).label("duties"),
        )
        .where(_T.month == month, _T.flow == flow)
        .group_by(*(sa.literal_column(f"d{i}") for i in range(len(by))), _T.trader)
        .subquery()
    )
    t = per_trader.c
    keys = [t[f"d{i}"] for i in range(len(by))]
    stmt = sa.select(
        *keys,
        sa.func.count().label("traders"),
        sa.func.max(t.value).label("largest"),
        sa.func.sum(t.value).label("value"),
        sa.func.sum(t.value_usd).label("value_usd"),
        sa.func.sum(t.usd_n).label("usd_n"),
        sa.func.sum(t.quantity).label("quantity"),
        sa.func.sum(t.quantity_n).label("quantity_n"),
        sa.func.sum(t.n).label("n"),
        sa.func.sum(t.net_mass_kg).label("net_mass_kg"),
        sa.func.sum(t.duties).label("duties"),
    ).group_by(*keys)
    out = []
    for r in conn.execute(stmt):
        complete = {"value_usd": r.usd_n == r.n, "quantity": r.quantity_n == r.n}
        out.append(
            {
                "key": tuple(getattr(r, f"d{i}") for i in range(len(by))),
                "traders": int(r.traders),
                "largest": _dec(r.largest),
                **{m: _dec(getattr(r, m)) if complete.get(m, True) else None for m in _MEASURES},
            }
        )
    if "subheading" not in by:
        for c in out:
            c["quantity"] = None
    return out


def _dec(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.001"))


def monthly(conn: sa.Connection) -> list[tuple[str, str, Decimal, Decimal]]:
    """(month, flow, value, duties) for every month with figures, oldest first."""
    stmt = (
        sa.select(_T.month, _T.flow, sa.func.sum(_T.value), sa.func.sum(_T.duties))
        .group_by(_T.month, _T.flow)
        .order_by(_T.month, _T.flow)
    )
    return [(m, f, _dec(v), _dec(d)) for m, f, v, d in conn.execute(stmt)]


def releases(conn: sa.Connection, month: str) -> list[dict[str, Any]]:
    """The month's releases, oldest first (version 1 closed it)."""
    r = stat_releases.c
    found = conn.execute(sa.select(stat_releases).where(r.month == month).order_by(r.version)).all()
    return [
        {
            "version": x.version,
            "closed_at": x.closed_at,
            "closed_by": x.closed_by,
            "cells": orjson.loads(x.cells),
            "changes": orjson.loads(x.changes),
        }
        for x in found
    ]


def add_release(
    conn: sa.Connection,
    month: str,
    version: int,
    at: dt.datetime,
    actor: str,
    published: dict[str, Any],
    changes: list[Any],
) -> None:
    conn.execute(
        stat_releases.insert().values(
            month=month,
            version=version,
            closed_at=at,
            closed_by=actor,
            cells=orjson.dumps(published).decode(),
            changes=orjson.dumps(changes).decode(),
        )
    )
