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


EXPORTER = "0312345678"  # the exporter in the partner administration (invented)


def reptiles(count: str, number: str | None, *, exporter: str = EXPORTER) -> dict[str, Any]:
    """An import of live tortoises from Viet Nam (one item), citing the CITES permit
    ``number`` (a partner's: ``VN-CITES-2026-000001``)."""
    doc = batteries("40", None, hs="01062000")
    doc["exporter"]["id"] = exporter
    item = doc["items"][0]
    item.update(
        description="Live tortoises (Testudo horsfieldii), captive-bred",
        value="1200.00",
        supplementary_quantity={"value": count, "unit": "NAR"},
        documents=[{"code": "C400", "reference": number}] if number else [],
    )
    doc["invoice"]["amount"] = "1200.00"
    return doc


def partner_permit(number: str = "CITES-2026-000001", **changes: Any) -> dict[str, Any]:
    """A CITES export permit of the partner's CITES authority for 20 tortoises to CN, as the
    ``lpco`` message carries it."""
    today = dt.date.today()
    body = {
        "number": number,
        "agency": "CITES",
        "kind": "permit",
        "holder": EXPORTER,
        "holder_name": "Mekong Reptile Farm (demo)",
        "consignee": ACME,
        "hs": "010620",
        "description": "Live tortoises (Testudo horsfieldii), captive-bred",
        "flow": "export",
        "country": "CN",
        "unit": "NAR",
        "quantity": "20",
        "valid_from": (today - dt.timedelta(days=5)).isoformat(),
        "valid_until": (today + dt.timedelta(days=175)).isoformat(),
        "conditions": "",
        "status": "issued",
        "changed_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    body.update(changes)
    return body
