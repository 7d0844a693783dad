"""What every declaration use case shares: the store, the unit of work, the ports, the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from silkgate.declarations.aggregate import DeclarationState
from silkgate.declarations.ports import (
    AmendmentGate,
    Assessor,
    DeclarationReader,
    DeclarationRepository,
    LicenceChecks,
    LodgingSignals,
    PreferenceClaims,
    ReleaseGate,
    Selector,
    UnitOfWorkFactory,
)
from silkgate.declarations.validation import CodeLists
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import NotFound
from silkgate.store import declarations as store


@dataclass(frozen=True)
class Context:
    """The collaborators of the declaration use cases, built once by the bootstrap."""

    engine: sa.Engine
    unit_of_work: UnitOfWorkFactory
    codes: CodeLists
    tariff: Assessor
    currency: str
    minor_unit: int
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    clock: Clock = system_clock
    risk: Selector | None = None
    gates: tuple[ReleaseGate, ...] = ()
    amendment_gates: tuple[AmendmentGate, ...] = ()
    signals: tuple[LodgingSignals, ...] = ()
    inspection: DeclarationReader | None = None
    origin: PreferenceClaims | None = None
    lpco: LicenceChecks | None = None

    def today(self, at: dt.datetime) -> dt.date:
        """The administration's local date at ``at``."""
        return at.astimezone(self.zone).date()


def visible(
    declarations: DeclarationRepository,
    principal: Principal,
    mrn: str,
    *,
    for_update: bool = False,
) -> DeclarationState:
    """The declaration ``mrn`` if ``principal`` may see it; NotFound otherwise."""
    return shown_to(principal, mrn, declarations.get(mrn, for_update=for_update))


def visible_on(conn: sa.Connection, principal: Principal, mrn: str) -> store.StoredDeclaration:
    """:func:`visible` for the readers, on a read-only connection of their own."""
    return shown_to(principal, mrn, store.get(conn, mrn))


def shown_to(principal: Principal, mrn: str, d: DeclarationState | None) -> DeclarationState:
    """``d`` (the declaration ``mrn`` as found) if ``principal`` may see it; NotFound otherwise.

    Another declarant's declaration is answered exactly as one that does not
    exist: a refusal would tell a trader which MRNs exist.
    """
    if d is None or not principal.may_see(d.declarant_id):
        raise NotFound(f"no declaration {mrn}")
    return d
