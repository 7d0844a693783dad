"""Transit in real headless Chromium, over three real node processes (as `silkgate demo
trio`): China's officer sees what waits on Horgos and releases from the movement's page,
with its route drawn; Kazakhstan's officer records the crossing, Uzbekistan's the arrival
and the control results, each on their own node's console; the holder reads its guarantee's
balance, whole again after the discharge."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from silkgate.cli.trio import TRIO
from tests.e2e.test_console import log_in
from tests.e2e.test_transit_trio import EXAMPLE, Trio, _guarantee, _status, _wait

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trio]:
    t = Trio(tmp_path_factory.mktemp("trio-console"))
    t.set_up()
    for admin in TRIO:
        t.start(admin)
    yield t
    t.stop()


def _console(browser: Any, trio: Trio, admin: str, user: str) -> Page:
    context = browser.new_context(base_url=trio.url(admin))
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, trio.token(admin, user))
    return page


def _lodged(trio: Trio, reference: str) -> str:
    doc = json.loads(EXAMPLE.read_text())
    doc.update(lrn="TR-" + uuid.uuid4().hex[:10].upper(), guarantee=reference)
    r = httpx.post(f"{trio.url('CN')}/v1/transit/movements", json=doc,
                   headers=trio.headers("CN", "acme-trading"), timeout=20)  # fmt: skip
    assert r.status_code == 201, r.text
    return str(r.json()["mrn"])


def test_officers_work_a_movement_on_three_consoles_and_the_holder_reads_the_balance(
    browser: Any, trio: Trio
) -> None:
    reference = _guarantee(trio)
    mrn = _lodged(trio, reference)

    cn = _console(browser, trio, "CN", "officer.li")
    cn.goto("/console/transit?office=CNHRS&view=all")
    row = cn.locator(f"#movement-{mrn}")
    expect(row.locator(".waiting")).to_contain_text("release for transit")
    row.get_by_role("link", name=mrn).click()
    expect(cn.locator("#route svg circle")).to_have_count(3)  # Horgos, Khorgos, Tashkent
    expect(cn.locator("#route svg title")).to_contain_text("CNHRS (ahead)")
    cn.locator("#release-form button[type=submit]").click()
    expect(cn.get_by_role("status")).to_contain_text(f"{mrn} is released")
    expect(cn.locator("#stop-CNHRS")).to_have_class("stop here")

    _wait(lambda: _status(trio, "KZ", mrn) == "released", "Khorgos's record")
    kz = _console(browser, trio, "KZ", "officer.nurlan")
    kz.goto(f"/console/transit/movements/{mrn}")
    expect(kz.locator("#waiting")).to_contain_text("record the crossing")
    kz.locator("#crossing-form select[name=office]").select_option("KZHOR")
    kz.locator("#crossing-form button[type=submit]").click()
    expect(kz.get_by_role("status")).to_contain_text("en route")
    expect(kz.locator("#stop-KZHOR")).to_have_class("stop here")

    _wait(lambda: _status(trio, "UZ", mrn) == "released", "Tashkent's record")
    uz = _console(browser, trio, "UZ", "officer.dilnoza")
    uz.goto("/console/transit?office=UZTAS&view=expected")
    expect(uz.locator(f"#movement-{mrn} .waiting")).to_contain_text("record the arrival")
    uz.goto(f"/console/transit/movements/{mrn}")
    uz.locator("#arrival-form button[type=submit]").click()
    expect(uz.get_by_role("status")).to_contain_text("arrived")
    uz.locator("#control-form select[name=result]").select_option("satisfactory")
    uz.locator("#control-form button[type=submit]").click()
    expect(uz.get_by_role("status")).to_contain_text("under control")

    _wait(lambda: _status(trio, "CN", mrn) == "discharged", "the discharge at Horgos")
    cn.goto("/console/transit?office=CNHRS&view=discharged")
    expect(cn.locator(f"#movement-{mrn}")).to_be_visible()
    holder = _console(browser, trio, "CN", "acme-trading")
    holder.goto("/console/transit")
    expect(holder.locator(f"#guarantee-{reference} .balance")).to_have_text("5000000.00 CNY")
    holder.goto(f"/console/transit/guarantees/{reference}")
    expect(holder.locator("#balance")).to_have_text("5000000.00 CNY")
    expect(holder.locator("#reservations")).to_contain_text("freed")
    # Another trader's movement is not found, as one that does not exist.
    other = _console(browser, trio, "CN", "lotus-broker")
    response = other.goto(f"/console/transit/movements/{mrn}")
    assert response is not None and response.status == 404
