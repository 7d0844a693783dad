"""Questions and answers, documents and live updates on a declaration, in the console."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from silkgate.app import create_app
from silkgate.kernel.errors import InvalidRequest
from silkgate.portal.services import Documents
from tests.integration.conftest import auth

HERE = {"Origin": "http://testserver"}
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def browser(settings, node) -> Iterator[TestClient]:
    with TestClient(create_app(settings, node), follow_redirects=False) as c:
        yield c


def log_in(browser: TestClient, token: str) -> None:
    browser.cookies.clear()
    r = browser.post("/console/login", data={"token": token}, headers=HERE)
    assert r.status_code == 303, r.text


def flash(r) -> str:
    said = unquote(r.cookies.get("sg_flash", "")).strip('"')
    return re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1), 8)), said)


def lodged(browser, tokens, declaration) -> str:
    r = browser.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201, r.text
    return str(r.json()["mrn"])


def journal(browser, token, mrn) -> list[dict]:
    return browser.get(f"/v1/declarations/{mrn}/journal", headers=auth(token)).json()["items"]


def test_a_question_is_asked_answered_with_a_document_and_resumed(browser, tokens, declaration):
    mrn = lodged(browser, tokens, declaration)
    officer, trader = tokens["officer.li"], tokens["acme-trading"]
    r = browser.post(
        f"/v1/declarations/{mrn}/request_information",
        json={"question": "Send the signed invoice, please.", "deadline": "2099-01-31"},
        headers=auth(officer),
    )
    assert r.status_code == 200 and r.json()["status"] == "awaiting_information", r.text

    log_in(browser, trader)
    listed = browser.get("/console/questions").text
    assert mrn in listed and "Send the signed invoice" in listed and "the trader" in listed
    panel = browser.get(f"/console/declarations/{mrn}/portal").text
    assert 'id="answer-form"' in panel and "Waits on you" in panel

    # Another trader cannot answer it, nor upload to it: nothing is stored.
    log_in(browser, tokens["lotus-broker"])
    r = browser.post(
        f"/console/declarations/{mrn}/answer",
        data={"text": "not mine", "kind": "invoice"},
        files={"file": ("invoice.pdf", PDF, "application/pdf")},
        headers=HERE,
    )
    assert r.status_code == 303 and f"no declaration {mrn}" in flash(r)
    assert "not mine" not in str(journal(browser, officer, mrn))

    log_in(browser, trader)
    r = browser.post(
        f"/console/declarations/{mrn}/answer",
        data={"text": "Attached, signed by the seller.", "kind": "invoice"},
        files={"file": ("invoice.pdf", PDF, "application/pdf")},
        headers=HERE,
    )
    assert r.status_code == 303 and "Answer sent" in flash(r), flash(r)
    entries = journal(browser, officer, mrn)
    assert [e["event"] for e in entries][-3:] == [
        "request_information", "information_provided", "document",
    ]  # fmt: skip
    assert hashlib.sha256(PDF).hexdigest() in entries[-1]["reason"]

    log_in(browser, officer)
    listed = browser.get("/console/questions").text
    assert "Attached, signed by the seller." in listed and "customs" in listed
    panel = browser.get(f"/console/declarations/{mrn}/portal").text
    assert "invoice.pdf" in panel and "Waits on customs" in panel
    link = panel.split(f"/console/declarations/{mrn}/documents/")[1].split('"')[0]
    got = browser.get(f"/console/declarations/{mrn}/documents/{link}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    r = browser.post(f"/console/declarations/{mrn}/resume", headers=HERE)
    assert r.status_code == 303
    d = browser.get(f"/v1/declarations/{mrn}", headers=auth(officer)).json()
    assert d["status"] == "under_control"


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("invoice.pdf", b"MZ\x90\x00 an executable", "only PDF, PNG, JPEG and XML"),
        ("invoice.pdf", PNG, "does not match its name"),
        ("invoice.exe", PDF, "does not match its name"),
        ("empty.pdf", b"", "the file is empty"),
    ],
)
def test_a_bad_upload_is_refused_and_stores_nothing(browser, tokens, declaration, name, data, why):
    mrn = lodged(browser, tokens, declaration)
    log_in(browser, tokens["acme-trading"])
    r = browser.post(
        f"/console/declarations/{mrn}/documents",
        data={"kind": "invoice"},
        files={"file": (name, data, "application/pdf")},
        headers=HERE,
    )
    assert r.status_code == 303 and why in flash(r), flash(r)
    assert (
        "invoice"
        not in browser.get(f"/console/declarations/{mrn}/portal")
        .text.split("documents-heading")[1]
        .split("upload-form")[0]
    )
    assert journal(browser, tokens["acme-trading"], mrn)[-1]["event"] != "document"


def test_an_oversized_document_is_refused(node, tokens, declaration, browser, tmp_path):
    mrn = lodged(browser, tokens, declaration)
    trader = node.tokens.resolve(tokens["acme-trading"])
    small = Documents(
        node.engine, node.portal.documents.kept, 1024, node.declarations.information.attach
    )
    with pytest.raises(InvalidRequest) as refused:
        small.upload(trader, mrn, "invoice", "big.pdf", PDF + b"0" * 2000)
    assert refused.value.errors[0].code == "too_large"
    assert small.listed(trader, mrn) == []


def test_the_page_is_told_to_reload_when_the_declaration_changes(browser, tokens, declaration):
    mrn = lodged(browser, tokens, declaration)
    log_in(browser, tokens["acme-trading"])
    poller = browser.get(f"/console/live?mrn={mrn}").text
    stamp = poller.split("stamp=")[1].split('"')[0]
    assert browser.get(f"/console/live?mrn={mrn}&stamp={stamp}").status_code == 204
    r = browser.post(f"/v1/declarations/{mrn}/control", headers=auth(tokens["officer.li"]))
    assert r.status_code == 200
    r = browser.get(f"/console/live?mrn={mrn}&stamp={stamp}")
    assert r.headers.get("HX-Refresh") == "true"


def test_the_trader_records_a_payment_and_an_officer_confirms_it(browser, tokens, declaration):
    mrn = lodged(browser, tokens, declaration)
    log_in(browser, tokens["lotus-broker"])  # not its declaration: refused, nothing stored
    r = browser.post(
        f"/console/declarations/{mrn}/payment-claims",
        data={"kind": "payment", "reference": "NOT-MINE"},
        headers=HERE,
    )
    assert f"no declaration {mrn}" in flash(r)
    log_in(browser, tokens["acme-trading"])
    r = browser.post(
        f"/console/declarations/{mrn}/payment-claims",
        data={"kind": "payment", "reference": "ICBC-2026-777"},
        headers=HERE,
    )
    assert "customs will confirm" in flash(r), flash(r)
    panel = browser.get(f"/console/declarations/{mrn}/portal").text
    assert "ICBC-2026-777" in panel and "NOT-MINE" not in panel
    claim = (
        panel.split("/console/payment-claims/")[1].split("/")[0]
        if "/console/payment-claims/" in panel
        else None
    )
    assert claim is None  # a trader confirms nothing
    log_in(browser, tokens["officer.li"])
    panel = browser.get(f"/console/declarations/{mrn}/portal").text
    claim = panel.split("/console/payment-claims/")[1].split("/")[0]
    r = browser.post(f"/console/payment-claims/{claim}/confirm", data={"mrn": mrn}, headers=HERE)
    assert "Confirmed" in flash(r), flash(r)
    d = browser.get(f"/v1/declarations/{mrn}", headers=auth(tokens["officer.li"])).json()
    assert d["status"] == "released"  # green, and now paid: released by the node itself
    assert any(p["reference"] == "ICBC-2026-777" for p in d["account"]["payments"])
