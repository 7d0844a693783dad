"""The pure core of exchange: envelope, cards, the AEO lifecycle, advance data comparison."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal

import pytest

from silkgate.declarations.document import DeclarationDocument
from silkgate.exchange import advance, envelope, identity
from silkgate.exchange.aeo import AeoAction, AeoStatus, IllegalAeoTransition, next_status
from silkgate.exchange.envelope import Envelope, Refused
from silkgate.exchange.identity import CardError, PublicKey
from tests.conftest import load_example

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def vn():
    key = identity.new_key()
    kid = identity.key_id("VN", key, NOW.date())
    public = PublicKey(kid, identity.public_jwk(key, kid), NOW - dt.timedelta(days=1))
    return key, kid, public


def _message(**changes):
    fields = dict(
        type="assistance",
        sender="VN",
        recipient="CN",
        subject="VN-MAA-2026-000001",
        payload={"body": "Please verify"},
        at=NOW,
    )
    fields.update(changes)
    return Envelope.new(
        fields["type"],
        fields["sender"],
        fields["recipient"],
        fields["subject"],
        fields["payload"],
        fields["at"],
    )


def _open(token, vn, *, now=NOW, recipient="CN"):
    _, kid, public = vn
    return envelope.open_envelope(
        token, lambda k: ("VN", public) if k == kid else None, recipient=recipient, now=now
    )


def test_a_signed_message_opens_to_the_same_envelope(vn):
    key, kid, _ = vn
    msg = _message()
    token = envelope.sign(msg, key, kid, NOW)
    opened = _open(token, vn)
    assert (opened.id, opened.type, opened.sender, opened.payload) == (
        msg.id,
        msg.type,
        "VN",
        {"body": "Please verify"},
    )
    assert envelope.header(token) == {"alg": "Ed25519", "kid": kid, "typ": envelope.TYP}


def test_the_signed_content_is_canonical_json(vn):
    key, kid, _ = vn
    token = envelope.sign(_message(payload={"b": 1, "a": "é"}), key, kid, NOW)
    body = base64.urlsafe_b64decode(token.split(".")[1] + "==")
    assert body == envelope.canonical(json.loads(body))
    assert b'"payload":{"a":"\xc3\xa9","b":1}' in body


def _tamper(token: str) -> str:
    head, body, sig = token.split(".")
    content = json.loads(base64.urlsafe_b64decode(body + "=="))
    content["payload"]["body"] = "Release the goods"
    forged = base64.urlsafe_b64encode(envelope.canonical(content)).rstrip(b"=").decode()
    return f"{head}.{forged}.{sig}"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda t, vn: _tamper(t), "bad_signature"),
        (lambda t, vn: t.rsplit(".", 1)[0] + ".", "bad_signature"),
        (lambda t, vn: "not a jws", "malformed"),
        (
            lambda t, vn: base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
            + "."
            + t.split(".")[1]
            + ".",
            "unsigned",
        ),
    ],
)
def test_forged_or_unsigned_messages_are_refused(vn, make, code):
    key, kid, _ = vn
    token = envelope.sign(_message(), key, kid, NOW)
    with pytest.raises(Refused) as refused:
        _open(make(token, vn), vn)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "changes",
    [
        {"subject": "VN-MAA\x00"},
        {"payload": {"body": "Please \u202everify"}},
        {"payload": {"a\x85": 1}},
    ],
)
def test_a_signed_message_with_a_control_or_invisible_character_is_refused(vn, changes):
    key, kid, _ = vn
    token = envelope.sign(_message(**changes), key, kid, NOW)
    with pytest.raises(Refused) as refused:
        _open(token, vn)
    assert refused.value.code == "malformed" and "U+" in refused.value.detail


def test_an_unknown_key_is_an_unknown_sender(vn):
    other = identity.new_key()
    token = envelope.sign(_message(), other, "XX-1", NOW)
    with pytest.raises(Refused) as refused:
        _open(token, vn)
    assert refused.value.code == "unknown_sender"
    assert refused.value.status == 401


def test_a_key_speaks_only_for_its_administration(vn):
    key, kid, _ = vn
    with pytest.raises(Refused) as refused:
        _open(envelope.sign(_message(sender="KZ"), key, kid, NOW), vn)
    assert refused.value.code == "wrong_sender"


def test_a_message_for_another_administration_is_refused(vn):
    key, kid, _ = vn
    with pytest.raises(Refused) as refused:
        _open(envelope.sign(_message(recipient="TH"), key, kid, NOW), vn)
    assert refused.value.code == "wrong_recipient"


def test_old_and_far_future_messages_are_refused(vn):
    key, kid, _ = vn
    token = envelope.sign(_message(), key, kid, NOW)
    with pytest.raises(Refused) as late:
        _open(token, vn, now=NOW + envelope.MAX_AGE + dt.timedelta(seconds=1))
    assert late.value.code == "expired"
    with pytest.raises(Refused) as early:
        _open(token, vn, now=NOW - envelope.MAX_AHEAD - dt.timedelta(seconds=1))
    assert early.value.code == "far_future"
    # A retry is signed again when it is sent: it passes however old the message is.
    retried = envelope.sign(_message(at=NOW - dt.timedelta(days=2)), key, kid, NOW)
    assert _open(retried, vn).created == NOW - dt.timedelta(days=2)


def test_an_expired_key_no_longer_verifies(vn):
    key, kid, public = vn
    rotated = PublicKey(kid, public.jwk, public.valid_from, NOW - dt.timedelta(minutes=1))
    token = envelope.sign(_message(), key, kid, NOW)
    with pytest.raises(Refused) as refused:
        envelope.open_envelope(token, lambda k: ("VN", rotated), recipient="CN", now=NOW)
    assert refused.value.code == "key_expired"


def test_an_oversized_message_is_refused(vn):
    key, kid, _ = vn
    token = envelope.sign(_message(payload={"body": "x" * 300_000}), key, kid, NOW)
    with pytest.raises(Refused) as refused:
        _open(token, vn)
    assert (refused.value.code, refused.value.status) == ("too_large", 413)


# -- cards ---------------------------------------------------------------------------------


def test_a_card_round_trips_and_carries_no_secret(vn):
    _, _, public = vn
    card = identity.Card(
        "VN", "Viet Nam Customs", "https://customs.example.vn", (public,), ("aeo_mra",)
    )
    raw = card.as_json()
    assert all(set(k["jwk"]) == {"kty", "crv", "x", "kid"} for k in raw["keys"])
    assert identity.parse_card(raw) == card


def test_a_bad_card_lists_every_error(vn):
    key, kid, _ = vn
    bad = {
        "format": "other",
        "administration": "Viet Nam",
        "name": "",
        "endpoint": "ftp://x",
        "keys": [
            {"kid": kid, "jwk": key.as_dict(private=True), "valid_from": "2026-11-01T00:00:00Z"}
        ],
        "agreements": ["free_lunch"],
        "extra": 1,
    }
    with pytest.raises(CardError) as error:
        identity.parse_card(bad)
    pointers = [p for p, _ in error.value.errors]
    assert pointers == [
        "/format",
        "/administration",
        "/name",
        "/endpoint",
        "/keys/0",
        "/agreements",
        "/extra",
    ]


# -- the AEO lifecycle ---------------------------------------------------------------------------


def test_the_aeo_lifecycle():
    s = next_status(None, AeoAction.APPLY)
    for action in (AeoAction.VALIDATE, AeoAction.GRANT, AeoAction.SUSPEND, AeoAction.REINSTATE):
        s = next_status(s, action)
    assert s is AeoStatus.GRANTED
    assert next_status(s, AeoAction.REVOKE) is AeoStatus.REVOKED
    with pytest.raises(IllegalAeoTransition, match="possible: refuse, validate"):
        next_status(AeoStatus.APPLIED, AeoAction.GRANT)
    with pytest.raises(IllegalAeoTransition, match="not registered"):
        next_status(None, AeoAction.GRANT)


# -- advance export data --------------------------------------------------------------------------


def _import() -> DeclarationDocument:
    return DeclarationDocument.model_validate(load_example())


def _exported(doc: DeclarationDocument) -> dict:
    ex = doc.model_copy(update={"type": "EX"})
    return advance.payload("26VN0000000000001X", ex, NOW, NOW.date())


def test_advance_data_carries_the_acdd_set():
    data = _exported(_import())
    assert data["export_declaration"] == "26VN0000000000001X"
    assert data["exporter"]["name"] and data["consignee"]["name"]
    assert data["declaring_agent"]["id"] == "91310115MA1K4DEMO1"
    assert data["departure_date"] == "2026-11-23"
    assert data["transport"]["mode"] == 1 and data["transport"]["port_of_discharge"] == "CNSGH"
    item = data["items"][0]
    assert (item["hs_code"], item["origin"], item["quantity"]) == (
        "081090",
        "VN",
        {"value": "18", "unit": "TNE"},
    )


def test_the_same_goods_match():
    doc = _import()
    assert advance.compare(_exported(doc), doc) == []


def test_mismatches_in_value_quantity_hs_and_origin_are_named():
    doc = _import()
    data = _exported(doc)
    data["invoice"]["amount"] = str(doc.invoice.amount * 2)  # declared at half the export value
    data["items"][0]["net_mass_kg"] = str(Decimal(data["items"][0]["net_mass_kg"]) * 2)
    data["items"][0]["origin"] = "TH"
    data["items"][1]["hs_code"] = "999999"
    kinds = [m.kind for m in advance.compare(data, doc)]
    assert sorted(kinds) == ["hs_code", "origin", "quantity", "value"]


def test_values_in_other_currencies_are_compared_through_the_rates():
    doc = _import()  # USD
    data = _exported(doc)
    data["invoice"] = {**data["invoice"], "currency": "CNY", "amount": str(doc.invoice.amount * 7)}
    rates = {"USD": Decimal("7.0"), "CNY": Decimal(1)}
    assert advance.compare(data, doc, rates.get) == []
    data["invoice"]["amount"] = str(doc.invoice.amount * 14)
    assert [m.kind for m in advance.compare(data, doc, rates.get)] == ["value"]


def test_match_keys_of_an_import():
    raw = load_example()
    raw["documents"] = [{"code": "N830", "reference": "26VN0000000000001X"}]
    raw["ucr"] = "UCR-1"
    keys = advance.match_keys(DeclarationDocument.model_validate(raw))
    assert keys == {
        "export_declarations": ["26VN0000000000001X"],
        "ucr": "UCR-1",
        "transport_document": "DEMOBL2026110001",
        "dispatch_country": "VN",
    }


@pytest.mark.parametrize(
    ("keys", "agreements"),
    [
        (None, [{}]),
        (None, [["advance_export_data"]]),
        (None, [None]),
        (None, "aeo_mra"),
        ([{"kid": "k", "jwk": "not an object"}], []),
    ],
)
def test_a_card_with_malformed_keys_or_agreements_is_refused(vn, keys, agreements):
    key, kid, _ = vn
    card = {
        "format": "silkgate-partner-card/1",
        "administration": "VN",
        "name": "Viet Nam Customs",
        "endpoint": "https://customs.example.vn",
        "keys": keys or [{"kid": kid, "jwk": key.as_dict(), "valid_from": "2026-11-01T00:00:00Z"}],
        "agreements": agreements,
    }
    with pytest.raises(CardError) as error:
        identity.parse_card(card)
    assert [p for p, _ in error.value.errors] == ["/keys/0" if keys else "/agreements"]
