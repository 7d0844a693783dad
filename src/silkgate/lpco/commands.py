"""What an agency sends to issue, amend, suspend, reinstate or revoke an LPCO.

Structure is checked here once, at the edge; what needs the node's data (a
country, an office, an HS code, a unit pint converts, a currency) is checked by
the service, each error naming its field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from silkgate.declarations.document import Country, Identifier, Locode, UnitCode
from silkgate.kernel import amounts
from silkgate.kernel.commands import Command
from silkgate.kernel.text import Line, Text
from silkgate.kernel.wording import shaped
from silkgate.lpco.licence import Flow, Kind

Quantity = Annotated[Decimal, amounts.AS_MONEY, amounts.bounds(positive=True),
                     amounts.AMOUNT_SCHEMA]  # fmt: skip
# An HS prefix: a heading (4 digits), a subheading (6) or a national line (8 or 10).
HsPrefix = Annotated[
    str,
    shaped(
        r"^[0-9]{4}([0-9]{2}([0-9]{2}([0-9]{2})?)?)?$",
        "an HS heading, subheading or national line: 4, 6, 8 or 10 digits, e.g. 850760",
    ),
]


def _said(reason: Any) -> Any:
    if isinstance(reason, str) and not reason.strip():
        raise PydanticCustomError("missing", "a reason is required", {"code": "missing"})
    return reason


class IssueLpco(Command):
    """A new LPCO: for whom, for which goods, how much, where and until when."""

    kind: Kind
    holder: Identifier  # the importer's (or exporter's) trader identifier
    holder_name: Annotated[Line, Field(min_length=1, max_length=140)]
    hs: HsPrefix
    description: Annotated[Line, Field(min_length=1, max_length=350)]
    flow: Flow
    country: Country | None = None
    office: Locode | None = None
    quantity: Quantity
    unit: UnitCode  # a Rec 20 unit of measure, or an ISO 4217 currency for a value
    valid_from: dt.date
    valid_until: dt.date
    conditions: Annotated[Text, Field(max_length=2000)] = ""
    # An export LPCO may name the importer abroad (its trader identifier there): the
    # partner's node then checks it against the import declaration.
    consignee: Identifier | None = None
    # A condition that the agency examines the goods at the border: its checks join the
    # joint inspection of every declaration drawing on the LPCO.
    examine: bool = False

    # valid_until before valid_from is refused by the register, at /valid_until.


class AmendLpco(Command):
    """What changes (each field left out stays as it is) and why.

    A new ``quantity`` moves the balance by the same difference; it may not fall
    below what is drawn already.
    """

    reason: Annotated[Text, Field(max_length=1000), BeforeValidator(_said)]
    quantity: Quantity | None = None
    valid_until: dt.date | None = None
    office: Locode | None = None
    country: Country | None = None
    description: Annotated[Line, Field(min_length=1, max_length=350)] | None = None
    conditions: Annotated[Text, Field(max_length=2000)] | None = None
    hs: HsPrefix | None = None
    examine: bool = False  # sent: the examination condition set or lifted


class LpcoDecision(Command):
    """Why an LPCO is suspended, reinstated or revoked (the officers and the holder read it)."""

    reason: Annotated[Text, Field(max_length=1000), BeforeValidator(_said)]
