"""The declarant's amendment and the outcome of a control, in the console (headless Chromium)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_console import lodge, log_in

pytestmark = pytest.mark.browser
# Where the screenshots go (a temporary folder unless SILKGATE_SHOTS names one).
SHOTS = os.environ.get("SILKGATE_SHOTS")


def shot(page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(SHOTS or tmp_path) / f"{name}.png"), full_page=True)


def test_the_declarant_amends_in_the_console(page, live_node, tokens, declaration, tmp_path):
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    log_in(page, tokens["acme-trading"])
    page.goto(f"/console/declarations/{mrn}")
    page.get_by_role("link", name="Amend").click()
    expect(page).to_have_url(f"/console/declarations/{mrn}/amend")
    document = page.locator("textarea[name=document]")
    sent = json.loads(document.input_value())
    assert sent["lrn"] == declaration["lrn"] and sent["items"][0]["seq"] == 1

    # Not JSON: said, with the field, and nothing changes.
    document.fill('{"lrn": ')
    page.get_by_role("button", name="Send the amendment").click()
    expect(page.locator("#amend-errors")).to_contain_text("/document")
    expect(page.locator("#amend-errors")).to_contain_text("not JSON")
    # A file that does not add up: every error with its pointer; the text stays.
    wrong = copy.deepcopy(sent)
    wrong["invoice"]["amount"] = "1.00"
    upload = tmp_path / "amended.json"
    upload.write_text(json.dumps(wrong))
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Send the amendment").click()
    expect(page.locator("#amend-errors")).to_contain_text("/invoice/amount")
    shot(page, tmp_path, "amend-refused")

    amended = copy.deepcopy(sent)
    amended["items"][0]["description"] = "Fresh dragon fruit, red flesh, in cartons"
    page.locator("textarea[name=document]").fill(json.dumps(amended, indent=2))
    page.locator("input[name=reason]").fill("description completed by the seller")
    page.get_by_role("button", name="Send the amendment").click()
    expect(page).to_have_url(f"/console/declarations/{mrn}")
    expect(page.get_by_role("status")).to_contain_text("Amended: version 2")
    expect(page.locator("#items")).to_contain_text("red flesh")
    expect(page.locator("main")).to_contain_text("description completed by the seller")
    shot(page, tmp_path, "amended")

    # Another declarant's declaration, or one that is no longer open, has no amendment page.
    page.context.clear_cookies()
    log_in(page, tokens["officer.li"])
    response = page.goto(f"/console/declarations/{mrn}/amend")
    assert response is not None and response.status == 403
    expect(page.get_by_role("status")).to_contain_text("Only the declarant amends")


def test_a_control_has_one_outcome_in_the_console_and_a_correction_says_why(
    page, browser, live_node, tokens, declaration, tmp_path
):
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    log_in(page, tokens["officer.li"])
    page.goto(f"/console/declarations/{mrn}")
    expect(page.locator("#outcome")).to_contain_text("No outcome of the control recorded yet")
    # A colleague has the same page open, with the form for the first outcome.
    other = browser.new_context(base_url=live_node).new_page()
    log_in(other, tokens["officer.wang"])
    other.goto(f"/console/declarations/{mrn}")

    form = page.locator("#outcome-form")
    form.locator("input[name=fraud]").check()
    form.locator("input[name=revenue_recovered]").fill("5000.00")
    form.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: outcome")
    expect(page.locator("#outcome")).to_contain_text("fraud found, 5,000.00 CNY recovered")

    # The colleague's contradictory outcome is refused, and says why.
    other.locator("#outcome-form").get_by_role("button", name="Record outcome").click()
    expect(other.get_by_role("status")).to_contain_text("already has its outcome")
    expect(other.locator("#outcome")).to_contain_text("fraud found")
    other.context.close()

    # A correction needs a reason (the browser asks; the node refuses without one too).
    r = page.request.post(
        f"{live_node}/console/declarations/{mrn}/outcome/correction",
        form={"fraud": ""},
        headers={"Origin": live_node},
        max_redirects=0,
    )
    flash = [c["value"] for c in page.context.cookies() if c["name"] == "sg_flash"]
    assert r.status == 303 and flash and "reason" in flash[0]
    form = page.locator("#outcome-form")
    expect(form.get_by_role("button", name="Correct the outcome")).to_be_visible()
    form.locator("input[name=fraud]").check()
    form.locator("input[name=revenue_recovered]").fill("3200.00")
    form.locator("input[name=reason]").fill("valuation checked again with the price list")
    form.get_by_role("button", name="Correct the outcome").click()
    expect(page.get_by_role("status")).to_contain_text("Corrected: outcome")
    expect(page.locator("#outcome")).to_contain_text("3,200.00 CNY recovered")
    expect(page.locator("#outcome")).to_contain_text("corrected: valuation checked again")
    expect(page.locator("#timeline")).to_contain_text("outcome_corrected")
    expect(page.locator("#timeline")).to_contain_text("was: fraud found, 5000.00 recovered")
    shot(page, tmp_path, "outcome-corrected")
