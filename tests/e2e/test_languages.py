"""The console in each of its four languages, in real headless Chromium.

A trader whose declaration was released reads the main pages in the language
their browser asks for (and in the one they choose with the switch); each page
is saved as a screenshot: under ``$SILKGATE_SCREENSHOTS`` when set, else in
pytest's temporary folder (the path is printed).
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import load_example
from tests.e2e.conftest import SILKGATE, node_env, run_cli

pytestmark = pytest.mark.browser

# Per language: the browser's locale, <html lang>, and words each page must show.
LANGUAGES = {
    "en": ("en-GB", "en", {
        "login": "Paste the API token", "list": "Declarations", "detail": "Duties and taxes",
        "note": "RELEASED", "tariff": "Measures in force on",
    }),
    "zh_Hans": ("zh-CN", "zh-Hans", {
        "login": "请粘贴您所在海关签发给您的 API 令牌", "list": "报关单", "detail": "税费",
        "note": "已放行", "tariff": "有效的措施",
    }),
    "ru": ("ru-RU", "ru", {
        "login": "Вставьте API-токен", "list": "Декларации", "detail": "Пошлины и налоги",
        "note": "ВЫПУЩЕНО", "tariff": "Меры, действующие на",
    }),
    "vi": ("vi-VN", "vi", {
        "login": "Dán mã thông báo API", "list": "Tờ khai", "detail": "Thuế và lệ phí",
        "note": "ĐÃ THÔNG QUAN", "tariff": "Biện pháp có hiệu lực",
    }),
}  # fmt: skip


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("SILKGATE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the console in each language: {path}")
    return path


@pytest.fixture(scope="module")
def released(live_node, tokens) -> str:
    """A declaration of acme-trading's, paid and released (by an officer, if not at once)."""

    def call(path: str, user: str, body: dict) -> httpx.Response:
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        return httpx.post(f"{live_node}/v1/declarations{path}", json=body, headers=headers)

    r = call("", "acme-trading", {**load_example(), "lrn": "LANG-" + uuid.uuid4().hex[:12].upper()})
    assert r.status_code == 201, r.text
    mrn = r.json()["mrn"]
    officer = {"Authorization": f"Bearer {tokens['officer.li']}"}
    account = httpx.get(f"{live_node}/v1/declarations/{mrn}/payments", headers=officer).json()
    if float(account["due"]) > 0:
        payment = {"kind": "payment", "amount": account["due"], "currency": "CNY",
                   "reference": "BANK-LANG-1"}  # fmt: skip
        assert call(f"/{mrn}/payments", "officer.li", payment).status_code == 201
    status = httpx.get(f"{live_node}/v1/declarations/{mrn}", headers=officer).json()["status"]
    if status == "lodged":
        assert call(f"/{mrn}/control", "officer.li", {}).status_code == 200
    if status != "released":
        r = call(f"/{mrn}/release", "officer.li", {"reason": "documents in order"})
        assert r.status_code == 200, r.text
    return str(mrn)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_main_pages_in_each_language(browser, live_node, tokens, released, shots, language):
    locale, tag, words = LANGUAGES[language]
    context = browser.new_context(base_url=live_node, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)

    def seen(name: str, text: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", tag)
        expect(page.locator("body")).to_contain_text(text)
        page.screenshot(path=str(shots / f"{language}-{name}.png"), full_page=True)

    try:
        page.goto("/console/login")
        seen("login", words["login"])
        page.fill("#token", tokens["acme-trading"])
        page.locator("form[action='/console/login'] button").click()
        expect(page).to_have_url("/console")
        seen("declarations", words["list"])
        expect(page.get_by_role("link", name=released)).to_be_visible()  # the MRN as it is

        page.goto(f"/console/declarations/{released}")
        seen("declaration", words["detail"])
        expect(page.locator("#items")).to_contain_text("08109040")  # HS codes as they are
        page.locator("#release-note-link").click()
        seen("release-note", words["note"])
        expect(page.locator("#release-stamp")).to_contain_text("Asia/Shanghai")  # office's zone

        page.goto("/console/tariff?q=coffee")
        seen("tariff", words["tariff"])
    finally:
        context.close()


def test_the_switch_changes_the_language_and_remembers_it(page, shots):
    page.goto("/console/tariff")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.select_option("footer select[name=lang]", "ru")
    page.locator("footer button").click()
    expect(page).to_have_url("/console/tariff")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text("Тариф")
    page.goto("/console/login")  # remembered on the next page
    expect(page.locator("h1")).to_have_text("Войти")
    page.screenshot(path=str(shots / "switch-ru-login.png"), full_page=True)


def test_the_cli_speaks_its_lang_option_and_the_node_answers_in_it(
    settings, live_node, tokens, released
):
    trader = {"token": tokens["acme-trading"], "node": live_node}
    shown = run_cli(settings, "--lang", "ru", "declarations", "show", released, **trader)
    assert shown.returncode == 0, shown.stderr
    assert "выпущена" in shown.stdout and "Хронология" in shown.stdout
    assert released in shown.stdout and "08109040" in shown.stdout  # codes as they are

    note = run_cli(settings, "--lang", "vi", "declarations", "release-note", released, **trader)
    assert note.returncode == 0, note.stderr
    assert "Giấy thông quan" in note.stdout and "ĐÃ THÔNG QUAN" in note.stdout

    # The node's refusal comes back in the command's language; its code does not change.
    env = {
        **node_env(settings),
        "SILKGATE_LANG": "zh-Hans",
        "SILKGATE_TOKEN": tokens["acme-trading"],
    }
    unknown = subprocess.run(
        [SILKGATE, "declarations", "show", "00ZZ00000000000000", "--node", live_node],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert unknown.returncode == 1 and "404 未找到" in unknown.stderr, unknown.stderr

    english = run_cli(settings, "declarations", "show", released, **trader)
    assert "Timeline" in english.stdout  # SILKGATE_LANG=en in the tests' environment
