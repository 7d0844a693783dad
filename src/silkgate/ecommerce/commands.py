"""What the e-commerce use cases are asked to do, besides the bulk lists."""

from __future__ import annotations

from typing import Annotated

from silkgate.ecommerce.records import Number, PartyId, text
from silkgate.kernel.amounts import Money
from silkgate.kernel.commands import Command


class ParcelReturn(Command):
    """A released parcel sent back by the consumer (the agent declares it)."""

    platform: PartyId
    order_no: Number


class GuaranteeAccepted(Command):
    """The agent's general guarantee for parcels' tax: its new total, in the national currency."""

    agent: PartyId
    amount: Money
    reference: Annotated[str, text(70)]
