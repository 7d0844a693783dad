"""Statistics kept as the work happens: the event handler, the rebuild, the trade tables.

:meth:`StatisticsService.on_event` runs in the unit of work of every event
(registered in :mod:`silkgate.handlers`): a journal entry that marks a stage
moves the declaration's stage row and its day's sums, and a release records the
items' trade facts. :meth:`StatisticsService.rebuild` computes the same from the
journal and the stored versions; the two agree exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.declarations import events as ev
from silkgate.kernel.events import Event, UnitOfWork
from silkgate.statistics.facts import trade_rows
from silkgate.statistics.stages import MARKS, Stages, deltas, mark
from silkgate.store import statistics as store
from silkgate.store import statistics_trade as trade_store
from silkgate.store.db import writing
from silkgate.store.tariff import assessment_of

from .rebuild import rebuild_all
from .tables import TradeTables

UsdRate = Callable[[dt.date], Decimal | None]
UnitOf = Callable[[str], str | None]

__all__ = ["StatisticsService", "TradeTables", "stages_of"]


def stages_of(declaration_id: int, document: Any, at: dt.datetime) -> Stages:
    """A declaration's stage row at lodging, from its document (first version)."""
    return Stages(
        declaration_id,
        document.type,
        document.office,
        None,
        str(document.transport.mode),
        document.items[0].hs_code[:2],
        document.transport.arrival_date,
        {"lodged": at},
    )


class StatisticsService:
    def __init__(self, engine: sa.Engine, usd_rate: UsdRate, unit_of: UnitOf) -> None:
        self.engine = engine
        self.usd_rate = usd_rate
        self.unit_of = unit_of
        self.trade = TradeTables(engine)

    def on_event(self, event: Event, uow: UnitOfWork) -> None:
        """Move the figures by what ``event`` changes, in its unit of work."""
        conn = uow.connection
        if isinstance(event, ev.Lodged):
            stages = stages_of(event.declaration_id, event.document, event.at)
            store.insert(conn, [stages])
            store.add_sums(conn, deltas(None, stages))
            return
        note = event.note()
        stage = note is not None and note.declaration_id is not None and note.event in MARKS
        moved = isinstance(event, (ev.ChannelAssigned, ev.Amended))
        if not (stage or moved):
            return
        declaration_id = note.declaration_id if note is not None else None
        if declaration_id is None and isinstance(event, ev.DeclarationEvent):
            declaration_id = event.declaration_id
        before = store.get(conn, declaration_id) if declaration_id is not None else None
        if before is None:
            return  # lodged before the statistics were kept: the rebuild counts it
        after = before.copy()
        if isinstance(event, ev.ChannelAssigned):
            after.channel = event.channel
        if isinstance(event, ev.Amended):
            after.arrival_date = event.document.transport.arrival_date
        if note is not None and stage:
            mark(after, note.event, note.at, note.to_status)
        if after != before:
            store.update(conn, after)
            store.add_sums(conn, deltas(before, after))
        if isinstance(event, ev.Released):
            self.record_release(conn, event.declaration_id, event.version, after)

    def record_release(
        self, conn: sa.Connection, declaration_id: int, version: int, stages: Stages
    ) -> None:
        """The trade facts of the version released, recorded in the month of first release."""
        released = stages.at.get("released")
        if released is None:
            return
        rows = trade_rows(
            declaration_id,
            trade_store.document_of(conn, declaration_id, version),
            assessment_of(conn, declaration_id, version),
            released,
            self.usd_rate(released.date()),
            self.unit_of,
        )
        trade_store.put(conn, "D", declaration_id, rows)

    def rebuild(self) -> dict[str, int]:
        """Recompute every figure from the journal and the stored versions (one transaction)."""
        with writing(self.engine) as conn:
            return rebuild_all(conn, self.record_release)
