"""The LPCO capability's wiring: the requirements in force, the agencies' register and the
check at lodging (called by :mod:`silkgate.bootstrap`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from silkgate.lpco.services import (
    LicenceCheck,
    LpcoService,
    PartnerLpcos,
    Register,
    RequirementsInForce,
)
from silkgate.lpco.services.register import CodeLists
from silkgate.store.uow import AttachedUnitOfWork
from silkgate.tariff.services import TariffService

if TYPE_CHECKING:
    from silkgate.bootstrap import _Base as Base


def lpco(base: Base, tariff: TariffService) -> LpcoService:
    """LPCOs in values are compared at the tariff's customs exchange rates."""
    codes = base.codes
    hs_codes = frozenset(codes.hs_subheadings) | {s[:4] for s in codes.hs_subheadings}
    requirements = RequirementsInForce(
        base.engine,
        countries=frozenset(codes.countries),
        hs_codes=hs_codes,
        ttl=base.ttl,
        clock=base.clock,
    )
    register = Register(
        base.engine,
        base.unit_of_work,
        codes=CodeLists(
            countries=codes.countries,
            currencies=codes.currencies,
            offices=lambda: codes.offices,
            hs_codes=hs_codes,
        ),
        zone=base.zone,
        clock=base.clock,
    )
    check = LicenceCheck(
        base.engine,
        requirements=requirements,
        to_national=tariff.national_rate,
        ttl=base.ttl,
        clock=base.clock,
    )
    partner = PartnerLpcos(
        register,
        requirements,
        attached=lambda conn: AttachedUnitOfWork(conn, base.bus, base.journal_keys),
    )
    return LpcoService(requirements, register, check, partner)
