"""The trader's declaration form: the same validation and use cases as the API."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from silkgate.app import create_app
from silkgate.portal import form
from tests.integration.conftest import auth

HERE = {"Origin": "http://testserver"}


@pytest.fixture
def browser(settings, node) -> Iterator[TestClient]:
    with TestClient(create_app(settings, node), follow_redirects=False) as c:
        yield c


def log_in(browser: TestClient, token: str) -> None:
    r = browser.post("/console/login", data={"token": token}, headers=HERE)
    assert r.status_code == 303, r.text


def fields(declaration) -> dict[str, str]:
    doc = dict(declaration)
    doc["lrn"] = "F-" + uuid.uuid4().hex[:10].upper()
    return form.fields_of(doc)


def test_the_form_lodges_what_the_api_would(browser, tokens, declaration):
    log_in(browser, tokens["acme-trading"])
    assert browser.get("/console/lodge").status_code == 200
    data = {**fields(declaration), "op": "lodge"}
    r = browser.post("/console/lodge", data=data, headers=HERE)
    assert r.status_code == 303, r.text
    mrn = r.headers["location"].rsplit("/", 1)[1]
    d = browser.get(f"/v1/declarations/{mrn}", headers=auth(tokens["acme-trading"])).json()
    assert d["document"]["lrn"] == data["/lrn"]
    assert len(d["document"]["items"]) == 2


def test_an_error_is_shown_beside_its_field_and_nothing_is_lodged(browser, tokens, declaration):
    log_in(browser, tokens["acme-trading"])
    data = {**fields(declaration), "/items/1/hs_code": "0813", "op": "lodge"}
    before = browser.get("/v1/declarations", headers=auth(tokens["acme-trading"])).json()
    r = browser.post("/console/lodge", data=data, headers=HERE)
    assert r.status_code == 422
    assert 'id="f-items-1-hs_code-error"' in r.text
    assert 'aria-describedby="f-items-1-hs_code-error"' in r.text
    after = browser.get("/v1/declarations", headers=auth(tokens["acme-trading"])).json()
    assert len(after["items"]) == len(before["items"])


def test_checking_shows_the_duties_and_rows_are_added_copied_removed(browser, tokens, declaration):
    log_in(browser, tokens["acme-trading"])
    data = fields(declaration)
    r = browser.post("/console/lodge", data={**data, "op": "check"}, headers=HERE)
    assert r.status_code == 200 and 'id="duties-total"' in r.text
    r = browser.post("/console/lodge", data={**data, "op": "copy-0"}, headers=HERE)
    assert 'id="item-3"' in r.text and r.text.count('value="08109040"') == 2
    r = browser.post("/console/lodge", data={**data, "op": "remove-0"}, headers=HERE)
    assert 'id="item-2"' not in r.text and 'value="08134090"' in r.text


def test_a_draft_is_saved_and_refused_to_another_trader(browser, tokens, declaration):
    log_in(browser, tokens["acme-trading"])
    data = {**fields(declaration), "/invoice/amount": "", "op": "save"}
    r = browser.post("/console/lodge", data=data, headers=HERE)
    assert r.status_code == 303
    draft = r.headers["location"].split("draft=")[1]
    page = browser.get(f"/console/lodge?draft={draft}")
    assert page.status_code == 200 and data["/lrn"] in page.text
    browser.cookies.clear()
    log_in(browser, tokens["lotus-broker"])
    assert browser.get(f"/console/lodge?draft={draft}").status_code == 404
    r = browser.post(
        "/console/lodge", data={**data, "draft_id": draft, "/lrn": "STOLEN"}, headers=HERE
    )
    assert r.status_code == 404
    browser.cookies.clear()
    log_in(browser, tokens["acme-trading"])
    assert "STOLEN" not in browser.get(f"/console/lodge?draft={draft}").text


def test_a_form_from_another_origin_is_refused(browser, tokens, declaration):
    log_in(browser, tokens["acme-trading"])
    data = {**fields(declaration), "op": "lodge"}
    r = browser.post("/console/lodge", data=data, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


def test_hs_codes_are_looked_up_as_the_trader_types(browser, tokens):
    log_in(browser, tokens["acme-trading"])
    r = browser.get("/console/lodge/codes", params={"list": "hs", "/items/0/hs_code": "0810"})
    assert r.status_code == 200 and "08109040" in r.text
    r = browser.get("/console/lodge/codes", params={"list": "locations", "q": "CNSG"})
    assert "CNSGH" in r.text


def test_a_declaration_is_copied_into_a_new_one(browser, tokens, declaration):
    log_in(browser, tokens["acme-trading"])
    r = browser.post("/console/lodge", data={**fields(declaration), "op": "lodge"}, headers=HERE)
    mrn = r.headers["location"].rsplit("/", 1)[1]
    page = browser.get(f"/console/lodge?copy={mrn}")
    assert page.status_code == 200 and 'id="copied"' in page.text
    assert 'name="/lrn" value=""' in page.text and 'value="08109040"' in page.text
    browser.cookies.clear()
    log_in(browser, tokens["lotus-broker"])  # another trader's declaration is unknown to it
    assert browser.get(f"/console/lodge?copy={mrn}").status_code == 404


def test_an_amendment_shows_what_changed_then_is_sent(browser, tokens, declaration):
    log_in(browser, tokens["acme-trading"])
    data = fields(declaration)
    r = browser.post("/console/lodge", data={**data, "op": "lodge"}, headers=HERE)
    mrn = r.headers["location"].rsplit("/", 1)[1]
    page = browser.get(f"/console/lodge?amend={mrn}")
    assert page.status_code == 200
    amended = {**data, "/items/1/value": "7000.00", "/invoice/amount": "47500.00"}
    common = {"amend": mrn, "version": "1", "reason": "seller's credit note"}
    r = browser.post("/console/lodge", data={**amended, **common, "op": "check"}, headers=HERE)
    assert r.status_code == 200, r.text
    assert 'id="changes"' in r.text and "<del>7750.00</del>" in r.text
    assert "<ins>7000.00</ins>" in r.text and 'id="duties-total"' in r.text
    r = browser.post("/console/lodge", data={**amended, **common, "op": "amend"}, headers=HERE)
    assert r.status_code == 303, r.text
    d = browser.get(f"/v1/declarations/{mrn}", headers=auth(tokens["acme-trading"])).json()
    assert d["version"] == 2 and d["document"]["items"][1]["value"] == "7000.00"
