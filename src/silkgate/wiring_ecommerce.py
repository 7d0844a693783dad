"""The e-commerce capability's wiring (called by :mod:`silkgate.bootstrap`): the terms file,
the tariff's lines and rates and the risk profiles in force as the ports deciding needs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from silkgate.ecommerce import terms as ecommerce_terms
from silkgate.ecommerce.facts import ModelBudget
from silkgate.ecommerce.identity import ConsumerHasher, consumer_key
from silkgate.ecommerce.intake import HsProblem
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

    def tariff_lines() -> Callable[[str], TariffLine]:
        """The line look-up of the tariff in force (LookupError for no single line)."""
        try:
            return tariff.schedule().line
        except TariffNotLoaded as exc:
            message = str(exc)

            def nothing(code: str) -> TariffLine:
                raise LookupError(message)

            return nothing

    def hs_checker() -> HsProblem:
        """Why an HS code cannot be used, against the tariff in force (one request's)."""
        line_of = tariff_lines()
        subheadings = base.codes.hs_subheadings

        @functools.cache
        def problem(code: str) -> str | None:
            if code[:6] not in subheadings:
                return f"{code} is not an HS 2022 code"
            try:
                line_of(code)
            except (UnknownLine, LookupError):
                return f"{code} names no single line of the tariff: declare the national line"
            return None

        return problem

    pricing = Pricing(
        terms=terms,
        national=tariff.policy.currency,
        minor_unit=tariff.policy.minor_unit,
        tariff=tariff_lines,
        rate_of=lambda currency, on: tariff.national_rate(currency, on),
        profiles=risk.profiles_in_force,
        zone=base.zone,
        model=risk.model_in_force,
        model_budget=ModelBudget(terms.model_share),
    )
    return EcommerceService(
        base.engine,
        pricing=pricing,
        currencies=frozenset(base.codes.currencies),
        hs_checker=hs_checker,
        hasher=ConsumerHasher(consumer_key(settings.secret_key)),
        clock=base.clock,
    )
