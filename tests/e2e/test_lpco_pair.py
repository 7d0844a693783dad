"""Two real node processes: a CITES export permit issued in China reaches Viet Nam over the
signed exchange (agreement ``lpco``), Viet Nam's CITES authority accepts it, and it clears
an import of live tortoises there; China's revocation then puts that import under control.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT
from tests.e2e.test_exchange_pair import Pair, pair  # noqa: F401 (the fixture)

CN_EXPORTER = "91310115MA1K4DEMO1"
VN_IMPORTER = "0101234567"


def _wait(condition: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for delivery")
        time.sleep(0.25)
    return found


def _permit() -> dict[str, Any]:
    today = dt.date.today()
    until = today + dt.timedelta(days=180)
    return {
        "kind": "permit", "holder": CN_EXPORTER, "holder_name": "Shanghai Acme Trading (demo)",
        "consignee": VN_IMPORTER, "hs": "010620",
        "description": "Live tortoises (Testudo horsfieldii), captive-bred", "flow": "export",
        "country": "VN", "quantity": "20", "unit": "NAR",
        "valid_from": today.isoformat(), "valid_until": until.isoformat(),
    }  # fmt: skip


def _import(number: str, count: str) -> dict[str, Any]:
    doc = json.loads((ROOT / "examples" / "pair" / "import-vn-from-cn.json").read_text())
    doc["lrn"] = f"IM-LPCO-{uuid.uuid4().hex[:8]}"
    item = copy.deepcopy(doc["items"][0])
    item.update(
        description="Live tortoises (Testudo horsfieldii), captive-bred", hs_code="01062000",
        net_mass_kg="6", value="3000.00", supplementary_quantity={"value": count, "unit": "NAR"},
        documents=[{"code": "C400", "reference": number}],
    )  # fmt: skip
    doc["items"] = [item]
    doc["invoice"]["amount"] = "3000.00"
    doc["totals"] = {"gross_mass_kg": "20", "packages": item["packages"]["count"], "items": 1}
    return doc


def _lpco(pair: Pair, admin: str, user: str, number: str) -> dict[str, Any] | None:  # noqa: F811
    r = httpx.get(
        f"{pair.url(admin)}/v1/lpcos/{number}", headers=pair.headers(admin, user), timeout=20
    )
    return r.json() if r.status_code == 200 else None


def test_a_cites_permit_from_china_clears_an_import_in_viet_nam(pair):  # noqa: F811
    cn, vn = pair.url("CN"), pair.url("VN")
    r = httpx.post(
        f"{cn}/v1/lpcos", json=_permit(), headers=pair.headers("CN", "agency.cites"), timeout=20
    )
    assert r.status_code == 201, r.text
    number = f"CN-{r.json()['number']}"
    received = _wait(lambda: _lpco(pair, "VN", "agency.cites-vn", number))
    assert (received["status"], received["acceptor"], received["consignee"]) == (
        "received", "CITES", VN_IMPORTER,
    )  # fmt: skip
    lotus = pair.headers("VN", "acme-trading")
    refused = httpx.post(f"{vn}/v1/declarations", json=_import(number, "12"), headers=lotus,
                         timeout=20)  # fmt: skip
    assert refused.status_code == 422, refused.text
    assert "lpco_not_accepted" in refused.text
    r = httpx.post(
        f"{vn}/v1/lpcos/{number}/accept", json={"reason": "permit checked against the register"},
        headers=pair.headers("VN", "agency.cites-vn"), timeout=20,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "issued"
    r = httpx.post(f"{vn}/v1/declarations", json=_import(number, "12"), headers=lotus, timeout=20)
    assert r.status_code == 201, r.text
    mrn = r.json()["mrn"]
    assert r.json()["status"] == "under_control"  # the CITES authority examines the specimens
    assert _lpco(pair, "VN", "agency.cites-vn", number)["balance"] == "8"  # type: ignore[index]
    # China revokes the permit: Viet Nam's copy follows, and the import goes under control
    # with the reason (its release waits).
    r = httpx.post(
        f"{cn}/v1/lpcos/{number[3:]}/revoke", json={"reason": "specimens found wild-caught"},
        headers=pair.headers("CN", "agency.cites"), timeout=20,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    _wait(lambda: (_lpco(pair, "VN", "agency.cites-vn", number) or {}).get("status") == "revoked")
    shown = httpx.get(
        f"{vn}/v1/declarations/{mrn}/lpcos", headers=pair.headers("VN", "officer.nguyen"),
        timeout=20,
    ).json()  # fmt: skip
    assert [(i["number"], i["lpco_status"]) for i in shown["items"]] == [(number, "revoked")]
