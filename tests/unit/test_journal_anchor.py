import datetime as dt

import pytest
from joserfc import jws

from silkgate.declarations import journal_anchor
from silkgate.declarations.journal import GENESIS
from silkgate.declarations.journal_anchor import Anchor, AnchorError
from silkgate.exchange import identity

T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
KEY = identity.new_key()
KID = identity.key_id("CN", KEY, T0.date())
PUBLIC = identity.PublicKey(KID, identity.public_jwk(KEY, KID), T0 - dt.timedelta(days=1))
HEAD = Anchor("CN", 42, "ab" * 32, T0, T0 + dt.timedelta(minutes=5))


def keys(kid):
    return PUBLIC if kid == KID else None


def test_a_signed_anchor_reads_back():
    signed = journal_anchor.sign(HEAD, KID, KEY)
    assert signed["seq"] == 42 and signed["hash"] == "ab" * 32 and signed["kid"] == KID
    assert signed["signed_at"] == "2026-11-22T08:05:00.000000Z"
    assert journal_anchor.read(signed, keys) == HEAD
    header = jws.extract_compact(signed["signature"].encode()).headers()
    assert header == {"alg": "Ed25519", "kid": KID, "typ": journal_anchor.TYP}


def test_an_empty_journal_can_be_anchored():
    empty = Anchor("CN", 0, GENESIS, None, T0)
    assert journal_anchor.read(journal_anchor.sign(empty, KID, KEY), keys) == empty


@pytest.mark.parametrize(
    ("field", "value"), [("seq", 41), ("hash", "cd" * 32), ("administration", "VN")]
)
def test_an_edited_anchor_is_refused(field, value):
    signed = journal_anchor.sign(HEAD, KID, KEY)
    with pytest.raises(AnchorError, match="differ from what was signed"):
        journal_anchor.read({**signed, field: value}, keys)


def test_an_anchor_signed_by_another_key_is_refused():
    other = identity.new_key()
    forged = journal_anchor.sign(HEAD, KID, other)  # claims this node's key id
    with pytest.raises(AnchorError, match="does not verify"):
        journal_anchor.read(forged, keys)
    unknown = journal_anchor.sign(HEAD, "CN-20261122-ffffffff", other)
    with pytest.raises(AnchorError, match="not a key of this node"):
        journal_anchor.read(unknown, keys)


def test_an_anchor_signed_outside_the_keys_validity_is_refused():
    retired = identity.PublicKey(KID, PUBLIC.jwk, T0 - dt.timedelta(days=9), T0)
    with pytest.raises(AnchorError, match="not valid at"):
        journal_anchor.read(journal_anchor.sign(HEAD, KID, KEY), lambda kid: retired)


@pytest.mark.parametrize(
    "raw",
    [[], {"seq": 1}, {"signature": "not a jws"}, {"signature": "e30.e30.e30"}, {"signature": 5}],
)
def test_what_is_not_an_anchor_is_refused(raw):
    with pytest.raises(AnchorError):
        journal_anchor.read(raw, keys)


def test_a_signed_content_that_is_not_an_anchor_is_refused():
    token = jws.serialize_compact(
        {"alg": "Ed25519", "kid": KID}, b'{"format": "something else"}', KEY, algorithms=["Ed25519"]
    )
    with pytest.raises(AnchorError, match="not a silkgate-journal-anchor"):
        journal_anchor.read({"signature": token}, keys)
