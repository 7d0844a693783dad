"""Transit movements with the partners on their itinerary (agreement ``transit``).

Every step of a movement is a :class:`~silkgate.transit.events.TransitStep`
that names the messages it sends (the anticipated records at release, a
crossing, the arrival and control results back to departure, the write-off);
this handler puts them in the outbox in the step's own transaction. What
partners send is handed to the transit use cases in the inbox's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from silkgate.exchange.envelope import Envelope
from silkgate.exchange.services import ExchangeService
from silkgate.kernel.events import UnitOfWork
from silkgate.transit import messages as msg
from silkgate.transit.events import TransitStep

Receive = Callable[[sa.Connection, Envelope, dt.datetime], dict[str, Any]]


class TransitMessages:
    """The transit messages a node sends and the use cases that take those it receives."""

    def __init__(self, exchange: ExchangeService, receivers: dict[str, Receive]) -> None:
        self.exchange = exchange
        for kind, receive in receivers.items():
            exchange.handle(kind, receive)

    def on_step(self, event: TransitStep, uow: UnitOfWork) -> None:
        if event.outgoing:
            self.exchange.enqueue_many(
                uow.connection,
                [(partner, kind, event.mrn, payload) for partner, kind, payload in event.outgoing],
                event.at,
            )


def receivers(transit: Any) -> dict[str, Receive]:
    """Which use case of the node's transit takes which kind of transit message."""
    departure, journey, enquiries = transit.departure, transit.journey, transit.enquiries
    return {
        msg.RECORD: journey.receive_record,
        msg.ARRIVAL_RECORD: journey.receive_record,
        msg.CROSSING: departure.receive_crossing,
        msg.ARRIVAL: departure.receive_arrival,
        msg.CONTROL: departure.receive_control,
        msg.WRITE_OFF: journey.receive_write_off,
        msg.ENQUIRY: enquiries.receive_enquiry,
        msg.ENQUIRY_ANSWER: enquiries.receive_answer,
        msg.INCIDENT: transit.incidents.receive,
    }
