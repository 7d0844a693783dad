"""Deciding parcels whose four records are all there: pure, in batches.

1. :func:`screen` each parcel: the three-list check, then the value against the
   single-transaction limit, then its tax (or why it cannot be taxed).
2. :func:`allocate` the screened parcels, in order, against the consumers' annual
   quotas and the agents' guarantees as locked in the store: a parcel that would
   break the annual limit is refused; one whose tax the agent's guarantee cannot
   cover is held; the others use their quota and draw their tax, so neither ever
   goes past its limit.
3. The risk profiles run over the parcels allocated (``facts.py``); a selected one
   is held for inspection, the others are released.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from silkgate.ecommerce.matching import Body, Reason, check, declared_value
from silkgate.ecommerce.tax import ParcelTax
from silkgate.ecommerce.terms import Terms

RELEASED, HELD, REFUSED, PENDING, RETURNED = "released", "held", "refused", "pending", "returned"


@dataclass(frozen=True)
class Parcel:
    """A parcel with its four records (bodies as stored)."""

    id: int
    platform: str
    order_no: str
    order: Body
    payment: Body
    waybill: Body
    entry: Body

    @property
    def agent(self) -> str:
        agent: str = self.entry["agent"]
        return agent

    @property
    def consumer(self) -> str:
        consumer: str = self.entry["consumer"]["id_hash"]
        return consumer


@dataclass
class Outcome:
    """What was decided for one parcel (the columns of its row)."""

    parcel: Parcel
    status: str
    reasons: list[Reason] = field(default_factory=list)
    value: Decimal | None = None  # in the limits' currency
    tax: ParcelTax | None = None
    selected: bool = False

    @property
    def reason_code(self) -> str | None:
        return self.reasons[0].code if self.reasons else None

    @property
    def reason(self) -> str | None:
        return "; ".join(r.detail for r in self.reasons) if self.reasons else None


Taxer = Callable[[Parcel], ParcelTax]  # raises LookupError when the parcel cannot be taxed
ToLimitCurrency = Callable[[str], Decimal | None]  # limits' currency per unit of a currency


def screen(parcel: Parcel, terms: Terms, to_limit: ToLimitCurrency, taxer: Taxer) -> Outcome:
    """The three-list check, the single-transaction limit and the tax of one parcel."""
    reasons = check(parcel.order, parcel.payment, parcel.waybill, parcel.entry)
    if reasons:
        return Outcome(parcel, HELD, reasons)
    currency = parcel.entry["currency"]
    rate = to_limit(currency)
    if rate is None:
        return Outcome(
            parcel, HELD, [Reason("no_exchange_rate", f"no customs rate for {currency}")]
        )
    value = (declared_value(parcel.entry) * rate).quantize(Decimal("0.01"))
    if value > terms.per_transaction:
        detail = (
            f"the parcel's value {value} {terms.limit_currency} is over the limit of "
            f"{terms.per_transaction} {terms.limit_currency} a transaction"
        )
        return Outcome(parcel, REFUSED, [Reason("over_transaction_limit", detail)], value)
    try:
        tax = taxer(parcel)
    except LookupError as exc:
        return Outcome(parcel, HELD, [Reason("not_assessable", str(exc))], value)
    return Outcome(parcel, RELEASED, [], value, tax)


@dataclass
class Ledgers:
    """The consumers' quota used this year and the agents' guarantees left, as locked."""

    used: dict[str, Decimal]  # consumer hash -> used this year (limits' currency)
    left: dict[str, Decimal]  # agent -> guarantee not drawn (national currency)


def allocate(screened: Iterable[Outcome], ledgers: Ledgers, terms: Terms) -> None:
    """Use quota and draw tax for each parcel still to be released, in order; those that do
    not fit are refused (annual limit) or held (guarantee), in place."""
    for outcome in screened:
        if outcome.status != RELEASED:
            continue
        assert outcome.value is not None and outcome.tax is not None
        consumer, agent = outcome.parcel.consumer, outcome.parcel.agent
        used = ledgers.used.get(consumer, Decimal(0))
        if terms.per_year and used + outcome.value > terms.per_year:
            outcome.status = REFUSED
            outcome.reasons = [
                Reason(
                    "over_annual_limit",
                    f"the consumer has used {used} of {terms.per_year} {terms.limit_currency} "
                    f"this year; this parcel ({outcome.value}) would break the annual limit",
                )
            ]
            continue
        left = ledgers.left.get(agent)
        due = outcome.tax.total
        if due > 0 and (left is None or left < due):
            outcome.status = HELD
            have = "no guarantee" if left is None else f"{left} left on its guarantee"
            outcome.reasons = [
                Reason("tax_not_secured", f"tax {due} due; the agent {agent} has {have}")
            ]
            continue
        ledgers.used[consumer] = used + outcome.value
        if left is not None:
            ledgers.left[agent] = left - due


def select_for_inspection(
    outcomes: Iterable[Outcome], selected: Callable[[Outcome], str | None]
) -> None:
    """Hold for inspection each parcel to be released that ``selected`` names a reason for."""
    for outcome in outcomes:
        if outcome.status != RELEASED:
            continue
        why = selected(outcome)
        if why is not None:
            outcome.status = HELD
            outcome.selected = True
            outcome.reasons = [Reason("selected_for_inspection", why)]
