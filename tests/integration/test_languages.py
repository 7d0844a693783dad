"""Each request in its user's language: console pages, flash messages and API problems."""

# ruff: noqa: RUF001 (the expected words are Russian and Chinese)

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from silkgate.app import create_app
from silkgate.config import Settings
from silkgate.node import Node
from tests.integration.conftest import auth

HERE = {"Origin": "http://testserver"}


@pytest.fixture
def browser(settings: Settings, node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(settings, node), follow_redirects=False) as c:
        yield c


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found, html[:200]
    return found.group(1)


@pytest.mark.parametrize(
    ("header", "tag", "words"),
    [
        ("zh-CN,zh;q=0.9", "zh-Hans", "请粘贴您所在海关签发给您的 API 令牌。"),
        ("ru-RU,ru;q=0.9,en;q=0.5", "ru", "Вставьте API-токен"),
        ("vi", "vi", "Dán mã thông báo API"),
        ("de-DE", "en", "Paste the API token"),
    ],
)
def test_a_page_speaks_the_browser_s_language_and_says_so(browser, header, tag, words):
    r = browser.get("/console/login", headers={"Accept-Language": header})
    assert r.status_code == 200
    assert r.headers["content-language"] == tag and _lang(r.text) == tag
    assert words in r.text
    assert "Accept-Language" in r.headers["vary"] and "Cookie" in r.headers["vary"]


def test_the_switch_is_remembered_and_wins_over_the_header(browser):
    r = browser.post(
        "/console/language",
        data={"lang": "vi", "next": "/console/tariff?q=coffee"},
        headers=HERE,
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/tariff?q=coffee"
    assert "sg_lang=vi" in r.headers["set-cookie"] and "Max-Age=31536000" in r.headers["set-cookie"]
    page = browser.get("/console/tariff?q=coffee", headers={"Accept-Language": "ru"})
    assert _lang(page.text) == "vi" and "Tra cứu" in page.text
    # The switch shows the language in use, each by its own name.
    assert '<option value="vi" lang="vi" selected>Tiếng Việt</option>' in page.text
    assert "Русский" in page.text and "简体中文" in page.text


def test_the_switch_refuses_another_origin_and_sends_only_to_console_pages(browser):
    refused = browser.post(
        "/console/language", data={"lang": "ru"}, headers={"Origin": "https://x.example"}
    )
    assert refused.status_code == 403 and "sg_lang" not in refused.headers.get("set-cookie", "")
    for elsewhere in ("https://evil.example/", "//evil.example", "/v1/declarations"):
        r = browser.post("/console/language", data={"lang": "ru", "next": elsewhere}, headers=HERE)
        assert r.headers["location"] == "/console"
    unknown = browser.post("/console/language", data={"lang": "xx"}, headers=HERE)
    assert unknown.status_code == 303 and "sg_lang" not in unknown.headers.get("set-cookie", "")


def test_a_flash_message_in_another_language_survives_its_cookie(browser):
    r = browser.post(
        "/console/login", data={"token": "sg_unknown"}, headers={**HERE, "Accept-Language": "zh"}
    )
    assert r.status_code == 401 and "该令牌未知或已被吊销。" in r.text


def test_api_problems_speak_the_language_with_types_pointers_and_codes_unchanged(
    browser, tokens, declaration
):
    officer = auth(tokens["officer.li"])
    english = browser.get("/v1/declarations/00ZZ00000000000000", headers=officer).json()
    russian = browser.get(
        "/v1/declarations/00ZZ00000000000000", headers={**officer, "Accept-Language": "ru"}
    ).json()
    assert english["title"] == "Not found" and russian["title"] == "Не найдено"
    assert russian["type"] == english["type"] and russian["status"] == 404
    assert russian["detail"] == english["detail"].replace("no declaration", "нет декларации")

    wrong = {**declaration, "lrn": "", "office": "CNSGH"}
    trader = auth(tokens["acme-trading"])
    en = browser.post("/v1/declarations", json=wrong, headers=trader)
    zh = browser.post(
        "/v1/declarations", json=wrong, headers={**trader, "Accept-Language": "zh-CN"}
    )
    assert en.status_code == zh.status_code == 422
    en_body, zh_body = en.json(), zh.json()
    assert zh_body["type"] == en_body["type"]
    assert [(e["pointer"], e["code"]) for e in zh_body["errors"]] == [
        (e["pointer"], e["code"]) for e in en_body["errors"]
    ]
    assert zh_body["title"] != en_body["title"] and "未保存任何内容" in zh_body["detail"]
    lrn = next(e for e in zh_body["errors"] if e["pointer"] == "/lrn")
    assert not re.search(r"[a-z]{3,}", lrn["detail"]), lrn
