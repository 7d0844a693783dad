"""The annual quota holds exactly when several processes lodge for one consumer at once.

Two processes, each with its own node (engine, connections), lodge the list entries
of twenty parcels of one consumer, one request per parcel, at the same time. Each
parcel is 3,608.50 CNY, so exactly seven fit in the 26,000 CNY a year: whatever the
interleaving, seven are released and thirteen refused, and the quota used is
7 x 3,608.50. Runs on SQLite, and on PostgreSQL with ``SILKGATE_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import multiprocessing
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import orjson
import sqlalchemy as sa

from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.ecommerce import samples
from silkgate.ecommerce.records import Kind
from silkgate.node import Node
from silkgate.store.db import reading
from silkgate.store.tables import ecommerce_parcels, ecommerce_quotas

BAG = "3608.50"  # 4 handbags of 899.00, with 12.50 freight and insurance


def bag(n: int, t: str) -> samples.Records:
    """Parcel ``n`` of the race: four handbags, for the one consumer of tag ``t``."""
    p = samples.parcel(2 + 4 * n, prefix=t, tag=t, consumers=1)
    for r in (p.order, p.entry):
        r["goods"][0]["quantity"] = 4
    p.order["total"] = p.payment["amount"] = BAG
    return p


def lodge(settings_json: str, token: str, t: str, numbers: list[int], start: object) -> None:
    """In a process of its own: one request per list entry, once ``start`` is set."""
    node = open_node(Settings.model_validate_json(settings_json))
    try:
        agent = node.tokens.resolve(token)
        assert agent is not None
        start.wait(60)  # type: ignore[attr-defined]
        for n in numbers:
            result = node.ecommerce.receive(agent, Kind.PARCELS, [orjson.dumps(bag(n, t).entry)])
            assert result[0]["status"] == "accepted", result
    finally:
        node.close()


def test_two_processes_never_take_a_consumer_past_the_annual_limit(
    node: Node, settings: Settings, tokens: dict[str, str]
) -> None:
    t = uuid.uuid4().hex[:10].upper()
    officer = node.tokens.resolve(tokens["officer.li"])
    assert officer is not None
    node.ecommerce.set_guarantee(officer, "91330100MA2DEMOAG4", Decimal("100000000"), "G-RACE")
    parcels = [bag(n, t) for n in range(20)]
    for kind, user, field in (
        (Kind.ORDERS, "platform.tmall-demo", "order"),
        (Kind.PAYMENTS, "payment.alipay-demo", "payment"),
        (Kind.WAYBILLS, "logistics.cainiao-demo", "waybill"),
    ):
        sender = node.tokens.resolve(tokens[user])
        assert sender is not None
        sent = node.ecommerce.receive(
            sender, kind, [orjson.dumps(getattr(p, field)) for p in parcels]
        )
        assert {r["status"] for r in sent} == {"accepted"}
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(
            target=lodge,
            args=(settings.model_dump_json(), tokens["agent.ecom-demo"], t, list(half), start),
        )
        for half in (range(0, 20, 2), range(1, 20, 2))
    ]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    p, q = ecommerce_parcels, ecommerce_quotas
    orders = [x.order["order_no"] for x in parcels]
    with reading(node.engine) as conn:
        states = conn.execute(
            sa.select(p.c.status, sa.func.count())
            .where(p.c.order_no.in_(orders))
            .group_by(p.c.status)
            .order_by(p.c.status)
        ).all()
        used = conn.execute(
            sa.select(q.c.used).where(
                q.c.consumer_hash.in_(sa.select(p.c.consumer_hash).where(p.c.order_no == orders[0]))
            )
        ).scalar_one()
    assert [tuple(s) for s in states] == [("refused", 13), ("released", 7)]
    assert Decimal(used) == 7 * Decimal(BAG)


def test_the_last_two_records_of_parcels_arriving_at_once_still_decide_them(
    node: Node, tokens: dict[str, str]
) -> None:
    """Payments and waybills sent at the same time, one request per record, from two
    threads: whichever commits second finds the parcel complete and decides it."""
    t = uuid.uuid4().hex[:10].upper()
    parcels = [samples.parcel(n, prefix=t, tag=t) for n in range(20)]
    who = {u: node.tokens.resolve(tokens[u]) for u in tokens}
    agent = "91330100MA2DEMOAG4"
    node.ecommerce.set_guarantee(who["officer.li"], agent, Decimal("100000000"), "G-LAST")
    for kind, user, field in (
        (Kind.ORDERS, "platform.tmall-demo", "order"),
        (Kind.PARCELS, "agent.ecom-demo", "entry"),
    ):
        node.ecommerce.receive(who[user], kind, [orjson.dumps(getattr(p, field)) for p in parcels])

    def send(kind: Kind, user: str, field: str) -> None:
        for p in parcels:
            node.ecommerce.receive(who[user], kind, [orjson.dumps(getattr(p, field))])

    with ThreadPoolExecutor(2) as pool:
        done = [
            pool.submit(send, Kind.PAYMENTS, "payment.alipay-demo", "payment"),
            pool.submit(send, Kind.WAYBILLS, "logistics.cainiao-demo", "waybill"),
        ]
        for future in done:
            future.result()
    states = {
        node.ecommerce.parcel(who["officer.li"], p.order["order_no"])[0]["status"] for p in parcels
    }
    assert states == {"released"}
