"""An e-CO between two real node processes: China signs it, Viet Nam checks a claim on it.

China's node does not issue certificates yet: the test writes the document
of the contract and signs it with China's own key (read from its database),
then posts it to Viet Nam's inbox over HTTP, as China's dispatcher would.
Viet Nam's dispatcher sends box 4 back to China's inbox by itself.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from silkgate.config import Settings
from tests.e2e.test_exchange_pair import Pair
from tests.eco_helpers import certificate, claiming, import_document, new_number, signed

JOSE = {"Content-Type": "application/jose"}


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    p = Pair(tmp_path_factory.mktemp("eco-pair"))
    p.set_up()
    p.start("CN")
    p.start("VN")
    yield p
    p.stop()


def _china_signs(pair: Pair, payload: dict[str, Any]) -> str:
    from silkgate.bootstrap import open_node

    env = pair.env("CN")
    node = open_node(
        Settings(
            mode="demo",
            database_url=env["SILKGATE_DATABASE_URL"],
            secret_key=env["SILKGATE_SECRET_KEY"],
            administration="CN",
            currency="CNY",
        )
    )
    try:
        return signed(node, "VN", payload)
    finally:
        node.close()


def _box_4_parked_by_viet_nam(pair: Pair, number: str) -> list[dict[str, Any]]:
    """Viet Nam's box 4 messages on ``number`` that China answered for good (refused)."""
    r = httpx.get(
        f"{pair.url('VN')}/v1/exchange/outbox?status=parked&limit=1000",
        headers=pair.headers("VN", "admin"),
        timeout=20,
    )
    assert r.status_code == 200, r.text
    return [
        m
        for m in r.json()["messages"]
        if m["type"] == "origin_treatment" and m["subject"] == number
    ]


def test_a_claim_is_checked_against_the_e_co_china_sent_and_box_4_goes_back(pair):
    """The certificate is made and signed here with China's key, not issued by China's node:
    Viet Nam checks the claim against it and sends box 4 back, and China, which holds no
    such certificate of its own, refuses it for good (a certificate China issued gets its
    box 4 recorded: tests/e2e/test_certificates_pair.py)."""
    issued = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)
    number = new_number()
    inbox = f"{pair.url('VN')}/v1/exchange/inbox"
    sent = httpx.post(
        inbox, content=_china_signs(pair, certificate(number, issued)), headers=JOSE, timeout=20
    )
    assert sent.status_code == 200 and sent.headers["silkgate-receipt-status"] == "accepted"

    doc = claiming(import_document("E2E-" + uuid.uuid4().hex[:8].upper()), number, issued)
    lodged = httpx.post(
        f"{pair.url('VN')}/v1/declarations",
        json=doc,
        headers=pair.headers("VN", "acme-trading"),
        timeout=20,
    )
    assert lodged.status_code == 201, lodged.text
    checked = lodged.json()["assessment"]["preferences"]
    assert [p["treatment"] for p in checked] == ["given", "given"]

    deadline = time.monotonic() + 60
    # One box 4 per item; the second waits behind the first (order per subject), which
    # China refuses for good.
    while not (parked := _box_4_parked_by_viet_nam(pair, number)):
        if time.monotonic() > deadline:
            pytest.fail("box 4 was not answered by China")
        time.sleep(0.25)
    assert "no certificate" in parked[0]["last_error"] and "bad_payload" in parked[0]["last_error"]
    sent = httpx.get(
        f"{pair.url('VN')}/v1/exchange/outbox?limit=1000",
        headers=pair.headers("VN", "admin"),
        timeout=20,
    ).json()["messages"]
    assert len([m for m in sent if m["type"] == "origin_treatment" and m["subject"] == number]) == 2

    seen = httpx.get(
        f"{pair.url('VN')}/v1/origin/received/{number}",
        headers=pair.headers("VN", "officer.nguyen"),
        timeout=20,
    ).json()
    assert [x["covered"] for x in seen["lines"]] == ["1200", "400"]


def test_a_tampered_e_co_is_refused_over_http(pair):
    issued = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=3)
    payload = certificate(new_number(), issued)
    payload["consignee"]["name"] = "Someone Else Co."  # after the hash
    refused = httpx.post(
        f"{pair.url('VN')}/v1/exchange/inbox",
        content=_china_signs(pair, payload),
        headers=JOSE,
        timeout=20,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"] == "/problems/hash_mismatch"
