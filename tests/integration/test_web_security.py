"""The node's web security: headers, /docs served by the node, console sessions, same origin."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from importlib.resources import files

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silkgate.access.principals import hash_token
from silkgate.access.services import Users
from silkgate.access.services.sessions import ConsoleSessions
from silkgate.api.docs import as_openapi_30
from silkgate.app import create_app
from silkgate.config import Settings
from silkgate.kernel.clock import ManualClock
from silkgate.node import Node, TokenResolver
from silkgate.store.db import reading
from silkgate.store.tables import console_sessions
from tests.integration.conftest import auth

HERE = {"Origin": "http://testserver"}
COOKIE = "sg_session_cn"


@pytest.fixture
def browser(settings: Settings, node: Node) -> Iterator[TestClient]:
    """A browser of its own (its own cookies) that does not follow redirects."""
    with TestClient(create_app(settings, node), follow_redirects=False) as c:
        yield c


def log_in(browser: TestClient, token: str, origin: str = "http://testserver") -> str:
    r = browser.post("/console/login", data={"token": token}, headers={"Origin": origin})
    assert r.status_code == 303, r.text
    return r.cookies[COOKIE]


def lodge(browser: TestClient, token: str, declaration: dict) -> str:
    r = browser.post("/v1/declarations", json=declaration, headers=auth(token))
    assert r.status_code == 201, r.text
    return str(r.json()["mrn"])


# -- headers ----------------------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(browser, tokens):
    answers = {
        "console": browser.get("/console/login"),
        "api": browser.get("/v1/declarations", headers=auth(tokens["officer.li"])),
        "refused": browser.get("/v1/declarations"),
        "public": browser.get("/v1/tariff"),
        "docs": browser.get("/docs"),
        "static": browser.get("/console/static/htmx.min.js"),
    }
    for name, r in answers.items():
        assert r.headers["x-frame-options"] == "DENY", name
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["referrer-policy"] == "same-origin", name
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], name
    console = answers["console"].headers["content-security-policy"]
    assert "script-src 'self';" in console and "style-src 'self';" in console
    assert "unsafe-inline" not in console and "unsafe-eval" not in console
    assert answers["api"].headers["content-security-policy"].startswith("default-src 'none'")


def test_private_answers_are_never_stored_and_the_published_tariff_may_be(browser, tokens):
    assert browser.get("/v1/declarations", headers=auth(tokens["officer.li"])).headers[
        "cache-control"
    ] == ("no-store")
    assert browser.get("/console/login").headers["cache-control"] == "no-store"
    assert browser.get("/v1/tariff").headers["cache-control"].startswith("public")
    anonymous = browser.get("/console/tariff?q=coffee")
    assert anonymous.headers["cache-control"].startswith("public")
    # One copy per language: the page is in the language the cookie or the header chose.
    assert anonymous.headers["vary"] == "Cookie, Accept-Language"
    log_in(browser, tokens["officer.li"])
    assert browser.get("/console").headers["cache-control"] == "no-store"
    assert browser.get("/console/tariff?q=coffee").headers["cache-control"] == "no-store"


def test_the_console_templates_hold_no_inline_script_style_or_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)
    folder = files("silkgate.web") / "templates"
    found = {
        t.name: inline.findall(t.read_text())
        for t in folder.iterdir()
        if t.name.endswith(".html") and inline.search(t.read_text())
    }
    assert found == {}


# -- /docs ------------------------------------------------------------------------------------


def test_the_api_docs_are_served_by_the_node_with_a_nonce(browser):
    first, second = browser.get("/docs"), browser.get("/docs")
    assert first.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', first.text)
    assert urls and all(u.startswith("/docs/static/") for u in urls), urls
    assert "cdn" not in first.text and "https://" not in first.text
    [nonce] = re.findall(r'<script nonce="([^"]+)">', first.text)
    assert f"'nonce-{nonce}'" in first.headers["content-security-policy"]
    assert "unsafe-inline" not in first.headers["content-security-policy"]
    assert nonce not in second.text  # fresh for every answer
    for asset, kind in (("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "text/css")):
        r = browser.get(f"/docs/static/{asset}")
        assert r.status_code == 200 and kind in r.headers["content-type"]
    assert browser.get("/redoc").status_code == 404
    assert browser.get("/openapi.json").status_code == 200


def test_the_docs_read_the_document_in_openapi_30_terms(browser):
    reference = browser.get("/openapi.json").json()
    shown = browser.get("/docs/openapi.json").json()
    assert reference["openapi"].startswith("3.1") and shown["openapi"] == "3.0.3"
    assert shown["paths"].keys() == reference["paths"].keys()
    text = json.dumps(shown)
    assert '{"type": "null"}' not in text and '"nullable": true' in text


def test_openapi_31_schemas_become_their_30_equivalents():
    assert as_openapi_30(
        {
            "openapi": "3.1.0",
            "a": {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}], "title": "A"},
            "b": {"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]},
            "c": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
            "d": {"type": "number", "exclusiveMinimum": 0, "examples": ["1.5"]},
            "e": {"content": {"application/json": {"examples": {"one": {"value": 1}}}}},
        }
    ) == {
        "openapi": "3.0.3",
        "a": {"type": "string", "maxLength": 3, "title": "A", "nullable": True},
        "b": {"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": True},
        "c": {"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": True},
        "d": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "example": "1.5"},
        "e": {"content": {"application/json": {"examples": {"one": {"value": 1}}}}},
    }


# -- console sessions ---------------------------------------------------------------------------


def test_the_cookie_holds_a_session_id_never_the_token(browser, node, settings, tokens):
    token = tokens["officer.li"]
    r = browser.post("/console/login", data={"token": token}, headers=HERE)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    session_id = r.cookies[COOKIE]
    assert token not in cookie and session_id != token
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    with reading(node.engine) as conn:
        rows = conn.execute(sa.select(console_sessions)).mappings().all()
    stored = {str(value) for row in rows for value in row.values()}
    assert session_id not in stored and token not in stored
    digest = hash_token(settings.secret_key, "console-session:" + session_id)
    assert digest in stored
    assert browser.get("/console").status_code == 200


def test_over_https_the_cookie_is_secure(settings, node, tokens):
    with TestClient(
        create_app(settings, node), base_url="https://testserver", follow_redirects=False
    ) as browser:
        log_in(browser, tokens["officer.li"], origin="https://testserver")
        r = browser.post(
            "/console/login",
            data={"token": tokens["officer.li"]},
            headers={"Origin": "https://testserver"},
        )
        assert "Secure" in r.headers["set-cookie"]
        assert r.headers["strict-transport-security"].startswith("max-age=")


def test_logging_out_ends_the_session_on_the_node(browser, node, tokens):
    session_id = log_in(browser, tokens["officer.li"])
    r = browser.post("/console/logout", headers=HERE)
    assert (r.status_code, r.headers["location"]) == (303, "/console/login")
    assert node.sessions.principal(session_id) is None
    # The old cookie, sent again (a copy kept elsewhere), opens nothing.
    browser.cookies.set(COOKIE, session_id, path="/console")
    r = browser.get("/console")
    assert (r.status_code, r.headers["location"]) == (303, "/console/login")


def test_logging_in_again_ends_the_session_before(browser, node, tokens):
    first = log_in(browser, tokens["officer.li"])
    second = log_in(browser, tokens["acme-trading"])
    assert first != second
    assert node.sessions.principal(first) is None
    principal = node.sessions.principal(second)
    assert principal is not None and principal.name == "acme-trading"


def test_logout_is_a_post_from_this_origin(browser, node, tokens):
    session_id = log_in(browser, tokens["officer.li"])
    assert browser.get("/console/logout").status_code == 405
    assert browser.post("/console/logout").status_code == 403
    r = browser.post("/console/logout", headers={"Origin": "https://elsewhere.example"})
    assert r.status_code == 403
    # Still logged in: neither request logged anyone out.
    assert node.sessions.principal(session_id) is not None
    assert browser.get("/console").status_code == 200


def test_revoking_the_token_ends_its_console_sessions(browser, node, settings):
    users = Users(node.engine, settings.secret_key)
    name = f"officer-{uuid.uuid4().hex[:8]}"
    token = users.add(name, "officer")
    session_id = log_in(browser, token)
    assert browser.get("/console").status_code == 200
    users.revoke(name)
    assert node.sessions.principal(session_id) is None
    assert browser.get("/console").headers["location"] == "/console/login"


def test_a_session_expires_and_ends_when_left_unused(node, settings, tokens):
    clock = ManualClock(dt.datetime.now(dt.UTC))
    sessions = ConsoleSessions(
        node.engine, settings.secret_key, lifetime=3600, idle=600, clock=clock
    )
    opened = sessions.open(tokens["officer.li"])
    assert opened is not None
    session_id, principal = opened
    assert principal.name == "officer.li"
    # Used every 5 minutes, it lives until its lifetime is over.
    for _ in range(11):
        clock.advance(dt.timedelta(minutes=5))
        assert sessions.principal(session_id) == principal
    clock.advance(dt.timedelta(minutes=5, seconds=1))
    assert sessions.principal(session_id) is None
    # Left alone longer than the idle time, it is over too.
    idle_id, _ = sessions.open(tokens["officer.li"]) or ("", None)
    clock.advance(dt.timedelta(seconds=601))
    assert sessions.principal(idle_id) is None


def test_a_demo_token_never_logs_in_to_a_production_node(node, settings, tokens):
    sessions = ConsoleSessions(
        node.engine, settings.secret_key, lifetime=3600, idle=600, demo_tokens=False
    )
    resolver = TokenResolver(node.engine, settings.secret_key, 0, demo_tokens=False)
    assert tokens["admin"].startswith("sg_demo_")
    assert sessions.open(tokens["admin"]) is None
    assert resolver.resolve(tokens["admin"]) is None
    # The same tokens on a demo or test node.
    assert node.tokens.resolve(tokens["admin"]) is not None


# -- same origin ----------------------------------------------------------------------------


def test_a_form_that_names_no_origin_is_refused_and_changes_nothing(browser, tokens, declaration):
    mrn = lodge(browser, tokens["acme-trading"], declaration)
    log_in(browser, tokens["acme-trading"])
    form = {"reason": "shipment cancelled by the buyer"}
    for headers in ({}, {"Origin": "null"}, {"Referer": "https://elsewhere.example/x"}):
        r = browser.post(f"/console/declarations/{mrn}/cancel", data=form, headers=headers)
        assert r.status_code == 403, headers
        assert r.text == "cross-origin form refused"
    status = browser.get(f"/v1/declarations/{mrn}", headers=auth(tokens["acme-trading"]))
    assert status.json()["status"] == "lodged"
    # A Referer of this node will do when a browser sends no Origin.
    r = browser.post(
        f"/console/declarations/{mrn}/cancel",
        data=form,
        headers={"Referer": f"http://testserver/console/declarations/{mrn}"},
    )
    assert r.status_code == 303
    status = browser.get(f"/v1/declarations/{mrn}", headers=auth(tokens["acme-trading"]))
    assert status.json()["status"] == "cancelled"


def test_the_login_form_must_come_from_this_origin(browser, tokens):
    r = browser.post("/console/login", data={"token": tokens["officer.li"]})
    assert r.status_code == 403 and COOKIE not in r.cookies
