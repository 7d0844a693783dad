"""Tokens and roles: 401 without a valid token, 403 for what a role may not do, 404 for
another declarant's declaration (``test_roles.py`` holds the whole role-by-endpoint matrix)."""

from __future__ import annotations

import pytest

from tests.integration.conftest import auth


@pytest.fixture
def lodged(client, tokens, declaration):
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201
    return r.json()["mrn"]


def test_no_token_is_401(client, lodged):
    for r in (client.get("/v1/declarations"), client.get(f"/v1/declarations/{lodged}")):
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert "Acme" not in r.text and "48250" not in r.text and "lodged" not in r.text


def test_unknown_token_is_401(client, lodged):
    r = client.get(f"/v1/declarations/{lodged}", headers=auth("sg_not-a-real-token"))
    assert r.status_code == 401 and "acme" not in r.text.lower()


def test_a_declarant_cannot_see_another_declarants_declaration(client, tokens, lodged):
    r = client.get(f"/v1/declarations/{lodged}", headers=auth(tokens["lotus-broker"]))
    # Not found, as if it did not exist: a refusal would say that it does.
    assert r.status_code == 404
    assert "91310115" not in r.text and "Acme" not in r.text and "48250" not in r.text
    for path in ("journal", "versions"):
        r = client.get(f"/v1/declarations/{lodged}/{path}", headers=auth(tokens["lotus-broker"]))
        assert r.status_code == 404


def test_a_declarant_cannot_cancel_or_release_another_declarants_declaration(
    client, tokens, lodged
):
    other = auth(tokens["lotus-broker"])
    assert (
        client.post(
            f"/v1/declarations/{lodged}/cancel", json={"reason": "x"}, headers=other
        ).status_code
        == 404
    )
    assert client.post(f"/v1/declarations/{lodged}/release", headers=other).status_code == 404


def test_a_declarant_lists_only_its_own(client, tokens, lodged):
    mine = client.get("/v1/declarations?limit=200", headers=auth(tokens["lotus-broker"])).json()
    assert all(d["declarant_id"] == "91450100MA5LDEMO02" for d in mine["items"])
    r = client.get(
        "/v1/declarations?declarant_id=91310115MA1K4DEMO1", headers=auth(tokens["lotus-broker"])
    )
    assert r.status_code == 403


def test_a_declarant_cannot_release_its_own_declaration(client, tokens, lodged):
    r = client.post(f"/v1/declarations/{lodged}/release", headers=auth(tokens["acme-trading"]))
    assert r.status_code == 403


def test_an_officer_cannot_lodge(client, tokens, declaration):
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["officer.li"]))
    assert r.status_code == 403


def test_an_officer_sees_every_declaration(client, tokens, lodged):
    assert (
        client.get(f"/v1/declarations/{lodged}", headers=auth(tokens["officer.li"])).status_code
        == 200
    )


def test_a_revoked_token_stops_working(client, node, settings):
    import datetime as dt

    from silkgate.access.principals import Role, hash_token, new_token
    from silkgate.store import principals
    from silkgate.store.db import writing

    token = new_token()
    now = dt.datetime.now(dt.UTC)
    with writing(node.engine) as conn:
        p = principals.create_principal(conn, "temp-" + token[-6:], Role.OFFICER, None, now)
        principals.add_token(conn, p, hash_token(settings.secret_key, token), None, now)
    assert client.get("/v1/declarations", headers=auth(token)).status_code == 200
    with writing(node.engine) as conn:
        principals.revoke_tokens(conn, p, now)
    node.tokens.forget()
    assert client.get("/v1/declarations", headers=auth(token)).status_code == 401


def test_tokens_are_stored_hashed(node, tokens):
    import sqlalchemy as sa

    from silkgate.store.tables import api_tokens

    with node.engine.connect() as conn:
        hashes = set(conn.execute(sa.select(api_tokens.c.token_hash)).scalars())
    assert tokens["officer.li"] not in hashes
