"""The e-commerce bulk API over HTTP: NDJSON in, one result line per record out; limits;
the reads each party is given. Runs on SQLite, and on PostgreSQL with
``SILKGATE_TEST_DATABASE_URL``."""

from __future__ import annotations

import uuid

import orjson

from silkgate.ecommerce import samples
from tests.integration.conftest import auth

NDJSON = {"Content-Type": "application/x-ndjson"}
AGENT_PARTY = "91330100MA2DEMOAG4"


def ndjson(records) -> bytes:
    return b"\n".join(orjson.dumps(r) for r in records) + b"\n"


def results(r) -> list[dict]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    return [orjson.loads(line) for line in r.content.splitlines()]


def post(client, tokens, kind: str, user: str, body: bytes):
    return client.post(
        f"/v1/ecommerce/{kind}", content=body, headers={**NDJSON, **auth(tokens[user])}
    )


def test_four_lists_in_any_order_release_the_parcels(client, tokens):
    officer = auth(tokens["officer.li"])
    r = client.post(
        "/v1/ecommerce/guarantees",
        json={"agent": AGENT_PARTY, "amount": "100000000.00", "reference": "G-API"},
        headers=officer,
    )
    assert r.status_code == 200, r.text
    t = uuid.uuid4().hex[:10].upper()
    who = "ID" + t  # the consumers' identity numbers: never in any answer
    parcels = [samples.parcel(n, prefix=t, tag=who) for n in range(50)]
    sent = [
        ("payments", "payment.alipay-demo", "payment"),
        ("parcels", "agent.ecom-demo", "entry"),
        ("orders", "platform.tmall-demo", "order"),
        ("waybills", "logistics.cainiao-demo", "waybill"),
    ]
    for kind, user, field in sent:
        lines = results(
            post(client, tokens, kind, user, ndjson(getattr(p, field) for p in parcels))
        )
        assert [x["line"] for x in lines] == list(range(1, 51))
        assert {x["status"] for x in lines} == {"accepted"}
    assert {x["parcel"] for x in lines} == {"released"}
    # The same file again changes nothing.
    again = results(
        post(
            client, tokens, "waybills", "logistics.cainiao-demo", ndjson(p.waybill for p in parcels)
        )
    )
    assert {x["status"] for x in again} == {"unchanged"}
    platform = auth(tokens["platform.tmall-demo"])
    one = client.get(f"/v1/ecommerce/parcels/{parcels[0].order['order_no']}", headers=platform)
    assert one.status_code == 200, one.text
    shown = one.json()["items"][0]
    assert shown["status"] == "released" and "consumer_hash" not in shown
    assert samples.consumer(0, who)["id_number"] not in one.text
    figures = client.get("/v1/ecommerce/figures", headers=platform).json()
    assert figures["by_status"]["released"] >= 50
    # The payment company reads no parcel; another platform's parcels are not found.
    assert (
        client.get("/v1/ecommerce/held", headers=auth(tokens["payment.alipay-demo"])).status_code
        == 403
    )


def test_a_request_over_the_limits_is_refused_whole(client, tokens):
    t = uuid.uuid4().hex[:10].upper()
    many = b"{}\n" * 10_001
    r = post(client, tokens, "orders", "platform.tmall-demo", many)
    assert r.status_code == 413 and r.json()["type"] == "/problems/too-many-records"
    r = client.post(
        "/v1/ecommerce/orders",
        content=ndjson([samples.parcel(0, prefix=t, tag=t).order]),
        headers={"Content-Type": "application/json", **auth(tokens["platform.tmall-demo"])},
    )
    assert r.status_code == 415
    huge = b" " * 16_000_001
    r = post(client, tokens, "orders", "platform.tmall-demo", huge)
    assert r.status_code == 413


def test_bad_lines_are_answered_each_and_the_others_go_through(client, tokens):
    t = uuid.uuid4().hex[:10].upper()
    good = samples.parcel(0, prefix=t, tag=t).order
    negative = {**samples.parcel(1, prefix=t, tag=t).order, "total": "-5.00"}
    body = b"[1, 2]\n" + ndjson([negative, good])
    lines = results(post(client, tokens, "orders", "platform.tmall-demo", body))
    assert [x["status"] for x in lines] == ["refused", "refused", "accepted"]
    assert lines[0]["errors"][0]["code"] == "not_an_object"
    assert lines[1]["errors"] == [
        {"pointer": "/total", "code": "negative_amount", "detail": lines[1]["errors"][0]["detail"]}
    ]
