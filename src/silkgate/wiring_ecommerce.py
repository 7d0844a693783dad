"""The e-commerce capability's wiring (called by :mod:`silkgate.bootstrap`): the terms file,
the tariff's lines and rates and the risk profiles in force as the ports deciding needs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from silkgate.ecommerce import terms as ecommerce_terms
from silkgate.ecommerce.identity import ConsumerHasher, consumer_key
from silkgate.ecommerce.services import EcommerceService
from silkgate.ecommerce.services.deciding import Pricing
from silkgate.node import NodeNotReady
from silkgate.risk.services import RiskService
from silkgate.tariff.schedule import TariffLine, UnknownLine
from silkgate.tariff.services import TariffNotLoaded, TariffService

if TYPE_CHECKING:
    from silkgate.bootstrap import _Base as Base


def ecommerce(base: Base, tariff: TariffService, risk: RiskService) -> EcommerceService:
    """Parcels are taxed on the tariff in force and scored with the profiles in force."""
    settings = base.settings
    try:
        terms = ecommerce_terms.load(settings.ecommerce_terms)
    except (OSError, ecommerce_terms.InvalidTerms) as exc:
        raise NodeNotReady(f"SILKGATE_ECOMMERCE_TERMS: {exc}") from exc

    def line_of(code: str) -> TariffLine:
        try:
            return tariff.schedule().line(code)
        except (UnknownLine, TariffNotLoaded) as exc:
            raise LookupError(f"no tariff line for HS code {code}") from exc

    def hs_problem(code: str) -> str | None:
        if code[:6] not in base.codes.hs_subheadings:
            return f"{code} is not an HS 2022 code"
        try:
            line_of(code)
        except LookupError:
            return f"{code} names no single line of the tariff: declare the national line"
        return None

    pricing = Pricing(
        terms=terms,
        national=tariff.policy.currency,
        minor_unit=tariff.policy.minor_unit,
        line_of=line_of,
        rate_of=lambda currency, on: tariff.national_rate(currency, on),
        profiles=risk.profiles_in_force,
        zone=base.zone,
    )
    return EcommerceService(
        base.engine,
        pricing=pricing,
        currencies=frozenset(base.codes.currencies),
        hs_problem=hs_problem,
        hasher=ConsumerHasher(consumer_key(settings.secret_key)),
        clock=base.clock,
    )
