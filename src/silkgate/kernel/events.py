"""Domain events, the journal note each one leaves, and the bus that carries them.

A use case changes an aggregate, which returns events; the unit of work
collects them, runs the handlers registered for each (in the same
transaction), and appends one journal note per event that has one. Handlers
are how capabilities meet: lodging does not call the inspection service, it
raises ``ChannelAssigned`` and the inspection's handler plans the task.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar


@dataclass(frozen=True)
class JournalNote:
    """What the journal records of an event; the sequence number and hashes come on append."""

    at: dt.datetime
    actor: str
    event: str
    declaration_id: int | None = None
    mrn: str | None = None
    version: int | None = None
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None


def with_note(public: str, note: str | None) -> str:
    """A journal reason: ``public``, then an officer's internal ``note`` in parentheses.

    Every reader of the declaration may be shown ``public``; the note is for
    staff (:func:`public_part` takes it off), so ``public`` holds no " (".
    """
    return f"{public} ({note})" if note else public


def public_part(reason: str) -> str:
    """``reason`` without the internal note :func:`with_note` put after it."""
    return reason.split(" (", 1)[0]


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened, when and by whom; subclasses carry the facts."""

    # The journal's name for the event; None: the event is not journaled by itself.
    journal_name: ClassVar[str | None] = None

    at: dt.datetime
    actor: str

    def note(self) -> JournalNote | None:
        """The journal note of this event, if it leaves one."""
        return None


class UnitOfWork(Protocol):
    """One use case's transaction: its connection, and the events it raised."""

    @property
    def connection(self) -> Any:
        """The store's connection (a SQLAlchemy ``Connection`` in production)."""

    def collect(self, *events: Event) -> None:
        """Raise events: their handlers run, and their notes are journaled, before commit."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Any, UnitOfWork], None]


class MessageBus:
    """Which handlers react to which event type (registered once, by the bootstrap)."""

    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Handler]] = defaultdict(list)
        self._resolved: dict[type[Event], tuple[Handler, ...]] = {}
        self.settled: list[Callable[[UnitOfWork], None]] = []

    def on_settled(self, hook: Callable[[UnitOfWork], None]) -> None:
        """Run ``hook(uow)`` once a unit of work's events are all handled (before commit):
        a handler that gathers its writes over several events makes them there."""
        self.settled.append(hook)

    def subscribe(self, event_type: type[E], handler: Callable[[E, UnitOfWork], None]) -> None:
        """Run ``handler(event, uow)`` for every event of ``event_type`` (or a subclass)."""
        self._handlers[event_type].append(handler)
        self._resolved.clear()

    def unsubscribe(self, event_type: type[E], handler: Callable[[E, UnitOfWork], None]) -> None:
        """Stop running ``handler`` for ``event_type`` (tests inject failures this way)."""
        self._handlers[event_type].remove(handler)
        self._resolved.clear()

    def handlers_for(self, event: Event) -> tuple[Handler, ...]:
        kind = type(event)
        found = self._resolved.get(kind)
        if found is None:
            found = tuple(h for base in kind.__mro__ for h in self._handlers.get(base, ()))
            self._resolved[kind] = found
        return found


def dispatch(bus: MessageBus, uow: UnitOfWork, pending: list[Event]) -> list[Event]:
    """Run handlers for ``pending`` (and for what they raise) in order; every event, in order.

    Handlers append to ``pending`` through ``uow.collect``, so the reactions
    to an event come after the events raised with it.
    """
    done: list[Event] = []
    while pending:
        event = pending.pop(0)
        done.append(event)
        for handler in bus.handlers_for(event):
            handler(event, uow)
    for hook in bus.settled:
        hook(uow)
    return done


def notes(events: Iterable[Event]) -> list[JournalNote]:
    """The journal notes of ``events``, in order."""
    out = []
    for event in events:
        note = event.note()
        if note is not None:
            out.append(note)
    return out


@dataclass(frozen=True, kw_only=True)
class Noted(Event):
    """A fact that leaves only a journal note (no handler reacts to it)."""

    entry: JournalNote

    @classmethod
    def of(cls, entry: JournalNote) -> Noted:
        return cls(at=entry.at, actor=entry.actor, entry=entry)

    def note(self) -> JournalNote:
        return self.entry
