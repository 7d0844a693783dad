"""Certificates of origin with the importing partner: sent when issued, cancelled or replaced;
its treatment of them (Form E box 4) received.

The origin capability raises an event in the transaction that changes a
certificate; this handler puts the certificate's document, as it now stands,
in the outbox for the importing country, when that partner has the
``origin_certificates`` agreement with this administration (else nothing is
sent: the certificate still stands, printed, for a partner that takes paper).
What the partner answers (``origin_treatment``) is handed to the issuing
authority's use case, in the inbox's transaction.
"""

from __future__ import annotations

from typing import Any, Protocol

import sqlalchemy as sa

from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope
from silkgate.exchange.services import ExchangeService
from silkgate.kernel.events import UnitOfWork
from silkgate.origin.events import CertificateEvent


class TreatmentReceiver(Protocol):
    """The issuing authority: records what the importing side did with its certificates."""

    def receive_treatment(self, conn: sa.Connection, env: Envelope, at: Any) -> dict[str, Any]: ...


class CertificateMessages:
    """The ``origin_certificate`` messages a node sends, the ``origin_treatment`` it receives."""

    def __init__(self, exchange: ExchangeService, issuer: TreatmentReceiver) -> None:
        self.exchange = exchange
        exchange.handle(m.ORIGIN_TREATMENT, issuer.receive_treatment)

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
