"""What risk profiles and the model see of a declaration: one flat fact mapping per item.

Each item's facts carry the declaration's too, so a profile can combine both
("from VN, declared by a first-time importer, unit value below 2 CNY/kg").
Numbers are ``Decimal``; a fact that does not apply (no preference, no
supplementary quantity) is absent, and comparisons with it are false.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from silkgate.declarations.document import DeclarationDocument, Item
from silkgate.origin.claims import NONE, PAPER
from silkgate.risk.expressions import BOOL, NUMBER, STRING
from silkgate.tariff.assessment import Assessment

# Field path -> type: the vocabulary of profile conditions (documented in docs/risk.md).
SCHEMA: dict[str, str] = {
    "declaration.type": STRING,  # IM or EX
    "declaration.office": STRING,
    "declaration.procedure": STRING,
    "declaration.declarant": STRING,  # trader identifier
    "declaration.declarant_role": STRING,  # self, direct_agent, indirect_agent, platform
    "declaration.importer": STRING,
    "declaration.exporter": STRING,  # name
    "declaration.exporter_country": STRING,
    "declaration.dispatch_country": STRING,
    "declaration.transport_mode": NUMBER,
    "declaration.loading_place": STRING,
    "declaration.discharge_place": STRING,
    "declaration.incoterm": STRING,
    "declaration.currency": STRING,
    "declaration.invoice_amount": NUMBER,
    "declaration.items": NUMBER,
    "declaration.containers": NUMBER,
    "declaration.customs_value": NUMBER,  # national currency
    "declaration.taxes": NUMBER,  # duties and taxes assessed
    "declaration.importer_aeo": BOOL,
    "declaration.declarant_aeo": BOOL,
    # The exporter holds a partner administration's AEO status under mutual recognition.
    "declaration.exporter_aeo": BOOL,
    "item.seq": NUMBER,
    "item.description": STRING,
    "item.hs_code": STRING,
    "item.hs6": STRING,
    "item.hs4": STRING,
    "item.hs2": STRING,
    "item.origin": STRING,
    "item.preference": STRING,  # agreement claimed, "" if none
    # What a preference claim rests on: e_co_matched, e_co_mismatch, waiting (its e-CO not
    # received yet), paper (a proof not checked against an e-CO), none (no claim).
    "item.origin_proof": STRING,
    "item.net_mass_kg": NUMBER,
    "item.value": NUMBER,  # invoice currency
    "item.customs_value": NUMBER,  # national currency
    "item.unit_value": NUMBER,  # customs value per kg of net mass
    "item.duty": NUMBER,
    "item.duty_rate": NUMBER,  # ad valorem percent of the duty applied, 0 if none
    "item.quantity": NUMBER,  # supplementary quantity, as declared
    "item.quantity_unit": STRING,
    # The item's required LPCOs (licences, permits, certificates) as checked at lodging: ok,
    # missing, insufficient (balance), or none (no LPCO required).
    "item.lpco": STRING,
}


def assessed(
    assessment: Assessment | dict[str, Any] | None,
) -> tuple[dict[int, dict[str, Any]], dict[str, Decimal] | None]:
    """Per item (by seq) what facts need of an assessment, and its totals.

    Takes the :class:`Assessment` of a lodging or its stored JSON detail.
    """
    if assessment is None:
        return {}, None
    if isinstance(assessment, Assessment):
        items = {
            i.seq: {
                "tariff_line": i.tariff_line,
                "customs_value": i.customs_value,
                "duty": i.duty.amount,
                "duty_rate": (
                    i.duty.measure.ad_valorem
                    if i.duty.measure is not None and i.duty.measure.ad_valorem is not None
                    else Decimal(0)
                ),
                "origin_proof": i.origin_proof,
            }
            for i in assessment.items
        }
        return items, assessment.totals
    items = {}
    for i in assessment["items"]:
        duty = i.get("duty") or {}
        label = duty.get("measure") or ""
        rate = label.split("%")[0] if "%" in label else "0"
        items[i["seq"]] = {
            "tariff_line": i["tariff_line"],
            "customs_value": Decimal(i["customs_value"]),
            "duty": Decimal(duty.get("amount", "0")),
            "duty_rate": Decimal(rate),
            "origin_proof": i.get("origin_proof"),
        }
    totals = {k: Decimal(v) for k, v in assessment["totals"].items()}
    return items, totals


def item_facts(
    doc: DeclarationDocument,
    assessment: Assessment | dict[str, Any] | None,
    aeo: Collection[str] = (),
    lpco: Mapping[int, str] | None = None,
) -> list[dict[str, Any]]:
    """One fact mapping per item of ``doc``.

    ``lpco``: the check of each item's required LPCOs at lodging, by item (``item.lpco``;
    an item left out is "none").

    ``aeo``: trader ids holding this administration's AEO status, and
    ``"<country>:<id>"`` for partners' AEOs recognised under an arrangement.

    ``assessment``: the lodging's :class:`Assessment`, or its stored JSON detail.
    """
    by_seq, totals = assessed(assessment)
    base = _declaration_facts(doc, totals, aeo)
    checked = lpco or {}
    return [
        {
            **base,
            **_item_facts(item, by_seq.get(item.seq)),
            "item.lpco": checked.get(item.seq, "none"),
        }
        for item in doc.items
    ]


def _declaration_facts(
    doc: DeclarationDocument, totals: dict[str, Decimal] | None, aeo: Collection[str]
) -> dict[str, Any]:
    """The facts every item of ``doc`` shares."""
    exporter_country = doc.exporter.address.country if doc.exporter.address else None
    return {
        "declaration.type": doc.type,
        "declaration.office": doc.office,
        "declaration.procedure": doc.procedure or "",
        "declaration.declarant": doc.declarant.id,
        "declaration.declarant_role": doc.declarant.role,
        "declaration.importer": doc.importer.id or "",
        "declaration.exporter": doc.exporter.name,
        "declaration.exporter_country": exporter_country,
        "declaration.dispatch_country": doc.transport.dispatch_country,
        "declaration.transport_mode": Decimal(doc.transport.mode),
        "declaration.loading_place": doc.transport.loading_place,
        "declaration.discharge_place": doc.transport.discharge_place,
        "declaration.incoterm": doc.invoice.incoterm,
        "declaration.currency": doc.invoice.currency,
        "declaration.invoice_amount": doc.invoice.amount,
        "declaration.items": Decimal(len(doc.items)),
        "declaration.containers": Decimal(len(doc.transport.containers)),
        "declaration.customs_value": totals["customs_value"] if totals else None,
        "declaration.taxes": totals["total"] if totals else None,
        "declaration.importer_aeo": (doc.importer.id or "") in aeo,
        "declaration.declarant_aeo": doc.declarant.id in aeo,
        "declaration.exporter_aeo": bool(doc.exporter.id)
        and f"{exporter_country or doc.transport.dispatch_country}:{doc.exporter.id}" in aeo,
    }


def _item_facts(item: Item, a: dict[str, Any] | None) -> dict[str, Any]:
    """The facts of one item, with what its assessment (``a``) says of it."""
    customs_value = a["customs_value"] if a else None
    duty_rate = a["duty_rate"] if a else Decimal(0)
    return {
        "item.seq": Decimal(item.seq),
        "item.description": item.description,
        "item.hs_code": item.hs_code if a is None else a["tariff_line"],
        "item.hs6": item.hs_code[:6],
        "item.hs4": item.hs_code[:4],
        "item.hs2": item.hs_code[:2],
        "item.origin": item.origin,
        "item.preference": item.preference.agreement if item.preference else "",
        "item.origin_proof": (a or {}).get("origin_proof") or (PAPER if item.preference else NONE),
        "item.net_mass_kg": item.net_mass_kg,
        "item.value": item.value,
        "item.customs_value": customs_value,
        "item.unit_value": (
            (customs_value / item.net_mass_kg).quantize(Decimal("0.0001"))
            if customs_value is not None
            else None
        ),
        "item.duty": a["duty"] if a else None,
        "item.duty_rate": duty_rate,
        "item.quantity": (
            item.supplementary_quantity.value if item.supplementary_quantity else None
        ),
        "item.quantity_unit": (
            item.supplementary_quantity.unit if item.supplementary_quantity else None
        ),
    }
