"""LPCOs with the partners (agreement ``lpco``): an export licence or permit issued here for
a destination goes to that partner each time it changes; a partner's is received here.

The LPCO capability raises :class:`~silkgate.lpco.events.LpcoChanged` in the
transaction that issues or changes an export LPCO; this handler puts it, as it
now stands, in the outbox for the destination (nothing is sent to a partner
without the agreement). What partners send is handed to the LPCO capability's
receiver in the inbox's transaction.
"""

from __future__ import annotations

from typing import Any, Protocol

import sqlalchemy as sa

from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope
from silkgate.exchange.services import ExchangeService
from silkgate.kernel.events import UnitOfWork
from silkgate.lpco.events import LpcoChanged


class PartnerReceiver(Protocol):
    def receive(self, conn: sa.Connection, env: Envelope, at: Any) -> dict[str, Any]: ...


class LpcoMessages:
    """The ``lpco`` messages a node sends and receives."""

    def __init__(self, exchange: ExchangeService, receiver: PartnerReceiver) -> None:
        self.exchange = exchange
        exchange.handle(m.PARTNER_LPCO, receiver.receive)

    def on_changed(self, event: LpcoChanged, uow: UnitOfWork) -> None:
        self.exchange.enqueue(
            uow.connection, event.destination, m.PARTNER_LPCO, event.number, event.document,
            event.at,
        )  # fmt: skip
