"""Assessment: each item's customs value, duty, excise and VAT, and the declaration's totals.

Pure: it reads the document, the active tariff schedule and the exchange
rates, and touches nothing else, so the same code serves lodging, amendment,
the public duty calculator and the benchmark.

Order and rounding follow customs practice (China's Customs Law, the EU's
UCC alike): per item, the customs value is converted to the national currency
and rounded; duty is computed on it and rounded; excise on value plus duty,
rounded; VAT on value plus duty plus excise, rounded. Declaration totals are
the sums of the rounded item amounts, so they always add up.

A preference is granted when the item claims an agreement (validation has
checked that the origin country and this administration are parties to it and
that a proof is referenced), the line has a preferential rate under that
agreement on the date, and that rate is lower than the general one. On a
paper proof it is granted *subject to origin verification*: the duty forgone
is kept with the item so that it can be recovered if verification fails.

A claim checked against an e-CO received (``proofs``: the origin check's
verdict per item, ``origin/claims.py``) is *given* when the certificate
matches; when it does not match, or has not arrived yet, the item is assessed
at the general rate and what the preference would have saved (the duty, and
the excise and VAT on it) is kept as ``preference_withheld``: secured (paid or
guaranteed) until the claim is decided, and given back if the certificate
arrives and matches in time.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from silkgate.declarations.document import DraftDeclaration
from silkgate.declarations.validation import InvalidDeclaration
from silkgate.kernel.errors import FieldError
from silkgate.origin.claims import Verdict
from silkgate.tariff.duties import (
    AWAITING,
    GIVEN,
    GRANTED,
    NO_PREFERENTIAL_RATE,
    NOT_GIVEN,
    NOT_LOWER,
    Charge,
    ItemAssessment,
    ItemErrors,
    assess_item,
    money,
)
from silkgate.tariff.money import ZERO, round_money
from silkgate.tariff.rates import ExchangeRates, MissingRate
from silkgate.tariff.schedule import Schedule, TariffLine, UnknownLine

__all__ = [
    "AWAITING",
    "GIVEN",
    "GRANTED",
    "NOT_GIVEN",
    "NOT_LOWER",
    "NO_PREFERENTIAL_RATE",
    "Assessment",
    "Charge",
    "ItemAssessment",
    "NotAssessable",
    "Policy",
    "assess",
]
from silkgate.tariff.valuation import Basis, basis, item_bases


@dataclass(frozen=True)
class Policy:
    """An administration's assessment settings."""

    currency: str  # national currency
    minor_unit: int  # of the national currency
    presumed_insurance: Decimal = Decimal("0.003")  # of cost and freight, when none is declared


class NotAssessable(InvalidDeclaration):
    """The declaration cannot be assessed: each error names the field to correct."""

    title = "The declaration cannot be assessed"


@dataclass(frozen=True)
class Assessment:
    on: dt.date
    currency: str
    tariff_version: int
    rate: dict[str, Any]  # the exchange rate applied
    basis: dict[str, Any]
    items: list[ItemAssessment]
    notes: list[str] = field(default_factory=list)
    minor_unit: int = 2  # of the national currency

    def total(self, name: str) -> Decimal:
        if name == "customs_value":
            return sum((i.customs_value for i in self.items), ZERO)
        if name == "total":
            return sum((i.total for i in self.items), ZERO)
        if name == "duty_forgone":
            return sum((i.duty_forgone for i in self.items), ZERO)
        if name == "preference_withheld":
            return sum((i.preference_withheld for i in self.items), ZERO)
        return sum((getattr(i, name).amount for i in self.items), ZERO)

    @functools.cached_property
    def totals(self) -> dict[str, Decimal]:
        return {
            name: self.total(name)
            for name in (
                "customs_value", "duty", "excise", "vat", "total", "duty_forgone",
                "preference_withheld",
            )
        }  # fmt: skip

    def shown_totals(self) -> dict[str, Decimal]:
        """The totals an answer shows: a preference withheld only when there is one."""
        return {k: v for k, v in self.totals.items() if v or k != "preference_withheld"}

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.on.isoformat(),
            "currency": self.currency,
            "tariff_version": self.tariff_version,
            "exchange_rate": self.rate,
            "valuation": self.basis,
            "items": [i.as_json(self.currency, self.minor_unit) for i in self.items],
            "totals": {k: money(v, self.minor_unit) for k, v in self.shown_totals().items()},
            "notes": self.notes,
        }


def assess(
    doc: DraftDeclaration,
    schedule: Schedule,
    rates: ExchangeRates,
    on: dt.date,
    policy: Policy,
    proofs: Mapping[int, Verdict] | None = None,
) -> Assessment:
    """The assessment of ``doc`` as of ``on``, or :class:`NotAssessable` listing every error.

    ``proofs``: the e-CO check's verdict on each item's claim, by item (none: paper proofs).
    """
    errors: list[FieldError] = []
    b, basis_errors = basis(doc, policy.presumed_insurance)
    errors.extend(basis_errors)
    rate = None
    try:
        rate = rates.rate(doc.invoice.currency, on)
    except MissingRate as exc:
        errors.append(FieldError("/invoice/currency", "no_exchange_rate", str(exc)))
    lines = _lines(doc, schedule, errors)
    exporting = doc.type == "EX"
    # Without a valuation basis the items can still be checked (lines, quantities).
    notes = _notes(b, policy)
    b = b or Basis(ZERO, ZERO, False, ZERO, ZERO)
    items = []
    minor = policy.minor_unit
    factor = rate.rate if rate is not None else Decimal(1)
    proofs = proofs or {}
    for i, (item, line, amount) in enumerate(
        zip(doc.items, lines, item_bases(doc, b), strict=True)
    ):
        if line is None:
            continue
        value = round_money(amount * factor, minor)
        try:
            items.append(
                assess_item(
                    i, item, line, amount, value, on, minor, exporting, proofs.get(item.seq)
                )
            )
        except ItemErrors as exc:
            errors.extend(exc.errors)
    if errors or rate is None:
        raise NotAssessable(errors)
    return Assessment(
        on=on,
        currency=policy.currency,
        tariff_version=schedule.version,
        rate=rate.as_json(),
        basis=b.as_json(),
        items=items,
        notes=notes,
        minor_unit=policy.minor_unit,
    )


def _notes(b: Basis | None, policy: Policy) -> list[str]:
    """What the assessment says of its valuation basis."""
    if b is None:
        return []
    notes = list(b.notes)
    if b.insurance_presumed:
        notes.append(
            f"insurance not declared: presumed at {policy.presumed_insurance * 1000:f}‰ "
            "of cost and freight"
        )
    return notes


def _lines(
    doc: DraftDeclaration, schedule: Schedule, errors: list[FieldError]
) -> list[TariffLine | None]:
    """Each item's tariff line, None (and an error) for a code that is not one."""
    lines: list[TariffLine | None] = []
    for i, item in enumerate(doc.items):
        try:
            lines.append(schedule.line(item.hs_code))
        except UnknownLine as exc:
            lines.append(None)
            errors.append(_unknown_line(i, exc, schedule))
    return lines


def _unknown_line(i: int, exc: UnknownLine, schedule: Schedule) -> FieldError:
    where = f"/items/{i}/hs_code"
    if exc.candidates:
        return FieldError(
            where,
            "national_line_required",
            f"{exc.code} is not a line of the tariff; declare one of " + ", ".join(exc.candidates),
        )
    return FieldError(where, "not_in_tariff", f"{exc.code} is not in the tariff ({schedule.title})")
