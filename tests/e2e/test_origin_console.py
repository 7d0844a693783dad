"""The origin calculator's console page in real headless Chromium: public, rows or JSON."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT

pytestmark = pytest.mark.browser


def test_an_exporter_enters_the_bill_of_materials_as_rows(page):
    page.goto("/console/origin")
    expect(page.get_by_role("heading", name="Origin calculator")).to_be_visible()
    form = page.locator("#origin-form")
    form.locator("[name=exporting_country]").fill("CN")
    form.locator("[name=date]").fill("2026-11-20")
    form.locator("[name=hs]").fill("847130")
    form.locator("[name=description]").fill("Notebook computer")
    form.locator("[name=fob_amount]").fill("1000.00")
    form.locator("[name=fob_currency]").fill("USD")
    form.locator("[name=processes]").fill("assembly")
    for i, (name, hs, origin, amount) in enumerate(
        [("Mainboard", "847330", "KR", "300.00"), ("Housing", "392690", "VN", "120.00")]
    ):
        form.locator(f"[name=m{i}_description]").fill(name)
        form.locator(f"[name=m{i}_hs]").fill(hs)
        form.locator(f"[name=m{i}_origin]").fill(origin)
        form.locator(f"[name=m{i}_amount]").fill(amount)
        form.locator(f"[name=m{i}_currency]").fill("USD")
    form.locator("[name=m1_originating]").check()
    form.get_by_role("button", name="Determine origin").click()
    expect(page.locator("#origin-box8")).to_have_text("RVC 70%")
    expect(page.locator("#origin-result")).to_contain_text("Box 9: FOB 1,000.00 USD")
    expect(page.locator("#origin-explanation")).to_contain_text(
        "100 * (FOB 1000.00 - VNM 300.00) / FOB 1000.00 = 70.00 %"
    )


def test_a_pasted_bill_that_fails_shows_the_failing_material(page):
    body = (ROOT / "examples" / "origin-notebook.json").read_text()
    failing = body.replace(
        '"392690", "origin": "VN", "originating": true', '"847160", "origin": "TW"'
    )
    failing = failing.replace('"amount": "300.00"', '"amount": "650.00"')
    page.goto("/console/origin")
    page.locator("[name=bill]").fill(failing)
    page.get_by_role("button", name="Determine origin").click()
    expect(page.locator("#origin-verdict")).to_have_text("Not originating under ACFTA")
    expect(page.locator("#failing-materials")).to_contain_text("Housing")
    expect(page.locator("#failing-materials")).to_contain_text("CTH")
