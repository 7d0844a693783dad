"""The journal's anchor over the API, and its verification by the node."""

from __future__ import annotations

import pytest

from silkgate.declarations.journal_anchor import AnchorError
from silkgate.exchange import identity
from tests.integration.conftest import auth


def test_an_administrator_gets_a_signed_anchor_that_verifies(client, node, tokens, declaration):
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201
    served = client.get("/v1/journal/anchor", headers=auth(tokens["admin"]))
    assert served.status_code == 200, served.text
    anchor = served.json()
    assert anchor["format"] == "silkgate-journal-anchor/1" and anchor["administration"] == "CN"
    assert anchor["seq"] > 0 and anchor["entry_at"] is not None
    assert anchor["kid"] == node.exchange.signer()[0]
    result = node.journal.verify(anchor)
    assert result.problem is None and result.anchor is not None
    assert result.anchor.seq == anchor["seq"] and result.count >= anchor["seq"]
    card = node.exchange.card().as_json()
    assert node.journal.verify(anchor, card).problem is None


@pytest.mark.parametrize("user", ["officer.li", "analyst.zhao", "acme-trading"])
def test_the_anchor_is_for_administrators(client, tokens, user):
    r = client.get("/v1/journal/anchor", headers=auth(tokens[user]))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/journal/anchor").status_code == 401


def test_an_anchor_checked_with_another_administrations_card_is_refused(node):
    anchor = node.journal.anchor()
    key = identity.new_key()
    kid = identity.key_id("VN", key, node.clock().date())
    card = identity.Card(
        "VN", "VN customs", "https://vn.example", (identity.PublicKey(
            kid, identity.public_jwk(key, kid), node.clock()),),
    ).as_json()  # fmt: skip
    with pytest.raises(AnchorError, match="the card is of VN"):
        node.journal.verify(anchor, card)
    with pytest.raises(AnchorError, match="not a partner card"):
        node.journal.verify(anchor, {"format": "nonsense"})
