"""The web console in real headless Chromium, against a real node process."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def lodge(live_node, token, doc) -> str:
    r = httpx.post(
        f"{live_node}/v1/declarations",
        json=doc,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    return r.json()["mrn"]


def log_in(page, token):
    page.goto("/console/login")
    page.fill("#token", token)
    page.click("button[type=submit]")


def test_a_wrong_token_is_refused(page):
    log_in(page, "sg_not-a-token")
    expect(page.get_by_role("status")).to_contain_text("unknown or revoked")
    expect(page).to_have_url("/console/login")


def test_pages_need_a_login(page):
    page.goto("/console")
    expect(page).to_have_url("/console/login")


def test_officer_reviews_and_releases(page, live_node, tokens, declaration, tmp_path):
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    log_in(page, tokens["officer.li"])
    expect(page.get_by_role("heading", name="Declarations")).to_be_visible()
    expect(page.get_by_role("link", name=mrn)).to_be_visible()

    # Filtering swaps the rows in place (htmx) and keeps the filter in the address.
    page.select_option("select[name=status]", "released")
    expect(page.get_by_role("link", name=mrn)).to_have_count(0)
    page.select_option("select[name=status]", "lodged")
    expect(page.get_by_role("link", name=mrn)).to_be_visible()

    page.get_by_role("link", name=mrn).click()
    expect(page.locator("h1")).to_contain_text(mrn)
    expect(page.locator("#status")).to_have_text("lodged")
    expect(page.locator("#items")).to_contain_text("08109040")
    expect(page.locator("#items")).to_contain_text("ACFTA")
    expect(page.locator("#timeline")).to_contain_text("lodged")
    expect(page.locator("main")).to_contain_text("2 items, 1800 packages")
    expect(page.locator("main")).to_contain_text("sea IMO9321483")

    # Duties and taxes: per item, with the ACFTA preference granted subject to verification.
    expect(page.locator("#assessment")).to_contain_text("08134090")
    expect(page.locator("#assessment")).to_contain_text("ACFTA: granted subject to origin")
    total = page.locator("#assessed-total").inner_text()
    expect(page.locator("#due")).to_contain_text(total)

    # Selectivity: green (no model, no profile in the test database), with its reasons.
    expect(page.locator("#channel")).to_have_text("green")

    # The officer takes it under control; release is refused while duties are unpaid.
    control = page.locator("form[action$='/control']")
    control.get_by_role("button", name="Control").click()
    expect(page.locator("#status")).to_have_text("under control")
    release = page.locator("form[action$='/release']")
    release.locator("input[name=reason]").fill("documents in order")
    release.get_by_role("button", name="Release").click()
    expect(page.get_by_role("status")).to_contain_text("neither paid nor guaranteed")
    expect(page.locator("#status")).to_have_text("under control")

    payment = page.locator("#payment-form")
    payment.locator("input[name=reference]").fill("ICBC-2026-000123")
    payment.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: payment")
    expect(page.locator("#due")).to_contain_text("0.00 CNY")
    expect(page.locator("#timeline")).to_contain_text("ICBC-2026-000123")

    release = page.locator("form[action$='/release']")
    release.locator("input[name=reason]").fill("documents in order")
    release.get_by_role("button", name="Release").click()
    expect(page.get_by_role("status")).to_contain_text("Done: release")
    expect(page.locator("#status")).to_have_text("released")
    expect(page.locator("#timeline")).to_contain_text("documents in order")
    expect(page.locator("#timeline")).to_contain_text("officer.li")
    expect(page.locator("form[action$='/release']")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "released.png"), full_page=True)
    # The trader prints the release note.
    page.context.clear_cookies()
    log_in(page, tokens["acme-trading"])
    page.goto(f"/console/declarations/{mrn}")
    page.get_by_role("link", name="Release note (printable)").click()
    expect(page.locator("#release-stamp")).to_contain_text("RELEASED")
    expect(page.locator("#release-stamp")).to_contain_text("officer.li")
    expect(page.locator("body")).to_contain_text("08109040")


def test_a_hold_needs_a_reason_and_shows_an_illegal_action(page, live_node, tokens, declaration):
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    log_in(page, tokens["officer.wang"])
    page.goto(f"/console/declarations/{mrn}")
    hold = page.locator("form[action$='/hold']")
    hold.locator("input[name=reason]").fill("check the Form E with the exporting side")
    hold.get_by_role("button", name="Hold").click()
    expect(page.locator("#status")).to_have_text("held")
    # Release is not offered while the goods are held.
    expect(page.locator("form[action$='/release']")).to_have_count(0)
    expect(page.locator("form[action$='/resume']")).to_have_count(1)


def test_a_declarant_sees_only_its_own(page, live_node, tokens, declaration):
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    log_in(page, tokens["lotus-broker"])
    expect(page.get_by_role("heading", name="Declarations")).to_be_visible()
    expect(page.get_by_role("link", name=mrn)).to_have_count(0)
    response = page.goto(f"/console/declarations/{mrn}")
    # Answered as an unknown MRN: a refusal would tell the broker that it exists.
    assert response is not None and response.status == 404
    expect(page.get_by_role("status")).to_have_text(f"No declaration {mrn}.")
    expect(page.locator("body")).not_to_contain_text("Mekong")


def test_declarant_cancels_its_own_and_logs_out(page, live_node, tokens, declaration):
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    log_in(page, tokens["acme-trading"])
    page.goto(f"/console/declarations/{mrn}")
    expect(page.locator("form[action$='/release']")).to_have_count(0)
    cancel = page.locator("form[action$='/cancel']")
    cancel.locator("input[name=reason]").fill("shipment cancelled by the buyer")
    cancel.get_by_role("button", name="Cancel").click()
    expect(page.locator("#status")).to_have_text("cancelled")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/console/login")
    page.goto("/console")
    expect(page).to_have_url("/console/login")


def test_the_public_tariff_page(page, live_node):
    # No login: the tariff is published for everyone.
    page.goto("/console/tariff")
    expect(page.locator("main")).to_contain_text("Illustrative schedule")
    page.locator("input[name=q]").fill("coffee")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("#tariff-lines")).to_contain_text("09012100")
    expect(page.locator("#tariff-lines")).to_contain_text("Coffee; roasted")
    page.get_by_role("link", name="09012100").click()
    expect(page.locator("ol.path")).to_contain_text("Coffee, tea, mate and spices")
    expect(page.locator("#tariff-lines")).to_contain_text("ACFTA")
    expect(page.locator("#tariff-lines")).to_contain_text("15%")
    # Point in time: the passenger-car duty changed on 2026-07-01.
    page.goto("/console/tariff?code=87032300&date=2026-06-30")
    expect(page.locator("#tariff-lines")).to_contain_text("25%")
    page.goto("/console/tariff?code=87032300&date=2026-07-01")
    expect(page.locator("#tariff-lines")).to_contain_text("15%")


def test_an_analyst_writes_a_profile_and_an_officer_records_the_outcome(
    page, live_node, tokens, declaration
):
    import uuid

    exporter = f"Exporter {uuid.uuid4().hex[:8]} (test)"
    log_in(page, tokens["analyst.zhao"])
    page.get_by_role("link", name="Risk").click()
    expect(page.get_by_role("heading", name="Risk management")).to_be_visible()
    form = page.locator("#profile-form")
    form.locator("input[name=name]").fill(f"red-{exporter}")
    form.locator("input[name=condition]").fill('item.origin == "VN" &&')
    form.locator("select[name=effect]").select_option("red")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#profile-errors")).to_contain_text("at position 22")
    form = page.locator("#profile-form")
    form.locator("input[name=condition]").fill(
        f'item.hs4 == "0810" && item.origin == "VN" && declaration.exporter == "{exporter}"'
    )
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("version 1")
    expect(page.locator("#profiles")).to_contain_text(f"red-{exporter}")

    declaration["exporter"]["name"] = exporter
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    page.goto(f"/console/declarations/{mrn}")
    expect(page.locator("#channel")).to_have_text("red")
    expect(page.locator("#risk-reasons")).to_contain_text(f"red forced by red-{exporter}")
    # An analyst reads; only an officer records the outcome.
    expect(page.locator("#outcome-form")).to_have_count(0)

    page.goto("/console/risk")
    page.locator("#profiles tr", has_text=f"red-{exporter}").get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text("Retired")

    page.context.clear_cookies()
    log_in(page, tokens["officer.li"])
    page.goto(f"/console/declarations/{mrn}")
    outcome = page.locator("#outcome-form")
    outcome.locator("input[name=fraud]").check()
    outcome.locator("input[name=revenue_recovered]").fill("5000.00")
    outcome.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: outcome")
    expect(page.locator("#timeline")).to_contain_text("fraud found, 5000.00 recovered")
    page.goto("/console/risk")
    expect(page.locator("#hit-rates")).not_to_contain_text("No control outcome")


def test_officer_and_sps_inspector_work_one_joint_inspection(page, live_node, tokens, declaration):
    import uuid

    exporter = f"Exporter {uuid.uuid4().hex[:8]} (test)"
    r = httpx.post(
        f"{live_node}/v1/risk/profiles",
        json={
            "name": f"j-{exporter}",
            "condition": f'declaration.exporter == "{exporter}"',
            "effect": "yellow",
        },
        headers={"Authorization": f"Bearer {tokens['analyst.zhao']}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    declaration["exporter"]["name"] = exporter
    mrn = lodge(live_node, tokens["acme-trading"], declaration)

    log_in(page, tokens["inspector.chen"])
    # The quarantine service reads no customs risk intelligence.
    expect(page.get_by_role("link", name="Risk")).to_have_count(0)
    page.get_by_role("link", name="Inspections").click()
    page.locator("input[name=office]").fill("CNSGH")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name=mrn).click()
    expect(page.locator("#inspection-status")).to_contain_text("open")
    expect(page.locator("#risk-reasons")).to_have_count(0)
    # A yellow declaration: the documents, checked by customs; the inspector has no form,
    # and customs completes the inspection.
    expect(page.locator("#checks")).to_contain_text("Invoice, transport document")
    expect(page.locator(".check-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Complete the inspection")).to_have_count(0)

    page.context.clear_cookies()
    log_in(page, tokens["officer.li"])
    page.goto(f"/console/declarations/{mrn}")
    form = page.locator(".check-form").first
    form.locator("select[name=status]").select_option("non_compliant")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("finding")  # a finding must be said
    form = page.locator(".check-form").first
    form.locator("select[name=status]").select_option("non_compliant")
    form.locator("select[name=kind]").select_option("value")
    form.locator("input[name=note]").fill("invoice total differs from the bank transfer")
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: check 1")
    page.get_by_role("button", name="Complete the inspection").click()
    expect(page.locator("#inspection-status")).to_contain_text("completed")
    expect(page.locator("#inspection-status")).to_contain_text("findings")
    expect(page.locator("#timeline")).to_contain_text("invoice total differs")
    # The trader learns what was found, not the officer's note.
    page.context.clear_cookies()
    log_in(page, tokens["acme-trading"])
    page.goto(f"/console/declarations/{mrn}")
    expect(page.locator("#timeline")).to_contain_text("customs documents: non_compliant")
    expect(page.locator("#timeline")).not_to_contain_text("invoice total differs")
    httpx.delete(
        f"{live_node}/v1/risk/profiles/j-{exporter}",
        headers={"Authorization": f"Bearer {tokens['analyst.zhao']}"},
        timeout=10,
    )


def test_a_refused_form_is_a_message_on_its_page_and_the_api_stays_a_problem(
    live_node, tokens, declaration
):
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    form = {"amount": "10.00", "reference": "BANK-1"}
    here = {"Origin": live_node}
    with httpx.Client(base_url=live_node, timeout=10) as browser_like:
        r = browser_like.post(
            "/console/login", data={"token": tokens["acme-trading"]}, headers=here
        )
        assert r.status_code == 303 and "sg_session_cn" in browser_like.cookies
        # A declarant may not record payments: the refusal is shown on the declaration's page.
        r = browser_like.post(f"/console/declarations/{mrn}/payments", data=form, headers=here)
        assert r.status_code == 303
        assert r.headers["location"] == f"/console/declarations/{mrn}"
        assert r.cookies["sg_flash"].strip('"').startswith("error:")
        # A form posted from another site, or naming no origin at all, is refused outright.
        for headers in ({"Origin": "https://elsewhere.example"}, {}):
            r = browser_like.post(
                f"/console/declarations/{mrn}/payments", data=form, headers=headers
            )
            assert r.status_code == 403
            assert r.text == "cross-origin form refused"
        # A stale login leads to the login page.
        browser_like.cookies.set("sg_session_cn", "no-such-session", path="/console")
        r = browser_like.get(f"/console/declarations/{mrn}")
        assert (r.status_code, r.headers["location"]) == (303, "/console/login")
    # The same refusal through the API is a problem document.
    r = httpx.post(
        f"{live_node}/v1/declarations/{mrn}/payments",
        json={**form, "kind": "payment", "currency": "CNY"},
        headers={"Authorization": f"Bearer {tokens['acme-trading']}"},
        timeout=10,
    )
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"


def test_a_login_is_a_session_on_the_node_that_logging_out_ends(page, tokens):
    token = tokens["officer.li"]
    log_in(page, token)
    expect(page.get_by_role("heading", name="Declarations")).to_be_visible()
    [cookie] = [c for c in page.context.cookies() if c["name"] == "sg_session_cn"]
    assert cookie["value"] != token and token not in cookie["value"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/console"
    assert page.evaluate("document.cookie") == ""  # no script on the page can read it
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url("/console/login")
    # The session is over on the node: the old cookie, put back, opens nothing.
    page.context.add_cookies([{**cookie, "expires": -1}])
    page.goto("/console")
    expect(page).to_have_url("/console/login")


def test_the_console_works_under_its_content_security_policy(page, live_node, tokens, declaration):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text)
        if "Content Security Policy" in message.text or "Refused to" in message.text
        else None,
    )
    page.on("pageerror", lambda error: violations.append(str(error)))
    mrn = lodge(live_node, tokens["acme-trading"], declaration)
    log_in(page, tokens["officer.li"])
    # htmx: the list filters itself in place.
    page.select_option("select[name=status]", "lodged")
    expect(page.get_by_role("link", name=mrn)).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=lodged"))
    page.get_by_role("link", name=mrn).click()
    expect(page.locator("#status")).to_have_text("lodged")
    page.goto("/console/risk")
    expect(page.locator("#hit-rates")).to_be_visible()
    page.goto("/console/tariff?q=coffee")
    expect(page.locator("#tariff-lines")).to_contain_text("09012100")
    page.goto("/console/advance-data")
    page.select_option("#linked", "no")
    expect(page).to_have_url(re.compile(r"linked=no"))
    expect(page.locator("#advance-list")).to_be_visible()
    assert violations == []
