"""Declarations and LPCOs for the LPCO tests: lithium batteries imported by the demo importer."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

from tests.conftest import load_example

ACME = "91310115MA1K4DEMO1"  # the demo importer's identifier


def lrn() -> str:
    return "L-" + uuid.uuid4().hex[:12].upper()


def batteries(kg: str, number: str | None, *, hs: str = "85076000") -> dict[str, Any]:
    """An import of lithium-ion batteries from Viet Nam (one item), citing LPCO ``number``."""
    doc = copy.deepcopy(load_example())
    doc["lrn"] = lrn()
    item = doc["items"][1]
    item.update(
        description="Lithium-ion accumulators for electric bicycles",
        hs_code=hs,
        net_mass_kg=kg,
        value="5000.00",
        documents=[{"code": "L100", "reference": number}] if number else [],
    )
    item.pop("supplementary_quantity", None)
    item["seq"] = 1
    doc["items"] = [item]
    doc["totals"] = {"gross_mass_kg": str(int(kg) + 100), "packages": 300, "items": 1}
    doc["invoice"]["amount"] = "5000.00"
    return doc


def licence(**changes: Any) -> dict[str, Any]:
    """An import licence for 1,000 kg of lithium batteries held by the demo importer."""
    today = dt.date.today()
    body = {
        "kind": "import_licence",
        "holder": ACME,
        "holder_name": "Shanghai Acme Trading Co. (demo)",
        "hs": "850760",
        "description": "Lithium-ion batteries",
        "flow": "import",
        "quantity": "1000",
        "unit": "KGM",
        "valid_from": (today - dt.timedelta(days=30)).isoformat(),
        "valid_until": (today + dt.timedelta(days=335)).isoformat(),
        "conditions": "Stored in a fire-rated warehouse.",
    }
    body.update(changes)
    return body
