"""Certificates of origin in the console, in real headless Chromium: an exporter applies, the
origin officer approves, the printed certificate carries a QR code, the public page checks it."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e.test_console import log_in

pytestmark = pytest.mark.browser


def _application() -> str:
    app = json.loads((ROOT / "examples" / "origin-application.json").read_text())
    app["lines"][0]["invoice"]["number"] = f"INV-E2E-{uuid.uuid4().hex[:6]}"
    return json.dumps(app, indent=2)


def test_apply_approve_print_and_check_a_certificate(page, tokens, live_node):
    log_in(page, tokens["acme-trading"])
    page.get_by_role("link", name="Certificates").click()
    expect(page.get_by_role("heading", name="Certificates of origin (Form E)")).to_be_visible()
    page.locator("#application-form [name=application]").fill(_application())
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("every line originates")
    expect(page.locator("#line-1-verdict")).to_contain_text("RVC 70%")
    expect(page.locator("#line-1 .explanation")).to_contain_text("70.00 %")
    expect(page.locator("#approve-form")).to_have_count(0)  # the exporter does not decide
    application = page.url.removeprefix(live_node)

    # The origin officer starts at the queue, reads the determination and approves.
    log_in(page, tokens["origin.zhou"])
    expect(page).to_have_url("/console/origin/applications")
    # The queue shows each line's determination, its explanation one click away.
    queued = page.locator(f"#application-{application.rsplit('/', 1)[1]} + tr.determinations")
    expect(queued.locator("summary")).to_contain_text("box 8 RVC 70%")
    queued.locator("summary").first.click()
    expect(queued.locator(".explanation")).to_contain_text("Result: the product originates")
    page.locator(
        f'#applications a[href="{application.split(page.url.split("/console")[0])[-1]}"]'
    ).click()
    expect(page.locator("#line-1-verdict")).to_contain_text("originating")
    page.locator("#approve-form [name=place]").fill("Shanghai")
    page.get_by_role("button", name="Approve and issue").click()
    expect(page.get_by_role("status")).to_contain_text("issued")
    expect(page.locator("#certificate-status")).to_have_text("issued")
    number = page.locator("#certificate-number").inner_text()

    # The printable certificate carries a QR code that points at the public page.
    page.locator("#print-link").click()
    expect(page.locator("#number")).to_have_text(number)
    expect(page.locator("#qr svg")).to_be_visible()
    expect(page.locator("#qr figcaption")).to_contain_text(f"/console/origin/certificates/{number}")
    printed_hash = page.locator("#print-hash").inner_text()

    # Anyone checks it there, without a login: the status and the same hash, nothing else.
    public = page.context.browser.new_context(base_url=live_node).new_page()
    public.goto(f"/console/origin/certificates/{number}")
    expect(public.locator("#verdict")).to_contain_text("in force")
    expect(public.locator("#hash")).to_have_text(printed_hash)
    expect(public.locator("#signature")).to_contain_text("verified")
    expect(public.locator("main")).not_to_contain_text("Notebook")
    expect(public.locator("main")).not_to_contain_text("Acme")
    public.context.close()
