"""The trader's portal in headless Chromium: lodge through the form, upload, ask and answer,
release seen live, the release note printed; every trader page checked with axe-core
(WCAG 2.1 AA) at 390 px wide. Screenshots go to $SILKGATE_SCREENSHOTS (or the test's
temporary directory)."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from silkgate import i18n
from silkgate.web.formats import term

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def patient() -> Iterator[None]:
    """A shared machine: the node may answer slowly; waits of 15 s, then Playwright's own."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def shots(tmp_path) -> Path:
    where = Path(os.environ.get("SILKGATE_SCREENSHOTS") or tmp_path) / "portal"
    where.mkdir(parents=True, exist_ok=True)
    return where


def accessible(page: Page, name: str, shots: Path) -> None:
    """The page passes axe-core's WCAG 2.1 A and AA rules, fits its width; a screenshot."""
    page.wait_for_load_state("networkidle")
    # Evaluated through the driver: the page's policy refuses inline scripts, rightly.
    page.evaluate(AXE + "\n;void 0")
    found = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
             .map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"""
    )
    assert not found, f"{name}: " + "\n".join(found)
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= page.viewport_size["width"], f"{name} is {wide} px wide"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def log_in(page: Page, token: str) -> None:
    page.goto("/console/login")
    page.fill("#token", token)
    page.click("button[type=submit]")


def fill(page: Page, values: dict[str, str]) -> None:
    for pointer, value in values.items():
        target = page.locator(f'[name="{pointer}"]')
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)


def header(lrn: str, today: dt.date) -> dict[str, str]:
    return {
        "/lrn": lrn,
        "/office": "CNSGH",
        "/procedure": "4000",
        "/declarant/name": "Shanghai Acme Trading Co. (demo)",
        "/importer/name": "Shanghai Acme Trading Co. (demo)",
        "/importer/id": "91310115MA1K4DEMO1",
        "/importer/address/city": "Shanghai",
        "/importer/address/country": "CN",
        "/exporter/name": "Mekong Fresh Fruit Export JSC (demo)",
        "/exporter/address/city": "Ho Chi Minh City",
        "/exporter/address/country": "VN",
        "/transport/mode": "1",
        "/transport/means_id": "IMO9321483",
        "/transport/document/type": "BL",
        "/transport/document/number": "DEMOBL" + lrn[-8:],
        "/transport/containers": "MSCU1234566",
        "/transport/loading_place": "VNSGN",
        "/transport/discharge_place": "CNSGH",
        "/transport/dispatch_country": "VN",
        "/transport/destination_country": "CN",
        "/transport/arrival_date": today.isoformat(),
        "/invoice/number": "MF-" + lrn[-8:],
        "/invoice/date": (today - dt.timedelta(days=10)).isoformat(),
        "/invoice/currency": "USD",
        "/invoice/amount": "49250.00",
        "/invoice/incoterm": "FOB",
        "/invoice/incoterm_place": "Ho Chi Minh City",
        "/invoice/freight": "1800.00",
        "/invoice/insurance": "120.00",
        "/totals/gross_mass_kg": "24000",
    }


def item(i: int, **values: str) -> dict[str, str]:
    return {f"/items/{i}/{k.replace('__', '/')}": v for k, v in values.items()}


LOCALES = {"en": "en-GB", "zh_Hans": "zh-CN", "ru": "ru-RU", "vi": "vi-VN"}


def said(locale: str, message: str, **kw: str) -> str:
    """``message`` as the portal says it in ``locale`` (its own catalogue)."""
    with i18n.use(locale):
        return i18n.gettext(message).format(**kw)


def lodge_through_the_form(page: Page, shots: Path, today: dt.date, locale: str) -> str:
    page.locator("header a[href='/console/lodge']").click()
    heading = page.locator("h1")
    expect(heading).to_be_visible()
    if locale != "en" and heading.inner_text() == "Lodge a declaration":
        pytest.skip(f"the console does not speak {locale} yet (no language from Accept-Language)")
    expect(heading).to_have_text(said(locale, "Lodge a declaration"))
    accessible(page, "01-form-empty", shots)
    fill(page, header("P-" + uuid.uuid4().hex[:10].upper(), today))
    # The HS code is looked up from the tariff as the trader types (htmx, no reload).
    looked_up = page.locator("#f-items-0-hs_code-options option[value='08109040']")
    hs = page.locator('[name="/items/0/hs_code"]')
    with page.expect_response(lambda r: "/console/lodge/codes?list=hs" in r.url):
        hs.press_sequentially("0810", delay=30)
    expect(looked_up).to_have_count(1, timeout=15_000)
    fill(page, item(0, description="Fresh dragon fruit, in cartons", hs_code="08109040",
                    origin="VN", net_mass_kg="18000", value="40500.00", packages__count="1500",
                    packages__kind="CT", preference__agreement="ACFTA"))  # fmt: skip
    page.locator('[name="/items/0/preference/proof/type"]').select_option("FORM_E")
    proof_date = (today - dt.timedelta(days=11)).isoformat()
    fill(page, item(0, preference__proof__reference="E2026VN0045871",
                    preference__proof__date=proof_date))  # fmt: skip
    page.click("#add-item")
    fill(page, item(1, description="Dried mango slices, 500 g bags", hs_code="08134090",
                    origin="VN", net_mass_kg="2700", value="7750.00", packages__count="300",
                    packages__kind="CT"))  # fmt: skip
    page.locator("button[value='copy-1']").click()
    # The mistake: a code of seven digits.
    fill(page, item(2, description="Dried mango, 1 kg bags", hs_code="0813409", value="1000.00",
                    packages__count="40"))  # fmt: skip
    page.click("#send")
    error = page.locator("#f-items-2-hs_code-error")
    expect(error).to_be_visible()
    expect(page.locator("#f-items-2-hs_code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors a[href='#f-items-2-hs_code']")).to_be_visible()
    accessible(page, "02-form-mistake", shots)
    fill(page, item(2, hs_code="08134090"))
    page.click("#check-top")
    expect(page.locator("#duties-total")).to_be_visible()
    accessible(page, "03-form-duties", shots)
    page.click("#send")
    expect(page).to_have_url(re.compile(r"/console/declarations/[A-Z0-9]+$"))
    return page.url.rsplit("/", 1)[1]


@pytest.mark.parametrize("locale", list(LOCALES))
def test_a_trader_lodges_uploads_answers_and_sees_the_release(
    browser, live_node, tokens, shots, locale
):
    today = dt.date.today()
    shots = shots / locale
    shots.mkdir(exist_ok=True)
    trader_context = browser.new_context(base_url=live_node, viewport=PHONE, locale=LOCALES[locale])
    officer_context = browser.new_context(base_url=live_node)
    trader, officer = trader_context.new_page(), officer_context.new_page()
    for p in (trader, officer):
        p.set_default_timeout(15_000)
    try:
        log_in(trader, tokens["acme-trading"])
        accessible(trader, "00-declarations", shots)
        mrn = lodge_through_the_form(trader, shots, today, locale)
        expect(trader.locator("#items")).to_contain_text("08134090")
        expect(trader.locator("#due")).to_be_visible()
        # The invoice, uploaded to the declaration.
        trader.locator("#upload-kind").select_option("invoice")
        trader.locator("#upload-file").set_input_files(
            {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        trader.locator("#upload-form button").click()
        uploaded = said(locale, "Uploaded: {name} ({kind}).", name="invoice.pdf", kind="invoice")
        expect(trader.get_by_role("status")).to_contain_text(uploaded)
        expect(trader.locator("#documents")).to_contain_text("invoice.pdf")
        accessible(trader, "04-declaration-lodged", shots)

        # The officer asks a question; the trader's page shows it without being reloaded.
        log_in(officer, tokens["officer.li"])
        officer.goto(f"/console/declarations/{mrn}")
        expect(officer.locator("#documents")).to_contain_text("invoice.pdf")
        officer.fill("#question-text", "Is the 1 kg mango retail packed? Send a photo.")
        officer.locator("#ask-form button").click()
        expect(officer.locator("#status")).to_have_text("awaiting information")
        officer.screenshot(path=str(shots / "05-officer-asked.png"), full_page=True)

        expect(trader.locator("#answer-form")).to_be_visible(timeout=20_000)
        accessible(trader, "06-declaration-question", shots)
        trader.fill("#answer-text", "Yes: retail bags of 1 kg, 10 to a carton.")
        trader.locator("#answer-form button").click()
        answered = said(locale, "Answer sent: customs will resume the declaration.")
        expect(trader.get_by_role("status")).to_contain_text(answered)
        trader.locator("header a[href='/console/questions']").click()
        expect(trader.locator("#questions")).to_contain_text(mrn)
        accessible(trader, "07-questions", shots)
        trader.goto(f"/console/declarations/{mrn}")

        # The officer resumes, records the payment and releases.
        officer.reload()
        expect(officer.locator("#questions")).to_contain_text("retail bags of 1 kg")
        officer.locator("form[action$='/resume'] button").click()
        expect(officer.locator("#status")).to_have_text("under control")
        officer.locator("#payment-form input[name=reference]").fill("ICBC-" + mrn[-8:])
        officer.locator("#payment-form button").click()
        release = officer.locator("form[action$='/release']")
        release.locator("input[name=reason]").fill("answer and documents in order")
        release.locator("button").click()
        expect(officer.locator("#status")).to_have_text("released")

        # The trader's page updates itself, and the trader prints the release note.
        # The status in the trader's language (the code stays in the API and the CSS).
        with i18n.use(locale):
            released = term("released")
        expect(trader.locator("#status")).to_have_text(released, timeout=20_000)
        accessible(trader, "08-declaration-released", shots)
        trader.locator("#release-note-link").click()
        expect(trader.locator("#release-stamp")).to_contain_text("officer.li")
        expect(trader.locator("body")).to_contain_text(mrn)
        trader.screenshot(path=str(shots / "09-release-note.png"), full_page=True)
    finally:
        trader_context.close()
        officer_context.close()


def test_the_drafts_and_webhook_pages_are_accessible_on_a_phone(browser, live_node, tokens, shots):
    context = browser.new_context(base_url=live_node, viewport=PHONE)
    page = context.new_page()
    try:
        log_in(page, tokens["acme-trading"])
        page.goto("/console/lodge")
        page.fill('[name="/lrn"]', "D-" + uuid.uuid4().hex[:10].upper())
        page.fill('[name="/items/0/description"]', "Rattan chairs")
        page.click("#save-draft")
        expect(page.locator("#draft-note")).to_be_visible()
        page.goto("/console/drafts")
        expect(page.locator("#drafts")).to_contain_text("Rattan chairs")
        accessible(page, "10-drafts", shots)
        page.goto("/console/webhook")
        page.fill("#webhook-url", "https://erp.example.com/hooks/silkgate")
        page.locator("#webhook-form button").click()
        expect(page.locator("#webhook-secret")).to_be_visible()
        accessible(page, "11-webhook", shots)
    finally:
        context.close()
