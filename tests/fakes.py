"""The declarations' store in memory: repositories and a unit of work without a database.

The use cases written against the ports of ``declarations/ports.py`` run on
these as they run on SQL (``store/repositories.py``, ``store/uow.py``)::

    store = InMemoryStore(bus)
    d = store.add_declaration(status="under_control", channel="red", assessed="120")
    ctx = Context(..., unit_of_work=store.unit_of_work)
    Decisions(ctx).act(officer, d.mrn, Action.RELEASE, Decision())

A unit of work works on a copy of what is committed. On a clean exit it runs
the bus's handlers (with the same ``dispatch`` as the real one), appends the
events' journal notes, and only then replaces the committed data with its
copy; if the use case or a handler raises, the copy is dropped and nothing is
kept. There is no locking (``for_update`` is accepted and ignored) and no
``connection``: a use case that still reaches for the database fails loudly.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from types import TracebackType

from silkgate.declarations.aggregate import Declaration, DeclarationState
from silkgate.declarations.ports import RecordedPayment
from silkgate.kernel.events import Event, JournalNote, MessageBus, dispatch, notes

LODGED_AT = dt.datetime(2026, 6, 30, 8, 0, tzinfo=dt.UTC)


@dataclass
class Tables:
    """What the in-memory store holds, as the database's tables would."""

    declarations: dict[str, DeclarationState] = field(default_factory=dict)
    assessed: dict[tuple[int, int], Decimal] = field(default_factory=dict)  # (id, version)
    payments: dict[int, list[RecordedPayment]] = field(default_factory=dict)
    journal: list[JournalNote] = field(default_factory=list)


class InMemoryDeclarations:
    """The declarations repository on a unit of work's copy of the tables."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def get(self, mrn: str, *, for_update: bool = False) -> DeclarationState | None:
        return self.tables.declarations.get(mrn)

    def save(self, declaration: Declaration, at: dt.datetime) -> DeclarationState:
        # As the SQL repository: nothing is written (not even the time) when nothing changed.
        if not declaration.changed:
            return declaration.state
        state = dataclasses.replace(
            declaration.state,
            status=declaration.status.value,
            channel=declaration.channel,
            updated_at=at,
        )
        self.tables.declarations[state.mrn] = state
        declaration.stored(state)
        return state


class InMemoryAccounts:
    """The accounts repository on a unit of work's copy of the tables."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def assessed_total(self, declaration_id: int, version: int) -> Decimal | None:
        return self.tables.assessed.get((declaration_id, version))

    def payments_of(self, declaration_id: int) -> list[RecordedPayment]:
        return list(self.tables.payments.get(declaration_id, []))

    def add_payment(self, declaration_id: int, payment: RecordedPayment) -> None:
        self.tables.payments.setdefault(declaration_id, []).append(payment)


class FakeUnitOfWork:
    """One use case's transaction in memory: commit on a clean exit, nothing kept otherwise."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.bus = store.bus
        self._pending: list[Event] = []
        self._work: Tables | None = None
        self.events: list[Event] = []  # every event settled, in order (after exit)
        self.committed = False

    @property
    def connection(self) -> None:
        raise AssertionError("the in-memory unit of work has no database connection")

    @property
    def declarations(self) -> InMemoryDeclarations:
        return InMemoryDeclarations(self._tables())

    @property
    def accounts(self) -> InMemoryAccounts:
        return InMemoryAccounts(self._tables())

    def _tables(self) -> Tables:
        if self._work is None:
            raise RuntimeError("the unit of work is not open")
        return self._work

    def collect(self, *events: Event) -> None:
        self._pending.extend(events)

    def settle(self) -> None:
        """Run the handlers of what was collected and journal it, as the real one does."""
        done = dispatch(self.bus, self, self._pending)
        self.events.extend(done)
        self._tables().journal.extend(notes(done))

    def __enter__(self) -> FakeUnitOfWork:
        self._work = copy.deepcopy(self.store.tables)
        self.store.opened.append(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.settle()
                self.store.tables = self._tables()
                self.committed = True
        finally:
            self._pending.clear()
            self._work = None


class InMemoryStore:
    """The committed data, and the factory of units of work on it (``ctx.unit_of_work``)."""

    def __init__(self, bus: MessageBus | None = None) -> None:
        self.bus = bus or MessageBus()
        self.tables = Tables()
        self.opened: list[FakeUnitOfWork] = []  # every unit of work, in order
        self._ids = itertools.count(1)

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    @property
    def journal(self) -> list[JournalNote]:
        """The journal notes committed, in order."""
        return self.tables.journal

    def declaration(self, mrn: str) -> DeclarationState:
        return self.tables.declarations[mrn]

    def payments(self, mrn: str) -> list[RecordedPayment]:
        return self.tables.payments.get(self.declaration(mrn).id, [])

    def add_declaration(
        self,
        *,
        status: str = "lodged",
        channel: str | None = "green",
        assessed: str | None = "0",
        declarant_id: str = "CN9111000012345678",
    ) -> DeclarationState:
        """A declaration as lodging would have stored it, with its assessed duties and taxes."""
        number = next(self._ids)
        state = DeclarationState(
            id=number, mrn=f"26CNSHA{number:011d}", type="IM", status=status, version=1,
            office="CNSHA", declarant_id=declarant_id, lrn=f"LRN-{number}", currency="USD",
            invoice_amount=Decimal("1000.00"), item_count=1, arrival_date=None,
            lodged_at=LODGED_AT, updated_at=LODGED_AT, channel=channel,
        )  # fmt: skip
        self.tables.declarations[state.mrn] = state
        if assessed is not None:
            self.tables.assessed[(state.id, 1)] = Decimal(assessed)
        return state
