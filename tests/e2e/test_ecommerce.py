"""Cross-border e-commerce as its users meet it: the four parties send their lists with
`silkgate ecommerce send` to a running node, and the platform reads its parcels, the held
ones and the day's figures in real headless Chromium."""

from __future__ import annotations

import uuid

import httpx
import orjson
import pytest
from playwright.sync_api import expect

from silkgate.ecommerce import samples
from tests.e2e.conftest import run_cli

pytestmark = pytest.mark.browser
AGENT_PARTY = "91330100MA2DEMOAG4"


@pytest.fixture(scope="module")
def sent(settings, prepared, live_node, tmp_path_factory) -> dict[str, str]:
    """Twenty parcels' lists sent through the CLI, parcel 7's payment short by 1.00."""
    officer = {"Authorization": f"Bearer {prepared['officer.li']}"}
    r = httpx.post(
        f"{live_node}/v1/ecommerce/guarantees",
        json={"agent": AGENT_PARTY, "amount": "100000000.00", "reference": "G-E2E"},
        headers=officer,
    )
    assert r.status_code == 200, r.text
    t = uuid.uuid4().hex[:10].upper()
    parcels = [samples.parcel(n, prefix=t, tag="ID" + t) for n in range(20)]
    parcels[7].payment["amount"] = "1.00"
    folder = tmp_path_factory.mktemp("lists")
    for kind, user, field in (
        ("parcels", "agent.ecom-demo", "entry"),
        ("payments", "payment.alipay-demo", "payment"),
        ("orders", "platform.tmall-demo", "order"),
        ("waybills", "logistics.cainiao-demo", "waybill"),
    ):
        path = folder / f"{kind}.ndjson"
        path.write_bytes(b"".join(orjson.dumps(getattr(p, field)) + b"\n" for p in parcels))
        done = run_cli(
            settings, "ecommerce", "send", kind, str(path), token=prepared[user], node=live_node
        )
        assert done.returncode == 0, done.stderr
        assert f"{kind}: 20 accepted, 0 unchanged (sent before), 0 refused" in done.stdout
    again = run_cli(
        settings, "ecommerce", "send", "waybills", str(folder / "waybills.ndjson"),
        token=prepared["logistics.cainiao-demo"], node=live_node,
    )  # fmt: skip
    assert "0 accepted, 20 unchanged" in again.stdout
    return {"good": parcels[0].order["order_no"], "held": parcels[7].order["order_no"]}


def test_a_refused_line_is_reported_with_its_line_number(settings, prepared, live_node, tmp_path):
    t = uuid.uuid4().hex[:10].upper()
    good = samples.parcel(0, prefix=t, tag=t).order
    path = tmp_path / "orders.ndjson"
    path.write_bytes(orjson.dumps(good) + b"\n{broken\n")
    refused = tmp_path / "refused.ndjson"
    done = run_cli(
        settings, "ecommerce", "send", "orders", str(path), "--refused", str(refused),
        token=prepared["platform.tmall-demo"], node=live_node,
    )  # fmt: skip
    assert done.returncode == 1
    assert "1 accepted, 0 unchanged (sent before), 1 refused" in done.stdout
    result = orjson.loads(refused.read_bytes())
    assert (result["line"], result["errors"][0]["code"]) == (2, "malformed_json")


def log_in(page, token: str) -> None:
    page.goto("/console/login")
    page.fill("#token", token)
    page.click("button[type=submit]")


def test_the_platform_reads_its_parcels_the_held_ones_and_the_figures(page, prepared, sent):
    log_in(page, prepared["platform.tmall-demo"])
    expect(page).to_have_url("/console/ecommerce")
    row = page.locator(f"#parcel-{sent['good']}")
    expect(row).to_contain_text("released")
    page.get_by_role("link", name="Held parcels").first.click()
    held = page.locator(f"#held-{sent['held']}")
    expect(held).to_contain_text("payment amount mismatch")
    expect(held).to_contain_text("the payment is 1.00")
    page.goto("/console/ecommerce/figures")
    expect(page.get_by_role("heading", name="E-commerce parcels on")).to_be_visible()
    assert int(page.locator("#figures-released").inner_text()) >= 19
