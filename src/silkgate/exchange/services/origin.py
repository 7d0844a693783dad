"""Certificates of origin to the importing partner: issued, cancelled or replaced.

The origin capability raises an event in the transaction that changes a
certificate; this handler puts the certificate's document, as it now stands,
in the outbox for the importing country, when that partner has the
``origin_certificates`` agreement with this administration (else nothing is
sent: the certificate still stands, printed, for a partner that takes paper).
"""

from __future__ import annotations

from silkgate.exchange import messages as m
from silkgate.exchange.services import ExchangeService
from silkgate.kernel.events import UnitOfWork
from silkgate.origin.events import CertificateEvent


class CertificateMessages:
    """The ``origin_certificate`` messages a node sends."""

    def __init__(self, exchange: ExchangeService) -> None:
        self.exchange = exchange

    def on_certificate(self, event: CertificateEvent, uow: UnitOfWork) -> None:
        """A certificate was issued, cancelled or replaced: its document goes to the partner."""
        self.exchange.enqueue(
            uow.connection,
            event.importing_country,
            m.ORIGIN_CERTIFICATE,
            event.number,
            event.document,
            event.at,
        )
