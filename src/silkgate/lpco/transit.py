"""The LPCO check of a transit declaration, pure.

Requirements of the ``transit`` flow apply to goods in transit by HS code and
country of destination. Each is looked for among the goods' documents by the
requirement's document code, and the LPCO is checked as at import or export:
of the kind (and agency) required, issued, held by the holder of the transit
procedure, for the goods, the transit flow and the destination, valid on the
day, in a unit the goods' gross mass (or value) converts to, with enough
balance left. Nothing is drawn down: a transit LPCO covers the goods while they
cross, and the balance says how much it may cover at once.

Duck-typed on the transit declaration (``holder.party_id``, ``currency``,
``goods[i].hs_code``, ``.gross_mass_kg``, ``.value``, ``.documents``), so the
two capabilities meet only through transit's port.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from silkgate.kernel.errors import FieldError
from silkgate.lpco.licence import Flow, Licence, NationalRate, Status, is_currency, plain
from silkgate.lpco.requirements import Missing, Requirement, Requirements
from silkgate.tariff import units


@dataclass(frozen=True)
class TransitChecked:
    refusals: tuple[FieldError, ...] = ()
    holds: tuple[str, ...] = ()
    drawn: dict[str, Decimal] = field(default_factory=dict)  # by number: what the goods need


def cited(declaration: Any, requirements: Requirements, country: str, on: dt.date) -> set[str]:
    out: set[str] = set()
    for goods in declaration.goods:
        for r in requirements.applicable(goods.hs_code, Flow.TRANSIT, country, on):
            out.update(d.reference.strip().upper() for d in goods.documents if d.code == r.document)
    return out


def check_transit(
    declaration: Any,
    country: str,
    requirements: Requirements,
    held: Mapping[str, Licence],
    on: dt.date,
    to_national: NationalRate,
) -> TransitChecked:
    refusals: list[FieldError] = []
    holds: list[str] = []
    need: dict[str, Decimal] = {}
    for index, goods in enumerate(declaration.goods):
        for r in requirements.applicable(goods.hs_code, Flow.TRANSIT, country, on):
            where = f"/goods/{index}/documents"
            found = [(j, d) for j, d in enumerate(goods.documents) if d.code == r.document]
            what = f"goods {index + 1}: {r.kind.words} ({r.document}, {r.description})"
            if not found:
                _missing(r, where, what, f"no document {r.document}", refusals, holds)
                continue
            j, document = found[0]
            number = document.reference.strip().upper()
            lpco = held.get(number)
            pointer = f"{where}/{j}/reference"
            if lpco is None:
                refusals.append(FieldError(pointer, "lpco_unknown", f"no LPCO {number}"))
                continue
            errors = _validity(declaration, goods, r, lpco, country, on)
            amount = _amount(declaration, goods, lpco.unit, on, to_national)
            if amount is None:
                errors.append(("lpco_unit", f"the goods cannot be expressed in {lpco.unit}"))
            refusals += [FieldError(pointer, code, words) for code, words in errors]
            if errors or amount is None:
                continue
            need[number] = need.get(number, Decimal(0)) + amount
            if need[number] > lpco.balance:
                left = f"{number} has {plain(lpco.balance)} {lpco.unit} left"
                _missing(r, where, what, f"{left}; the goods need {plain(need[number])}",
                         refusals, holds, code="lpco_balance")  # fmt: skip
    return TransitChecked(tuple(refusals), tuple(holds), need)


def _missing(
    r: Requirement, where: str, what: str, why: str, refusals: list[FieldError],
    holds: list[str], code: str = "lpco_missing",
) -> None:  # fmt: skip
    if r.missing is Missing.REFUSE:
        refusals.append(FieldError(where, code, f"{what} required: {why}"))
    else:
        holds.append(f"{what}: {why}")


def _validity(
    declaration: Any, goods: Any, r: Requirement, lpco: Licence, country: str, on: dt.date
) -> list[tuple[str, str]]:
    n, holder = lpco.number, declaration.holder.party_id
    checks: list[tuple[bool, str, Callable[[], str]]] = [
        (lpco.kind is not r.kind, "lpco_kind", lambda: f"{n} is a {lpco.kind.words}"),
        (bool(r.agency) and lpco.agency != r.agency, "lpco_agency",
         lambda: f"{n} was issued by {lpco.agency}, not {r.agency}"),
        (lpco.status is not Status.ISSUED, "lpco_" + lpco.status.value,
         lambda: f"{n} is {lpco.status.value}"),
        (lpco.holder != holder, "lpco_holder", lambda: f"{n} is held by {lpco.holder}"),
        (not goods.hs_code.startswith(lpco.hs), "lpco_goods",
         lambda: f"{n} is for goods of {lpco.hs}, these are {goods.hs_code}"),
        (lpco.flow is not Flow.TRANSIT, "lpco_flow", lambda: f"{n} is for {lpco.flow.value}"),
        (lpco.country not in (None, country), "lpco_country",
         lambda: f"{n} is for goods to {lpco.country}, not {country}"),
        (on > lpco.valid_until, "lpco_expired", lambda: f"{n} expired {lpco.valid_until}"),
        (on < lpco.valid_from, "lpco_not_yet_valid", lambda: f"{n} starts {lpco.valid_from}"),
    ]  # fmt: skip
    return [(code, words()) for failed, code, words in checks if failed]


def _amount(
    declaration: Any, goods: Any, unit: str, on: dt.date, to_national: NationalRate
) -> Decimal | None:
    """The goods in ``unit``: their gross mass for a mass unit, their value for a currency
    (None: a count or another measure a transit declaration does not give)."""
    if is_currency(unit):
        if declaration.currency == unit:
            return Decimal(goods.value)
        have, want = to_national(declaration.currency, on), to_national(unit, on)
        if have is None or want is None:
            return None
        return (Decimal(goods.value) * have / want).quantize(Decimal("0.01"))
    try:
        if units.dimension(unit) != "mass":
            return None
        return units.convert(Decimal(goods.gross_mass_kg), "KGM", unit)
    except units.UnitError:
        return None
