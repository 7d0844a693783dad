"""Two real node processes: a certificate of origin issued in China reaches Viet Nam's inbox,
and Viet Nam's answer (box 4) reaches China's certificate.

What Viet Nam's node does with a certificate it receives is the importing
side's business; here its inbox accepts the message, and China's outbox marks
it delivered on Viet Nam's signed receipt. Box 4 is sent here as Viet Nam's
node sends it, signed with its key.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest

from silkgate.config import Settings
from silkgate.exchange import envelope
from silkgate.exchange.envelope import Envelope
from tests.conftest import ROOT
from tests.e2e.test_exchange_pair import Pair, pair  # noqa: F401 (the fixture)


def _wait(condition: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for delivery")
        time.sleep(0.25)
    return found


def _vn_signed(nodes: Pair, payload: dict[str, Any]) -> str:
    """An ``origin_treatment`` from Viet Nam's node, signed with its own key."""
    from silkgate.bootstrap import open_node

    env = nodes.env("VN")
    node = open_node(
        Settings(
            mode="demo",
            database_url=env["SILKGATE_DATABASE_URL"],
            secret_key=env["SILKGATE_SECRET_KEY"],
            administration="VN",
            currency="VND",
        )
    )
    try:
        at = node.exchange.clock()
        message = Envelope.new("origin_treatment", "VN", "CN", payload["number"], payload, at)
        kid, key = node.exchange.signer()
        return envelope.sign(message, key, kid, at)
    finally:
        node.close()


def test_a_certificate_issued_in_china_is_delivered_to_viet_nam(pair):  # noqa: F811
    cn = pair.url("CN")
    app = json.loads((ROOT / "examples" / "origin-application.json").read_text())
    app["lines"][0]["invoice"]["number"] = f"INV-PAIR-{uuid.uuid4().hex[:6]}"
    r = httpx.post(
        f"{cn}/v1/origin/applications", json=app, headers=pair.headers("CN", "acme-trading"),
        timeout=20,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    r = httpx.post(
        f"{cn}/v1/origin/applications/{r.json()['id']}/approve",
        headers=pair.headers("CN", "origin.zhou"),
        timeout=20,
    )
    assert r.status_code == 201, r.text
    number = r.json()["number"]

    def delivered() -> dict[str, Any] | None:
        sent = httpx.get(
            f"{cn}/v1/exchange/outbox?limit=1000", headers=pair.headers("CN", "admin"), timeout=20
        ).json()["messages"]
        return next(
            (m for m in sent if m["subject"] == number and m["status"] == "delivered"), None
        )

    message = _wait(delivered)
    assert message["partner"] == "VN" and message["type"] == "origin_certificate"
    received = httpx.get(
        f"{pair.url('VN')}/v1/exchange/inbox?limit=1000",
        headers=pair.headers("VN", "admin"),
        timeout=20,
    ).json()["messages"]
    (arrived,) = [m for m in received if m["subject"] == number]
    assert arrived["type"] == "origin_certificate" and arrived["sender"] == "CN"

    # Viet Nam answers box 4; China's origin officer reads it on the certificate.
    token = _vn_signed(
        pair,
        {
            "number": number, "declaration": "26VNPAIR000000001", "item": 1, "line": 1,
            "treatment": "given", "reason_code": None, "reason": None,
            "decided_on": "2026-11-30",
        },
    )  # fmt: skip
    r = httpx.post(
        f"{cn}/v1/exchange/inbox", content=token,
        headers={"Content-Type": "application/jose"}, timeout=20,
    )  # fmt: skip
    assert r.status_code == 200 and r.headers["silkgate-receipt-status"] == "accepted", r.text
    seen = httpx.get(
        f"{cn}/v1/origin/certificates/{number}/document",
        headers=pair.headers("CN", "origin.zhou"),
        timeout=20,
    ).json()
    assert [(t["sender"], t["treatment"]) for t in seen["treatments"]] == [("VN", "given")]
