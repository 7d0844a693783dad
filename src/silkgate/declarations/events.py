"""What happens to a declaration, as domain events.

The :class:`~silkgate.declarations.aggregate.Declaration` returns these from
each transition; the unit of work journals them and hands them to the
handlers the bootstrap registered (``docs/architecture.md`` lists them). A
new capability reacts to these events rather than being called by lodging or
release.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from silkgate.kernel.events import Event, JournalNote


@dataclass(frozen=True, kw_only=True)
class DeclarationEvent(Event):
    """An event about one declaration, at one of its versions."""

    declaration_id: int
    mrn: str
    version: int
    type: str  # IM or EX
    office: str
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None

    def name(self) -> str | None:
        """The journal's name for this event (None: not journaled by itself)."""
        return self.journal_name

    def note(self) -> JournalNote | None:
        name = self.name()
        if name is None:
            return None
        return JournalNote(
            self.at,
            self.actor,
            name,
            self.declaration_id,
            self.mrn,
            self.version,
            self.from_status,
            self.to_status,
            self.reason,
        )


@dataclass(frozen=True, kw_only=True)
class Lodged(DeclarationEvent):
    """A declaration was accepted and stored at version 1."""

    journal_name: ClassVar[str | None] = "lodged"
    document: Any = field(repr=False, compare=False)  # the DeclarationDocument lodged


@dataclass(frozen=True, kw_only=True)
class Assessed(DeclarationEvent):
    """Duties and taxes were assessed on a version (``reason`` says how much and how)."""

    journal_name: ClassVar[str | None] = "assessed"


@dataclass(frozen=True, kw_only=True)
class ChannelAssigned(DeclarationEvent):
    """Selectivity put the declaration in a channel (at lodging, amendment or on a signal)."""

    journal_name: ClassVar[str | None] = "channel"
    channel: str
    # Quarantine requirements that hold the goods whatever the channel (rows of the SPS data).
    sps_requirements: tuple[dict[str, Any], ...] = ()
    # (item, why): a risk profile asks for the proof of origin of these items to be verified.
    verify_origin: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class Released(DeclarationEvent):
    """The goods were released (outright, or under a condition still to be met)."""

    conditional: bool = False
    document: Any = field(default=None, repr=False, compare=False)  # when at hand

    def name(self) -> str:
        return "conditional_release" if self.conditional else "release"


@dataclass(frozen=True, kw_only=True)
class Decided(DeclarationEvent):
    """An officer's (or the declarant's) decision other than release: control, hold, resume,
    reject, cancel, return, destroy or seize."""

    action: str

    def name(self) -> str:
        return self.action


@dataclass(frozen=True, kw_only=True)
class Amended(DeclarationEvent):
    """The declarant replaced the document with a new version."""

    journal_name: ClassVar[str | None] = "amended"
    document: Any = field(repr=False, compare=False)


@dataclass(frozen=True, kw_only=True)
class Corrected(DeclarationEvent):
    """An officer corrected an item after inspection: a new version."""

    journal_name: ClassVar[str | None] = "corrected"


@dataclass(frozen=True, kw_only=True)
class PreferenceWithdrawn(DeclarationEvent):
    """A preference given on a certificate of origin was withdrawn (the issuer did not confirm
    the certificate, or did not answer in time): a new version at the general rate."""

    journal_name: ClassVar[str | None] = "preference_withdrawn"


@dataclass(frozen=True, kw_only=True)
class PaymentRecorded(DeclarationEvent):
    """A payment received, or a guarantee accepted, against what is due."""

    kind: str  # payment or guarantee

    def name(self) -> str:
        return self.kind


@dataclass(frozen=True, kw_only=True)
class InformationRequested(DeclarationEvent):
    """An officer asked the trader a question (``reason``), perhaps by a ``deadline``; the
    declaration waits for the answer."""

    journal_name: ClassVar[str | None] = "request_information"
    deadline: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class InformationProvided(DeclarationEvent):
    """The trader answered the officer's question (``reason`` is the answer); the declaration
    waits on customs now, for the officer to resume."""

    journal_name: ClassVar[str | None] = "information_provided"


@dataclass(frozen=True, kw_only=True)
class DocumentAttached(DeclarationEvent):
    """A document was uploaded to the declaration (``reason``: its kind, name, type, size and
    SHA-256); the bytes are kept by the portal's document store."""

    journal_name: ClassVar[str | None] = "document"
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    storage_key: str
    question_id: int | None = None


# A decision that ends the goods' stay under customs control one way or another.
ENDING_ACTIONS = frozenset({"return", "destroy", "seize", "reject", "cancel"})
