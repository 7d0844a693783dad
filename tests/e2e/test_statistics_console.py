"""The public statistics page in headless Chromium: charts drawn, a one-trader cell withheld,
nothing the page's policy refuses."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.test_console import lodge

pytestmark = pytest.mark.browser


def _release(live_node, tokens, declaration) -> None:
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    officer = {"Authorization": f"Bearer {tokens['officer.li']}"}
    account = httpx.get(
        f"{live_node}/v1/declarations/{mrn}/payments", headers=officer, timeout=10
    ).json()
    r = httpx.post(
        f"{live_node}/v1/declarations/{mrn}/payments",
        json={"kind": "payment", "amount": account["due"], "currency": "CNY", "reference": mrn},
        headers=officer,
        timeout=10,
    )
    assert r.status_code == 201, r.text


def test_the_public_statistics_page_draws_its_charts(page, live_node, tokens, declaration):
    _release(live_node, tokens, declaration)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Refused" in m.text else None)
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    page.goto(f"/console/statistics?month={month}")  # no login: the page is public
    expect(page.get_by_role("heading", name="Trade statistics")).to_be_visible()
    assert page.locator("#trend rect").count() >= 2
    assert page.locator("#release-times rect").count() >= 2
    # The test node's imports are one trader's: each cell is withheld and marked.
    chapter = page.locator("#chapter-table tbody tr").first
    expect(chapter.locator("td").last).to_have_text("C")
    expect(page.locator("#release")).to_contain_text("Provisional")
    csv = page.get_by_role("link", name="CSV").get_attribute("href")
    assert httpx.get(f"{live_node}{csv}", timeout=10).text.startswith("chapter,partner,")
    assert refused == [], refused  # no inline style or script for the policy to refuse
