"""Customs value: the transaction value brought to the place of importation (the CIF basis).

WTO Customs Valuation Agreement, article 1 with the article 8 adjustments, as
China, ASEAN members and most WTO members apply it on a CIF basis:

* E- and F-terms (EXW, FCA, FAS, FOB): the price stops at the seller's
  country, so freight and insurance to the place of import are **added**.
* CFR and CPT: freight is in the price; insurance is **added**.
* CIF and CIP: both are in the price; nothing is added.
* D-terms (DAP, DPU, DDP): the price runs past the place of import, so the
  costs incurred after importation (declared as ``deductions``) are
  **deducted**.

Insurance not declared where it must be added is presumed at the
administration's rate (China: 3‰ of cost and freight). Freight that must be
added but is not declared is an error: it cannot be presumed.

Exports are valued on an FOB basis: freight and insurance beyond the border,
included in C- and D-term prices, are deducted.

Adjustments are shared between items in proportion to their invoice value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from silkgate.declarations.document import DraftDeclaration, Invoice
from silkgate.kernel.errors import FieldError
from silkgate.tariff.money import ZERO, round_money

E_AND_F_TERMS = frozenset({"EXW", "FCA", "FAS", "FOB"})
FREIGHT_INCLUDED = frozenset({"CFR", "CPT"})
CIF_TERMS = frozenset({"CIF", "CIP"})
D_TERMS = frozenset({"DAP", "DPU", "DDP"})


@dataclass(frozen=True)
class Basis:
    """What is added to (or deducted from) the invoice to reach the customs value.

    Amounts are in the invoice currency, for the whole invoice.
    """

    freight: Decimal
    insurance: Decimal
    insurance_presumed: bool
    additions: Decimal
    deductions: Decimal
    notes: tuple[str, ...] = ()

    @property
    def adjustment(self) -> Decimal:
        return self.freight + self.insurance + self.additions - self.deductions

    def as_json(self) -> dict[str, object]:
        return {
            "freight_added": _amount(self.freight),
            "insurance_added": _amount(self.insurance),
            "insurance_presumed": self.insurance_presumed,
            "additions": _amount(self.additions),
            "deductions": _amount(self.deductions),
        }


def _amount(value: Decimal) -> str:
    """An amount in the invoice currency: to the cent, or to the mill where it has them."""
    value = round_money(value, 3)
    return format(value if value != round_money(value, 2) else round_money(value, 2), "f")


def basis(
    doc: DraftDeclaration, presumed_insurance: Decimal
) -> tuple[Basis | None, list[FieldError]]:
    """The adjustments of ``doc``'s invoice, or the errors that prevent valuing it.

    ``presumed_insurance`` is a fraction (0.003 for 3‰).
    """
    inv = doc.invoice
    goods = sum((item.value for item in doc.items), ZERO)
    additions = inv.additions or ZERO
    deductions = inv.deductions or ZERO
    errors: list[FieldError] = []
    notes: list[str] = []
    if doc.type == "IM":
        freight, insurance, presumed = _import_costs(inv, goods, presumed_insurance, errors, notes)
    else:  # exports: FOB basis, nothing presumed
        freight, insurance = _export_costs(inv, errors)
        presumed = False
    if deductions and deductions >= goods + freight + insurance + additions:
        errors.append(
            FieldError(
                "/invoice/deductions",
                "exceeds_value",
                "must be less than the value of the goods and the costs added to it",
            )
        )
    if errors:
        return None, errors
    return Basis(freight, insurance, presumed, additions, deductions, tuple(notes)), []


def _import_costs(
    inv: Invoice,
    goods: Decimal,
    presumed_insurance: Decimal,
    errors: list[FieldError],
    notes: list[str],
) -> tuple[Decimal, Decimal, bool]:
    """Freight and insurance added to an import price, and whether the insurance is presumed.

    Errors and notes on the declared costs are appended to ``errors`` and ``notes``.
    """
    term = inv.incoterm
    freight = insurance = ZERO
    presumed = False
    if term in E_AND_F_TERMS:
        if inv.freight is None:
            errors.append(
                FieldError(
                    "/invoice/freight",
                    "required_for_incoterm",
                    f"required: {term} prices exclude transport to the place of import, "
                    "which is part of the customs value",
                )
            )
        freight = inv.freight or ZERO
    if inv.freight is not None and term not in E_AND_F_TERMS:
        notes.append(f"freight declared on a {term} invoice is in the price: not added")
    if inv.insurance is not None and term in CIF_TERMS | D_TERMS:
        notes.append(f"insurance declared on a {term} invoice is in the price: not added")
    if term in E_AND_F_TERMS or term in FREIGHT_INCLUDED:
        if inv.insurance is None:
            base = goods + (freight if term in E_AND_F_TERMS else ZERO)
            insurance = base * presumed_insurance
            presumed = True
        else:
            insurance = inv.insurance
    return freight, insurance, presumed


def _export_costs(inv: Invoice, errors: list[FieldError]) -> tuple[Decimal, Decimal]:
    """Freight and insurance (negative: deducted) that bring an export price to FOB."""
    term = inv.incoterm
    freight = insurance = ZERO
    if term in FREIGHT_INCLUDED | CIF_TERMS | D_TERMS:
        if inv.freight is None:
            errors.append(
                FieldError(
                    "/invoice/freight",
                    "required_for_incoterm",
                    f"required: a {term} price includes transport beyond the border, "
                    "which is deducted from an export value",
                )
            )
        freight = -(inv.freight or ZERO)
    if term in CIF_TERMS | D_TERMS:
        insurance = -(inv.insurance or ZERO)
    return freight, insurance


def item_bases(doc: DraftDeclaration, b: Basis) -> list[Decimal]:
    """Each item's value on the customs basis, in the invoice currency, unrounded."""
    goods = sum((item.value for item in doc.items), ZERO)
    adjustment = b.adjustment
    if not adjustment:
        return [item.value for item in doc.items]
    if not goods:
        # Nothing to share by value: share equally.
        share = adjustment / len(doc.items)
        return [item.value + share for item in doc.items]
    return [item.value + adjustment * item.value / goods for item in doc.items]
