"""Cross-border e-commerce parcels through the use cases: the three-list check, limits,
tax against the guarantee, risk, returns, the timeout sweep, idempotency.

Runs on SQLite, and on PostgreSQL with ``SILKGATE_TEST_DATABASE_URL``. Each test
uses its own order numbers and consumers (the shared database keeps what others did).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import orjson
import pytest

from silkgate.ecommerce import samples
from silkgate.ecommerce.facts import ModelBudget
from silkgate.ecommerce.records import Kind
from silkgate.ecommerce.services.sweeper import Sweeper
from silkgate.kernel.actors import Principal
from silkgate.node import Node

AGENT_PARTY = "91330100MA2DEMOAG4"


def lines(records: list[dict[str, Any]]) -> list[bytes]:
    return [orjson.dumps(r) for r in records]


@pytest.fixture(scope="module")
def who(node: Node, tokens: dict[str, str]) -> dict[str, Principal]:
    names = {
        "platform": "platform.tmall-demo",
        "payment": "payment.alipay-demo",
        "logistics": "logistics.cainiao-demo",
        "agent": "agent.ecom-demo",
        "officer": "officer.li",
        "acme": "acme-trading",
    }
    found = {k: node.tokens.resolve(tokens[v]) for k, v in names.items()}
    assert all(found.values())
    return found  # type: ignore[return-value]


@pytest.fixture(scope="module", autouse=True)
def guarantee(node: Node, who: dict[str, Principal]) -> None:
    node.ecommerce.set_guarantee(who["officer"], AGENT_PARTY, Decimal("100000000"), "G-TEST-1")


def tag() -> str:
    return uuid.uuid4().hex[:10].upper()


def send_all(node: Node, who: dict[str, Principal], parcels: list[samples.Records]) -> list[Any]:
    """Send the four lists (list entries first: any order will do); the last results."""
    out = []
    for kind, sender, field in (
        (Kind.PARCELS, "agent", "entry"),
        (Kind.ORDERS, "platform", "order"),
        (Kind.PAYMENTS, "payment", "payment"),
        (Kind.WAYBILLS, "logistics", "waybill"),
    ):
        out = node.ecommerce.receive(who[sender], kind, lines([getattr(p, field) for p in parcels]))
        assert all(r["status"] == "accepted" for r in out), out
    return out


def status(node: Node, who: dict[str, Principal], order_no: str) -> dict[str, Any]:
    return node.ecommerce.parcel(who["officer"], order_no)[0]


def test_matched_parcels_are_released_with_the_reduced_tax(node, who):
    t = tag()
    parcels = [samples.parcel(n, prefix=t, tag=t) for n in range(4)]
    results = send_all(node, who, parcels)
    assert [r["parcel"] for r in results] == ["released"] * 4
    cream = status(node, who, parcels[0].order["order_no"])
    # 189.00 + 12.50 freight and insurance = 201.50; VAT 13 % x 70 %, duty 0.
    assert cream["customs_value"] == "201.50"
    assert cream["tax"] == str(
        (Decimal("201.50") * Decimal("0.13") * Decimal("0.7")).quantize(Decimal("0.01"))
    )
    assert "consumer_hash" not in cream


def test_mismatched_records_hold_the_parcel_with_the_reasons(node, who):
    t = tag()
    p = samples.parcel(1, prefix=t, tag=t)
    p.payment["amount"] = "1.00"
    p.waybill["waybill_no"] = "WB-OTHER"
    p.entry["consumer"] = samples.consumer(99, t)
    send_all(node, who, [p])
    found = status(node, who, p.order["order_no"])
    assert found["status"] == "held"
    for code in ("payment_amount_mismatch", "consumer_mismatch", "waybill_mismatch"):
        assert code.split("_")[0] in found["reason"] or code == found["reason_code"]


def test_limits_refuse_over_the_transaction_and_the_year(node, who):
    t = tag()
    big = samples.parcel(2, prefix=t, tag=t)  # the handbag
    for r in (big.order, big.entry):
        r["goods"][0]["quantity"] = 6  # 5,394 CNY
    big.order["total"] = big.payment["amount"] = str(Decimal("899.00") * 6 + Decimal("12.50"))
    send_all(node, who, [big])
    found = status(node, who, big.order["order_no"])
    assert (found["status"], found["reason_code"]) == ("refused", "over_transaction_limit")
    # One consumer, handbags of 4 x 899 + 12.50 = 3,608.50 each: 7 fit in 26,000, the 8th not.
    bags = []
    for n in range(8):
        p = samples.parcel(2 + 4 * n, prefix=t + "Y", tag=t, consumers=1)
        for r in (p.order, p.entry):
            r["goods"][0]["quantity"] = 4
        p.order["total"] = p.payment["amount"] = "3608.50"
        bags.append(p)
    send_all(node, who, bags)
    states = [status(node, who, p.order["order_no"])["status"] for p in bags]
    assert states == ["released"] * 7 + ["refused"]


def test_a_resent_file_changes_nothing_and_a_changed_body_is_refused(node, who):
    t = tag()
    p = samples.parcel(0, prefix=t, tag=t)
    first = node.ecommerce.receive(who["platform"], Kind.ORDERS, lines([p.order]))
    again = node.ecommerce.receive(who["platform"], Kind.ORDERS, lines([p.order]))
    assert (first[0]["status"], again[0]["status"]) == ("accepted", "unchanged")
    changed = {**p.order, "freight": "13.00"}
    refused = node.ecommerce.receive(who["platform"], Kind.ORDERS, lines([changed]))
    assert refused[0]["errors"][0]["code"] == "duplicate_id"


def test_bad_lines_are_refused_one_by_one(node, who):
    t = tag()
    good, bad = (samples.parcel(n, prefix=t, tag=t) for n in range(2))
    wrong_hs = {**bad.entry, "id": "L-X1", "order_no": t + "X1"}
    wrong_hs["goods"] = [{**bad.entry["goods"][0], "hs_code": "999999"}]
    negative = {**bad.entry, "id": "L-X2", "order_no": t + "X2", "freight": "-1.00"}
    no_consumer = {k: v for k, v in bad.entry.items() if k != "consumer"} | {"id": "L-X3"}
    currency = {**bad.entry, "id": "L-X4", "order_no": t + "X4", "currency": "QQQ"}
    sent = [b"{not json", orjson.dumps(wrong_hs), orjson.dumps(negative), orjson.dumps(no_consumer),
            orjson.dumps(currency), orjson.dumps(good.entry)]  # fmt: skip
    results = node.ecommerce.receive(who["agent"], Kind.PARCELS, sent)
    codes = [(r["status"], [e["code"] for e in r.get("errors", [])]) for r in results]
    assert codes == [
        ("refused", ["malformed_json"]),
        ("refused", ["unknown_code"]),
        ("refused", ["negative_amount"]),
        ("refused", ["missing"]),
        ("refused", ["unknown_code"]),
        ("accepted", []),
    ]
    assert results[2]["errors"][0]["pointer"] == "/freight"
    assert results[3]["errors"][0]["pointer"] == "/consumer"
    waybill = node.ecommerce.receive(who["logistics"], Kind.WAYBILLS, lines([bad.waybill]))
    assert waybill[0]["errors"][0]["code"] == "unknown_order"


def test_a_return_gives_back_the_tax_and_the_quota(node, who):
    t = tag()
    p = samples.parcel(0, prefix=t, tag=t)
    send_all(node, who, [p])
    before = node.ecommerce.guarantee(who["officer"], AGENT_PARTY)
    returned = node.ecommerce.return_parcel(who["agent"], p.order["platform"], p.order["order_no"])
    assert returned["status"] == "returned"
    after = node.ecommerce.guarantee(who["officer"], AGENT_PARTY)
    assert Decimal(after["drawn"]) == Decimal(before["drawn"]) - Decimal(returned["tax"])


def test_the_serving_node_sweeps_in_the_background(node, who):
    t = tag()
    p = samples.parcel(0, prefix=t, tag=t)
    node.ecommerce.receive(who["agent"], Kind.PARCELS, lines([p.entry]))
    clock = node.ecommerce.clock
    sweeper = Sweeper(lambda limit: node.ecommerce.sweep(None, limit), interval=3600)
    try:
        node.ecommerce.clock = lambda: clock() + dt.timedelta(hours=25)
        sweeper.start()
        assert sweeper.wait_for_pass(0, timeout=60)
    finally:
        sweeper.stop()
        node.ecommerce.clock = clock
    assert sweeper.held >= 1
    found = status(node, who, p.order["order_no"])
    assert (found["status"], found["reason_code"]) == ("held", "incomplete")
    # The node starts its own (every ecommerce_sweep_seconds) and stops it on close.
    node.start_sweeper()
    try:
        assert node.sweeper is not None
        assert node.sweeper.wait_for_pass(0, timeout=60)
    finally:
        node.stop_sweeper()
    assert node.sweeper is None


class OrderScorer:
    """A stand-in risk model: sure of the goods of one order, of nothing else."""

    def __init__(self, order_no: str) -> None:
        self.order_no = order_no
        self.calls = 0

    def score_items(self, facts: list[dict[str, Any]], on: dt.date) -> list[float]:
        self.calls += 1
        return [1.0 if f["item.description"] == self.order_no else 0.0 for f in facts]


def test_the_risk_model_holds_the_parcels_it_scores_highest(node, who):
    t = tag()
    parcels = [samples.parcel(n, prefix=t, tag=t) for n in range(5)]
    risky = parcels[3]
    for body in (risky.order, risky.entry):
        body["goods"][0]["description"] = risky.order["order_no"]
    model = OrderScorer(risky.order["order_no"])
    pricing = node.ecommerce.pricing
    try:
        node.ecommerce.pricing = dataclasses.replace(
            pricing, model=lambda: model, model_budget=ModelBudget(Decimal("0.01"))
        )
        results = send_all(node, who, parcels)
    finally:
        node.ecommerce.pricing = pricing
    assert model.calls == 1  # the whole batch in one call
    assert [r["parcel"] for r in results] == ["released"] * 3 + ["held", "released"]
    found = status(node, who, risky.order["order_no"])
    assert (found["status"], found["selected"]) == ("held", True)
    assert found["reason_code"] == "selected_for_inspection"
    assert "risk model score 1.000" in found["reason"]


def test_an_incomplete_parcel_is_held_by_the_sweep(node, who):
    t = tag()
    p = samples.parcel(0, prefix=t, tag=t)
    node.ecommerce.receive(who["agent"], Kind.PARCELS, lines([p.entry]))
    clock = node.ecommerce.clock
    try:
        node.ecommerce.clock = lambda: clock() + dt.timedelta(hours=25)
        assert node.ecommerce.sweep() >= 1
    finally:
        node.ecommerce.clock = clock
    found = status(node, who, p.order["order_no"])
    assert (found["status"], found["reason_code"]) == ("held", "incomplete")
    assert "no order, no payment, no waybill" in found["reason"]
    send_all_but = node.ecommerce.receive
    send_all_but(who["platform"], Kind.ORDERS, lines([p.order]))
    send_all_but(who["payment"], Kind.PAYMENTS, lines([p.payment]))
    send_all_but(who["logistics"], Kind.WAYBILLS, lines([p.waybill]))
    assert status(node, who, p.order["order_no"])["status"] == "released"
