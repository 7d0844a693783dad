"""Retroactive verification on the two nodes' consoles, in real headless Chromium.

Viet Nam's officer asks on Viet Nam's console; the request travels over the
signed exchange; China's origin officer answers "not confirmed" on China's
console; Viet Nam's page then shows the preference withdrawn and the duty
recovered. The nodes are the demo pair's real processes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_console import log_in
from tests.e2e.test_exchange_pair import Pair, pair  # noqa: F401 (the fixture)
from tests.e2e.test_origin_round_trip import _issued_and_received, _laptops_only
from tests.eco_helpers import claiming

pytestmark = pytest.mark.browser


@pytest.fixture
def consoles(browser, pair: Pair) -> Iterator[Callable[[str, str], Page]]:  # noqa: F811
    """``open(admin, user)``: a page on ``admin``'s node, logged in as ``user``."""
    contexts = []

    def open_as(admin: str, user: str) -> Page:
        context = browser.new_context(base_url=pair.url(admin))
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        log_in(pg, pair.token(admin, user))
        expect(pg).not_to_have_url(re.compile("/console/login"))
        return pg

    yield open_as
    for context in contexts:
        context.close()


def test_asked_in_viet_nam_answered_in_china(pair: Pair, consoles) -> None:  # noqa: F811
    tag = uuid.uuid4().hex[:6].upper()
    number, issued, _ = _issued_and_received(pair, tag)
    declaration = claiming(_laptops_only(f"VC-{tag}", 300), number, issued)
    lodged = httpx.post(
        f"{pair.url('VN')}/v1/declarations", json=declaration,
        headers=pair.headers("VN", "acme-trading"), timeout=20,
    ).json()  # fmt: skip
    assert lodged["assessment"]["preferences"][0]["treatment"] == "given", lodged

    # Viet Nam: the officer asks, from the page the certificate links to.
    page = consoles("VN", "officer.nguyen")
    page.goto(f"/console/origin/verifications?number={number}")
    form = page.locator("#verification-form")
    expect(form.locator("[name=number]")).to_have_value(number)
    form.locator("[name=reason]").fill("the mainboards' supplier is not on file")
    form.get_by_label("bill of materials").check()
    form.get_by_label("supplier declarations").check()
    form.get_by_role("button", name="Ask for verification").click()
    row = page.locator("#verifications tbody tr", has_text=number)
    expect(row).to_contain_text("open")
    expect(row).to_contain_text("bill_of_materials, supplier_declarations")
    reference = row.locator("td").first.inner_text().strip()
    assert reference.startswith("VN-V-")

    # China: the origin officer sees it arrive, and answers.
    page = consoles("CN", "origin.zhou")
    received = page.locator("#verifications tbody tr", has_text=reference)
    for _ in range(60):
        page.goto("/console/origin/verifications")
        if received.count():
            break
        page.wait_for_timeout(500)
    expect(received).to_contain_text("VN")
    received.get_by_label("Result").select_option("not_confirmed")
    received.get_by_label(f"Findings for {reference}").fill("the mainboards were bought in Korea")
    received.get_by_role("button", name="Answer").click()
    expect(page.locator("#verifications tbody tr", has_text=reference)).to_contain_text(
        "not confirmed"
    )

    # Viet Nam: the answer arrives; the preference is withdrawn and the duty recovered.
    page = consoles("VN", "officer.nguyen")
    sent = page.locator("#verifications tbody tr", has_text=reference)
    for _ in range(60):
        page.goto("/console/origin/verifications")
        if "not confirmed" in sent.inner_text():
            break
        page.wait_for_timeout(500)
    expect(sent).to_contain_text("the mainboards were bought in Korea")
    expect(sent).to_contain_text(f"{lodged['mrn']} v2")
    recovered = Decimal(sent.locator("td").nth(8).inner_text().split()[0])
    assert recovered > 0
