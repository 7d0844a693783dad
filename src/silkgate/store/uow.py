"""The unit of work on the database: one transaction per use case, events journaled inside it.

::

    with SqlUnitOfWork(engine, bus, journal_keys) as uow:
        declaration = Declaration(uow.declarations.get(mrn, for_update=True))
        declaration.decide(...)
        uow.declarations.save(declaration, at)
        uow.collect(*declaration.take_events())
    # handlers ran, notes were journaled, and everything committed, or nothing did

A handler that raises rolls the whole use case back: the change, the other
handlers' writes and the journal alike. The declarations' repositories
(``uow.declarations``, ``uow.accounts``, see ``store/repositories.py``) work
on the unit's connection; handlers and use cases not yet written against
them use ``uow.connection``.
"""

from __future__ import annotations

import contextlib
from types import TracebackType

import sqlalchemy as sa

from silkgate.declarations.journal_keys import JournalKeys
from silkgate.kernel.events import Event, MessageBus, dispatch, notes
from silkgate.store import journal
from silkgate.store.db import writing
from silkgate.store.repositories import SqlAccounts, SqlDeclarations


class SqlUnitOfWork:
    """A write transaction that collects events and settles them before commit."""

    def __init__(self, engine: sa.Engine, bus: MessageBus, journal_keys: JournalKeys) -> None:
        self.engine = engine
        self.bus = bus
        self.journal_keys = journal_keys
        self._pending: list[Event] = []
        self._stack: contextlib.ExitStack | None = None
        self._connection: sa.Connection | None = None
        self.events: list[Event] = []  # every event settled, in order (after exit)

    @property
    def connection(self) -> sa.Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open")
        return self._connection

    @property
    def declarations(self) -> SqlDeclarations:
        return SqlDeclarations(self.connection)

    @property
    def accounts(self) -> SqlAccounts:
        return SqlAccounts(self.connection)

    def collect(self, *events: Event) -> None:
        self._pending.extend(events)

    def settle(self) -> None:
        """Run the handlers of what was collected and journal it (done by ``__exit__`` too)."""
        done = dispatch(self.bus, self, self._pending)
        self.events.extend(done)
        written = notes(done)
        if written:
            journal.append(self.connection, self.journal_keys, *written)

    def __enter__(self) -> SqlUnitOfWork:
        self._stack = contextlib.ExitStack()
        self._connection = self._stack.enter_context(writing(self.engine))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._stack is not None
        try:
            if exc_type is None:
                self.settle()
        except BaseException:
            self._pending.clear()
            self._stack.__exit__(*_current())
            raise
        self._connection = None
        return self._stack.__exit__(exc_type, exc, tb)


def _current() -> tuple[type[BaseException] | None, BaseException | None, TracebackType | None]:
    import sys

    return sys.exc_info()


class AttachedUnitOfWork:
    """A unit of work inside a transaction someone else opened (a partner message applied by
    the inbox): events are settled by :meth:`settle`, the owner commits."""

    def __init__(
        self, connection: sa.Connection, bus: MessageBus, journal_keys: JournalKeys
    ) -> None:
        self.connection = connection
        self.bus = bus
        self.journal_keys = journal_keys
        self._pending: list[Event] = []
        self.declarations = SqlDeclarations(connection)
        self.accounts = SqlAccounts(connection)

    def collect(self, *events: Event) -> None:
        self._pending.extend(events)

    def settle(self) -> None:
        done = dispatch(self.bus, self, self._pending)
        written = notes(done)
        if written:
            journal.append(self.connection, self.journal_keys, *written)
