"""Trade tables as published: cells with confidentiality applied, and a month's releases."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.statistics.trade import DIMENSIONS, Cell, changes, published, suppress
from silkgate.store import statistics_trade as store
from silkgate.store.db import reading, writing

MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
# What a release keeps: the month's detail Comtrade publishes (subheading by partner).
RELEASED_BY = ("subheading", "partner")


class TableError(ValueError):
    """A table asked for that cannot be made; ``pointer`` names the parameter."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer


def _plain(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in figures.items()}


def check(month: str, flow: str, by: Sequence[str]) -> None:
    if not MONTH.match(month):
        raise TableError("/month", "month must be YYYY-MM")
    if flow not in ("M", "X"):
        raise TableError("/flow", "flow must be M (imports) or X (exports)")
    if not 1 <= len(by) <= 2 or len(set(by)) != len(by):
        raise TableError("/by", "by names one or two different dimensions")
    for name in by:
        if name not in DIMENSIONS:
            raise TableError("/by", f"by: {name!r} is not one of {', '.join(DIMENSIONS)}")


class TradeTables:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def table(
        self, month: str, flow: str = "M", by: Sequence[str] = ("chapter",)
    ) -> dict[str, Any]:
        """``month``'s ``flow`` by ``by``, as published: suppressed cells withheld and marked."""
        check(month, flow, by)
        with reading(self.engine) as conn:
            found = store.cells(conn, month, flow, by)
            history = store.releases(conn, month)
        return {**self._compose(month, flow, by, found), "release": _status(history)}

    def _compose(
        self, month: str, flow: str, by: Sequence[str], found: list[dict[str, Any]]
    ) -> dict[str, Any]:
        cells = [
            Cell(
                c["key"],
                c["traders"],
                c["largest"],
                {k: c[k] for k in ("value", "value_usd", "quantity", "net_mass_kg", "duties")},
            )
            for c in found
        ]
        table = suppress(cells, by)
        rows = []
        for cell in sorted(table.cells, key=lambda c: (-c.value, c.key)):
            figures = {**cell.figures, "traders": cell.traders}
            rows.append(
                {**dict(zip(by, cell.key, strict=True)), **_plain(published(figures, cell.flag))}
            )
        totals = (
            {
                f"{by[axis]}={code}": _plain(published(t, t["flag"]))
                for (axis, code), t in sorted(table.totals.items())
            }
            if len(by) > 1
            else {}
        )
        return {
            "month": month,
            "flow": flow,
            "by": list(by),
            "cells": rows,
            "totals": totals,
            "total": _plain(published(table.total, table.total["flag"])),
        }

    def close(self, month: str, actor: str, at: dt.datetime) -> dict[str, Any]:
        """Close ``month`` (version 1) or revise it: the release, and what changed."""
        check(month, "M", RELEASED_BY)
        with writing(self.engine) as conn:
            history = store.releases(conn, month)
            now = {}
            for flow in ("M", "X"):
                composed = self._compose(
                    month, flow, RELEASED_BY, store.cells(conn, month, flow, RELEASED_BY)
                )
                for row in composed["cells"]:
                    now[f"{flow}/{row['subheading']}/{row['partner']}"] = row
                now[f"{flow}/total"] = composed["total"]
            before = history[-1]["cells"] if history else {}
            diff = changes(before, now) if history else []
            version = len(history) + 1
            store.add_release(conn, month, version, at, actor, now, diff)
        return {"month": month, "version": version, "changes": diff, "cells": len(now)}

    def releases(self, month: str) -> list[dict[str, Any]]:
        check(month, "M", RELEASED_BY)
        with reading(self.engine) as conn:
            return [
                {k: v for k, v in r.items() if k != "cells"} for r in store.releases(conn, month)
            ]

    def months(self) -> list[dict[str, Any]]:
        """Each month's imports and exports (value, duties), for the trend."""
        with reading(self.engine) as conn:
            found = store.monthly(conn)
        out: dict[str, dict[str, Any]] = {}
        for month, flow, value, duties in found:
            into = out.setdefault(month, {"month": month})
            into[f"{flow}_value"] = format(value, "f")
            into[f"{flow}_duties"] = format(duties, "f")
        return list(out.values())


def _status(history: list[dict[str, Any]]) -> dict[str, Any]:
    if not history:
        return {"status": "provisional", "version": None}
    last = history[-1]
    return {
        "status": "revised" if last["version"] > 1 else "final",
        "version": last["version"],
        "closed_at": last["closed_at"].isoformat().replace("+00:00", "Z"),
        "changes": last["changes"],
    }
