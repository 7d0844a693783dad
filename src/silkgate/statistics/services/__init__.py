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
from weakref import WeakKeyDictionary

import sqlalchemy as sa

from silkgate.declarations import events as ev
from silkgate.kernel.events import Event, UnitOfWork
from silkgate.statistics.facts import trade_rows
from silkgate.statistics.stages import (
    MARKS,
    Key,
    Slot,
    Stages,
    by_dimension,
    deltas,
    mark,
    sketch_moves,
)
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
        # What each open unit of work's events changed: (stored row or None, row now).
        self._open: WeakKeyDictionary[Any, dict[int, tuple[Stages | None, Stages]]] = (
            WeakKeyDictionary()
        )

    def on_event(self, event: Event, uow: UnitOfWork) -> None:
        """Note what ``event`` changes; :meth:`flush` writes it when the unit's events are
        all handled (a lodging's three events make one stage row and one move of the sums)."""
        changing = self._open.setdefault(uow, {})
        if isinstance(event, ev.Lodged):
            changing[event.declaration_id] = (
                None,
                stages_of(event.declaration_id, event.document, event.at),
            )
            return
        note = event.note()
        stage = note is not None and note.declaration_id is not None and note.event in MARKS
        moved = isinstance(event, (ev.ChannelAssigned, ev.Amended))
        if not (stage or moved):
            return
        declaration_id = note.declaration_id if note is not None else None
        if declaration_id is None and isinstance(event, ev.DeclarationEvent):
            declaration_id = event.declaration_id
        if declaration_id is None:
            return
        if declaration_id not in changing:
            before = store.get(uow.connection, declaration_id)
            if before is None:
                return  # lodged before the statistics were kept: the rebuild counts it
            changing[declaration_id] = (before, before.copy())
        after = changing[declaration_id][1]
        if isinstance(event, ev.ChannelAssigned):
            after.channel = event.channel
        if isinstance(event, ev.Amended):
            after.arrival_date = event.document.transport.arrival_date
        if note is not None and stage:
            mark(after, note.event, note.at, note.to_status)
        if isinstance(event, ev.Released):
            self.record_release(uow.connection, event.declaration_id, event.version, after)

    def flush(self, uow: UnitOfWork) -> None:
        """Write the stage rows and move the day's sums by what the unit's events changed."""
        changing = self._open.pop(uow, None)
        if not changing:
            return
        conn = uow.connection
        new: list[Stages] = []
        moves: dict[Key, dict[str, int]] = {}
        sketch: dict[tuple[Slot, int], int] = {}
        for before, after in changing.values():
            if before is None:
                new.append(after)
            elif after != before:
                store.update(conn, after)
            for at, count in sketch_moves(before, after).items():
                sketch[at] = sketch.get(at, 0) + count
            for key, sums in deltas(before, after):
                into = moves.setdefault(key, {})
                for name, value in sums.items():
                    into[name] = into.get(name, 0) + value
        store.insert(conn, new)
        store.add_sums(conn, moves.items())
        store.add_study(conn, by_dimension(moves.items()))
        store.add_sketch(conn, {k: v for k, v in sketch.items() if v})

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
