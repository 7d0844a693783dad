"""What the declaration use cases need from the store and from other capabilities.

The repositories (:class:`DeclarationRepository`, :class:`AccountRepository`)
are what a use case reads and writes through its unit of work
(:class:`DeclarationUnitOfWork`): the store implements them on SQL
(``store/repositories.py``), the tests in memory (``tests/fakes.py``).

The bootstrap hands in the tariff, risk and exchange objects that satisfy
the other ports; the declarations package imports none of their services. A
new capability that must hold release (licences, transit) adds a
:class:`ReleaseGate`; one that raises a risk signal at lodging adds a
:class:`LodgingSignals`; origin checks preference claims through
:class:`PreferenceClaims`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from silkgate.declarations.aggregate import Declaration, DeclarationState
from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.events import UnitOfWork


@dataclass(frozen=True)
class RecordedPayment:
    """A payment received, or a guarantee accepted, as the declaration's account lists it."""

    kind: Literal["payment", "guarantee"]
    amount: Decimal
    currency: str
    reference: str  # the bank transfer or the guarantee's number
    recorded_at: dt.datetime
    recorded_by: str


def unsecured(assessed: Decimal | None, payments: Iterable[RecordedPayment]) -> Decimal:
    """The account's rule: what is assessed and neither paid nor guaranteed (release waits
    until it is zero; a guarantee secures an amount, it does not pay it)."""
    covered = sum((p.amount for p in payments), Decimal(0))
    return max((assessed or Decimal(0)) - covered, Decimal(0))


class DeclarationRepository(Protocol):
    """The declarations one unit of work reads and writes."""

    def get(self, mrn: str, *, for_update: bool = False) -> DeclarationState | None:
        """The declaration ``mrn`` as stored, or None; ``for_update`` holds it until commit."""
        ...

    def save(self, declaration: Declaration, at: dt.datetime) -> DeclarationState:
        """Write the aggregate's status and channel if they changed; what is now stored.

        The aggregate is told what was stored (:meth:`Declaration.stored`), so
        the events taken afterwards carry the stored declaration.
        """
        ...


class AccountRepository(Protocol):
    """What is assessed on a declaration and what is paid or guaranteed against it."""

    def assessed_total(self, declaration_id: int, version: int) -> Decimal | None:
        """The duties and taxes assessed on ``version``, or None when it was not assessed."""
        ...

    def payments_of(self, declaration_id: int) -> list[RecordedPayment]:
        """The payments and guarantees recorded, in the order they were recorded."""
        ...

    def add_payment(self, declaration_id: int, payment: RecordedPayment) -> None:
        """Record a payment or a guarantee against the declaration."""
        ...


class DeclarationUnitOfWork(UnitOfWork, Protocol):
    """The unit of work of a declaration use case: its repositories, and the events raised."""

    @property
    def declarations(self) -> DeclarationRepository: ...

    @property
    def accounts(self) -> AccountRepository: ...


class Assessor(Protocol):
    """The tariff: duties and taxes of a document as of a day.

    ``proofs``: what the check of the preference claims found, by item
    (:class:`PreferenceClaims`); without it a preference rests on its paper proof.
    """

    def assess(
        self, doc: DeclarationDocument, on: dt.date, proofs: Mapping[int, Any] | None = None
    ) -> Any: ...


class PreferenceClaims(Protocol):
    """Origin: an import's preference claims checked against the proofs of origin received.

    Lodging asks it in three steps: :meth:`verify` before the write (a read;
    nothing at all when no claim is one it checks), :meth:`secure` in the
    lodging's transaction (the check again, and the certificates' quantities
    covered so that concurrent lodgings cannot use one twice), :meth:`record`
    once the declaration has its id. The verdicts go to the assessment.
    """

    def verify(self, doc: DeclarationDocument, on: dt.date) -> Mapping[int, Any]: ...

    def secure(
        self,
        conn: Any,
        claims: list[tuple[DeclarationDocument, dt.date]],
        *,
        replacing: int | None = None,
    ) -> Sequence[Mapping[int, Any]]:
        """The verdicts of each claim as they now stand (``replacing``: a declaration whose
        earlier uses are given back first)."""
        ...

    def record(
        self,
        uow: UnitOfWork,
        entries: Sequence[tuple[tuple[int, str, int], Any, Mapping[int, Any]]],
        at: dt.datetime,
        *,
        replacing: bool = False,
    ) -> None:
        """Store the verdicts of declarations ``((id, mrn, version), assessment, verdicts)``
        and tell the issuers; ``replacing``: they replace an earlier version's."""
        ...


class Selector(Protocol):
    """Risk: the selectivity decision of a document, and its stored form."""

    def decide(self, doc: DeclarationDocument, assessment: Any, on: dt.date) -> Any: ...

    def decision_row(self, decision: Any, model_id: int | None) -> dict[str, Any]: ...

    def model_id(self) -> int | None: ...

    def explain(
        self,
        model_id: int,
        doc: DeclarationDocument,
        assessment: dict[str, Any],
        item: int,
        on: dt.date,
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Signal:
    """A reason found at lodging to control the goods at least in ``channel``."""

    channel: str
    reason: str


class LodgingSignals(Protocol):
    """Looks at an import being lodged (e.g. a partner's export data) and may raise signals."""

    def signals(self, conn: Any, doc: DeclarationDocument) -> list[Signal]: ...


class ReleaseGate(Protocol):
    """Another service that may hold the goods: why release must wait, or None.

    It is asked inside the releasing use case's unit of work, so what it reads
    is what that transaction sees.
    """

    def blocks_release(self, uow: UnitOfWork, declaration_id: int) -> str | None: ...


class AmendmentGate(Protocol):
    """Another service whose work fixes the document: why it can no longer be amended, or None.

    Asked inside the amending use case's unit of work.
    """

    def blocks_amendment(self, uow: UnitOfWork, declaration_id: int) -> str | None: ...


class DeclarationReader(Protocol):
    """What another capability shows on a declaration's page (staff only)."""

    def of_declaration(self, conn: Any, declaration_id: int) -> Any: ...


# Opens one use case's unit of work: it commits on a clean exit, and keeps nothing otherwise.
UnitOfWorkFactory = Callable[[], AbstractContextManager[DeclarationUnitOfWork]]

__all__ = [
    "AccountRepository",
    "AmendmentGate",
    "Assessor",
    "DeclarationReader",
    "DeclarationRepository",
    "DeclarationUnitOfWork",
    "LodgingSignals",
    "PreferenceClaims",
    "RecordedPayment",
    "ReleaseGate",
    "Selector",
    "Signal",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
