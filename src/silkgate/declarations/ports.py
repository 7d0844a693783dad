"""What the declaration use cases need from other capabilities, as narrow interfaces.

The bootstrap hands in the tariff, risk and exchange objects that satisfy
these; the declarations package imports none of their services. A new
capability that must hold release (licences, transit) adds a
:class:`ReleaseGate`; one that raises a risk signal at lodging adds a
:class:`LodgingSignals`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.events import UnitOfWork


class Assessor(Protocol):
    """The tariff: duties and taxes of a document as of a day."""

    def assess(self, doc: DeclarationDocument, on: dt.date) -> Any: ...


class Selector(Protocol):
    """Risk: the selectivity decision of a document, and its stored form."""

    def decide(self, doc: DeclarationDocument, assessment: Any, on: dt.date) -> Any: ...

    def decision_row(self, decision: Any, model_id: int | None) -> dict[str, Any]: ...

    def model_id(self) -> int | None: ...

    def explain(
        self, model_id: int, doc: DeclarationDocument, assessment: dict[str, Any], item: int
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
    """Another service that may hold the goods: why release must wait, or None."""

    def blocks_release(self, conn: Any, declaration_id: int) -> str | None: ...


class AmendmentGate(Protocol):
    """Another service whose work fixes the document: why it can no longer be amended, or None."""

    def blocks_amendment(self, conn: Any, declaration_id: int) -> str | None: ...


class DeclarationReader(Protocol):
    """What another capability shows on a declaration's page (staff only)."""

    def of_declaration(self, conn: Any, declaration_id: int) -> Any: ...


UnitOfWorkFactory = Callable[[], Any]  # a context manager yielding a UnitOfWork

__all__ = [
    "AmendmentGate",
    "Assessor",
    "DeclarationReader",
    "LodgingSignals",
    "ReleaseGate",
    "Selector",
    "Signal",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
