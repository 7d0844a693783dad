"""The origin capability's wiring: the calculator, certificates issued, e-COs received,
claims checked and verification requests (called by :mod:`silkgate.bootstrap`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from silkgate.exchange.messages import (
    ORIGIN_CERTIFICATE,
    ORIGIN_VERIFICATION,
    ORIGIN_VERIFICATION_ANSWER,
)
from silkgate.exchange.services import ExchangeService
from silkgate.origin import case as origin_case
from silkgate.origin.services import OriginService
from silkgate.origin.services.certification import Certification
from silkgate.origin.services.claims import PreferenceCheck
from silkgate.origin.services.received import ReceivedCertificates
from silkgate.origin.services.verification import Verifications
from silkgate.origin.services.withdrawal import Withdrawal
from silkgate.tariff.services import TariffService

if TYPE_CHECKING:
    from silkgate.bootstrap import _Base as Base


def certification(base: Base, origin: OriginService, exchange: ExchangeService) -> Certification:
    """Certificates of origin, signed with the node's exchange key."""
    return Certification(
        base.engine, base.unit_of_work, origin, exchange.keyring,
        administration=base.settings.administration, zone=base.zone, clock=base.clock,
    )  # fmt: skip


def origin(base: Base, tariff: TariffService) -> OriginService:
    """The origin calculator values materials at the tariff's customs exchange rates."""
    codes = base.codes
    return OriginService(
        base.engine,
        codes=origin_case.CodeLists(
            hs_subheadings=codes.hs_subheadings,
            countries=frozenset(codes.countries),
            currencies=codes.currencies,
            units=codes.units,
            package_types=codes.package_types,
            locations=codes.locations,
        ),
        national_rate=tariff.national_rate,
        zone=base.zone,
        ttl=base.ttl,
        clock=base.clock,
    )


def origin_claims(
    base: Base, origin: OriginService, tariff: TariffService, exchange: ExchangeService
) -> tuple[PreferenceCheck, ReceivedCertificates]:
    """Preference claims checked against the e-COs partners send under ``origin_certificates``.

    The received certificates are the inbox's handler of ``origin_certificate``; box 4
    goes back through the outbox.
    """
    claims = PreferenceCheck(
        base.engine,
        administration=base.settings.administration,
        terms=origin,
        to_national=tariff.national_rate,
        expecting=lambda issuer: exchange.agreed(issuer, "origin_certificates"),
        outbox=exchange.enqueue_many,
        wait=dt.timedelta(hours=base.settings.origin_wait_hours),
        zone=base.zone,
        clock=base.clock,
    )
    received = ReceivedCertificates(
        base.engine,
        check=claims,
        bus=base.bus,
        journal_keys=base.journal_keys,
        reassess=tariff.assess,
        zone=base.zone,
        clock=base.clock,
    )
    exchange.handle(ORIGIN_CERTIFICATE, received.receive)
    return claims, received


def verifications(
    base: Base, origin: OriginService, tariff: TariffService, exchange: ExchangeService
) -> Verifications:
    """Verification requests: sent to and answered by the issuer as ``origin_certificates``
    messages; a failed one withdraws the preference (assessed again at the tariff's rates)
    and sends box 4 again, not given."""
    withdrawal = Withdrawal(
        bus=base.bus, journal_keys=base.journal_keys, reassess=tariff.assess,
        outbox=exchange.enqueue_many, zone=base.zone,
    )  # fmt: skip
    service = Verifications(
        base.engine,
        administration=base.settings.administration,
        days=origin.verification_days,
        enqueue=exchange.enqueue,
        withdrawal=withdrawal,
        zone=base.zone,
        clock=base.clock,
    )
    exchange.handle(ORIGIN_VERIFICATION, service.receive_request)
    exchange.handle(ORIGIN_VERIFICATION_ANSWER, service.receive_answer)
    return service
