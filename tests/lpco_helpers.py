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


def prepare_single_window(settings: Any) -> dict[str, str]:
    """Migrate ``settings``' database and load what a single-window node needs: reference
    data, the demo users (agencies among them), the tariff, the illustrative LPCO
    requirements; no random selection. Name -> token."""
    from silkgate import demo
    from silkgate.store import migrate, refdata
    from silkgate.store import risk as risk_store
    from silkgate.store.db import make_engine, writing

    url = settings.database_url
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=1)
    refdata.load(engine)
    users = demo.setup(engine, settings.secret_key)
    demo.load_tariff(settings, engine)
    demo.load_lpco(settings, engine)
    with writing(engine) as conn:
        risk_store.update_settings(conn, exploration_share=0)
    engine.dispose()
    return {user.name: token for user, token in users}
