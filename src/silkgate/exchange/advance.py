"""Advance export data: what the exporting side sends on release, and how it is compared.

The payload carries the ASEAN Customs Declaration Document (ACDD) data set
(exporter, consignee, declaring agent, departure date, per item the HS code,
quantity and unit, and origin, the outward transport mode, the port of
discharge and the export declaration number) plus the values, so the
importing side can compare what left with what is declared on arrival.

The importing node links it to an import declaration that quotes the export
declaration (document code ``N830``), shares its UCR, or travels under the
same transport document from the sender's country.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from silkgate.declarations.document import DeclarationDocument

EXPORT_DECLARATION_DOCUMENT = "N830"  # WCO/EU code: goods declaration for exportation
# Tolerances before a difference is a risk signal.
MASS_TOLERANCE = Decimal("0.02")  # weighing differences
VALUE_BELOW = Decimal("0.05")  # declared lower at import than at export: undervaluation
VALUE_ABOVE = Decimal("0.25")  # freight and insurance are added at import (CIF vs FOB)


def payload(
    mrn: str, doc: DeclarationDocument, released_at: dt.datetime, departure: dt.date
) -> dict[str, Any]:
    """The advance data of a released export declaration."""

    def party(p: Any) -> dict[str, Any] | None:
        if p is None:
            return None
        out: dict[str, Any] = {"name": p.name}
        if getattr(p, "id", None):
            out["id"] = p.id
        if getattr(p, "address", None) is not None:
            out["address"] = p.address.model_dump(mode="json", exclude_none=True)
        return out

    t = doc.transport
    return {
        "export_declaration": mrn,
        "ucr": doc.ucr,
        "exporter": party(doc.exporter),
        "consignee": party(doc.consignee) or party(doc.importer),
        "declaring_agent": {"id": doc.declarant.id, "name": doc.declarant.name},
        "departure_date": departure.isoformat(),
        "released_at": released_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "transport": {
            "mode": t.mode,
            "means_id": t.means_id,
            "document": t.document.model_dump(mode="json"),
            "containers": list(t.containers),
            "loading_place": t.loading_place,
            "port_of_discharge": t.discharge_place,
            "destination_country": t.destination_country,
        },
        "invoice": {
            "currency": doc.invoice.currency,
            "amount": str(doc.invoice.amount),
            "incoterm": doc.invoice.incoterm,
        },
        "items": [
            {
                "seq": i.seq,
                "hs_code": i.hs_code[:6],
                "description": i.description,
                "quantity": (
                    {
                        "value": str(i.supplementary_quantity.value),
                        "unit": i.supplementary_quantity.unit,
                    }
                    if i.supplementary_quantity is not None
                    else {"value": str(i.net_mass_kg), "unit": "KGM"}
                ),
                "net_mass_kg": str(i.net_mass_kg),
                "origin": i.origin,
                "value": str(i.value),
            }
            for i in doc.items
        ],
    }


def match_keys(doc: DeclarationDocument) -> dict[str, Any]:
    """What an import declaration offers to find its advance data."""
    refs = {
        d.reference
        for d in [*doc.documents, *(d for i in doc.items for d in i.documents)]
        if d.code == EXPORT_DECLARATION_DOCUMENT
    }
    return {
        "export_declarations": sorted(refs),
        "ucr": doc.ucr,
        "transport_document": doc.transport.document.number,
        "dispatch_country": doc.transport.dispatch_country,
    }


@dataclass(frozen=True)
class Mismatch:
    kind: str  # value | quantity | hs_code | origin
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "detail": self.detail}


def compare(
    advance: dict[str, Any],
    doc: DeclarationDocument,
    to_national: Callable[[str], Decimal | None] = lambda currency: None,
) -> list[Mismatch]:
    """Where the import declaration differs from what was exported.

    ``to_national(currency)`` is the rate to the importing side's currency (None
    when unknown); values in different currencies are compared through it.
    """
    out: list[Mismatch] = []
    exported_hs = {i["hs_code"] for i in advance["items"]}
    declared_hs = {i.hs_code[:6] for i in doc.items}
    if exported_hs != declared_hs:
        missing = ", ".join(sorted(exported_hs - declared_hs)) or "none"
        extra = ", ".join(sorted(declared_hs - exported_hs)) or "none"
        out.append(
            Mismatch(
                "hs_code", f"exported under {missing} not declared; declared {extra} not exported"
            )
        )
    exported_origin: dict[str, set[str]] = defaultdict(set)
    exported_mass: dict[str, Decimal] = defaultdict(Decimal)
    for i in advance["items"]:
        exported_origin[i["hs_code"]].add(i["origin"])
        exported_mass[i["hs_code"]] += Decimal(i["net_mass_kg"])
    declared_origin: dict[str, set[str]] = defaultdict(set)
    declared_mass: dict[str, Decimal] = defaultdict(Decimal)
    for item in doc.items:
        declared_origin[item.hs_code[:6]].add(item.origin)
        declared_mass[item.hs_code[:6]] += item.net_mass_kg
    for hs in sorted(exported_hs & declared_hs):
        if declared_origin[hs] != exported_origin[hs]:
            out.append(
                Mismatch(
                    "origin",
                    f"{hs}: exported as of origin {', '.join(sorted(exported_origin[hs]))}, "
                    f"declared {', '.join(sorted(declared_origin[hs]))}",
                )
            )
        sent, got = exported_mass[hs], declared_mass[hs]
        if sent > 0 and abs(got - sent) / sent > MASS_TOLERANCE:
            out.append(Mismatch("quantity", f"{hs}: {sent} kg exported, {got} kg declared"))
    value = _value_mismatch(advance, doc, to_national)
    if value is not None:
        out.append(value)
    return out


def _value_mismatch(
    advance: dict[str, Any],
    doc: DeclarationDocument,
    to_national: Callable[[str], Decimal | None],
) -> Mismatch | None:
    """The invoice value declared against the one exported, in one currency when they differ."""
    exported_value = Decimal(advance["invoice"]["amount"])
    declared_value = doc.invoice.amount
    ex_cur, im_cur = advance["invoice"]["currency"], doc.invoice.currency
    if ex_cur != im_cur:
        a, b = to_national(ex_cur), to_national(im_cur)
        exported_value = exported_value * a if a is not None else Decimal(-1)
        declared_value = declared_value * b if b is not None else Decimal(-1)
    if exported_value > 0 and declared_value >= 0:
        ratio = declared_value / exported_value
        if ratio < 1 - VALUE_BELOW or ratio > 1 + VALUE_ABOVE:
            return Mismatch(
                "value",
                f"exported at {advance['invoice']['amount']} {ex_cur}, "
                f"declared at {doc.invoice.amount} {im_cur} ({ratio:.0%})",
            )
    return None
