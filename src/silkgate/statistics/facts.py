"""What one released declaration gives trade statistics, item by item (pure).

UN IMTS 2010: goods are recorded when customs releases them; the partner is
the country of origin for imports and the country of destination for exports;
the statistical value is the customs value (CIF at the importing border; an
export's is assessed on its FOB invoice), in national currency and in US
dollars at the node's rate of the day; the quantity is in the WCO standard unit
of the subheading (kilograms of net mass, or the supplementary quantity when
it is declared in that unit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

_CENT = Decimal("0.001")
# The procedure when the declaration names none: release for free circulation, or export.
DEFAULT_PROCEDURE = {"IM": "4000", "EX": "1000"}
PARCEL_PROCEDURE = "EC01"  # cross-border e-commerce parcels: their own procedure


def trade_rows(
    declaration_id: int,
    document: dict[str, Any],
    assessment: dict[str, Any] | None,
    released: dt.datetime,
    usd_rate: Decimal | None,
    unit_of: Callable[[str], str | None],
) -> list[dict[str, Any]]:
    """One row per item of the released version ``document`` (its stored JSON)."""
    kind = document["type"]
    flow = "M" if kind == "IM" else "X"
    assessed = {i["seq"]: i for i in (assessment or {}).get("items", [])}
    trader = (document["importer"] if kind == "IM" else document["exporter"]).get("id")
    trader = trader or document["declarant"]["id"]
    rows = []
    for item in document["items"]:
        hs6 = item["hs_code"][:6]
        line = assessed.get(item["seq"], {})
        value = Decimal(line.get("customs_value") or "0")
        # Net mass is the standard unit where the subheading has no supplementary one.
        unit = unit_of(item["hs_code"]) or "KGM"
        rows.append(
            {
                "source": "D",
                "ref_id": declaration_id,
                "seq": item["seq"],
                "month": released.astimezone(dt.UTC).strftime("%Y-%m"),
                "flow": flow,
                "hs6": hs6,
                "partner": item["origin"]
                if flow == "M"
                else document["transport"]["destination_country"],
                "procedure": item.get("procedure")
                or document.get("procedure")
                or DEFAULT_PROCEDURE[kind],
                "mode": str(document["transport"]["mode"]),
                "trader": trader,
                "value": value,
                "value_usd": _usd(value, usd_rate),
                "quantity": _quantity(item, unit),
                "unit": unit,
                "net_mass_kg": Decimal(str(item["net_mass_kg"])),
                "duties": Decimal(line.get("total") or "0"),
            }
        )
    return rows


def _usd(value: Decimal, rate: Decimal | None) -> Decimal | None:
    return None if not rate else (value / rate).quantize(_CENT)


def _quantity(item: dict[str, Any], unit: str) -> Decimal | None:
    if unit == "KGM":
        return Decimal(str(item["net_mass_kg"]))
    supplementary = item.get("supplementary_quantity")
    if supplementary and supplementary.get("unit") == unit:
        return Decimal(str(supplementary["value"]))
    return None
