"""Benchmark: cross-border e-commerce parcels per second, the whole parcel path, durable.

    .venv/bin/python bench/ecommerce.py                       # 50,000 parcels, SQLite
    .venv/bin/python bench/ecommerce.py --n 100000 --db postgresql --http --workers 2

A fresh database is migrated and loaded with the reference data, the demo users and
the demo tariff; the agent's guarantee is set. Then N illustrative parcels
(``silkgate.ecommerce.samples``: four goods lines of the demo tariff, 50,000
consumers) go through, four lists of N records each, 10,000 records a request: the
orders, the payments, the waybills, then the agent's list entries, whose arrival
completes each parcel, which is decided in the same transaction (three-list check,
single and annual limits with the quotas locked, tax from the tariff in force drawn
from the guarantee, the risk profiles, the decision written, committed).

Two figures:

- ``in process``: the node's use case called directly (``node.ecommerce.receive``),
  the NDJSON lines prepared beforehand, as the API hands them over;
- ``over HTTP`` (``--http``): a real ``silkgate serve`` process (``--workers``) on the
  same kind of database, the lists posted as NDJSON, ``--concurrency`` requests at
  a time, by a client on the same machine.

Parcels per second is N divided by the time all four lists took (every record of
the parcel is part of its path). Prints figures and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lodge import SECRET, fresh_database, machine, prepare, start_node, stop_node
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.ecommerce import samples
from silkgate.ecommerce.records import Kind
from silkgate.kernel.actors import Principal, Role
from silkgate.store.db import make_engine, reading
from silkgate.store.tables import ecommerce_parcels

AGENT = "91330100MA2DEMOAG4"
ORDER = (
    (Kind.ORDERS, "platform.tmall-demo", "order"),
    (Kind.PAYMENTS, "payment.alipay-demo", "payment"),
    (Kind.WAYBILLS, "logistics.cainiao-demo", "waybill"),
    (Kind.PARCELS, "agent.ecom-demo", "entry"),
)
BATCH = 10_000


def lists(n: int, prefix: str) -> dict[Kind, list[bytes]]:
    """The four lists of parcels 0..n-1, as NDJSON lines."""
    out: dict[Kind, list[bytes]] = {kind: [] for kind, _, _ in ORDER}
    for i in range(n):
        records = samples.parcel(i, prefix=prefix, tag="B" + prefix)
        for kind, _, field in ORDER:
            out[kind].append(orjson.dumps(getattr(records, field)))
    return out


def statuses(url: str) -> dict[str, int]:
    engine = make_engine(url, pool_size=1)
    p = ecommerce_parcels
    with reading(engine) as conn:
        rows = conn.execute(
            sa.select(p.c.status, sa.func.count()).group_by(p.c.status).order_by(p.c.status)
        ).all()
    engine.dispose()
    return {str(s): int(c) for s, c in rows}


def in_process(url: str, n: int) -> dict[str, Any]:
    node = open_node(Settings(mode="test", database_url=url, secret_key=SECRET))
    staff = Principal(0, "bench", Role.ADMIN, None)
    node.ecommerce.set_guarantee(staff, AGENT, Decimal("1000000000"), "G-BENCH")
    data = lists(n, "P")
    # What a serving node holds already: the tariff, the rates and the profiles in force.
    node.ecommerce.hs_checker()
    node.ecommerce.pricing.tariff()
    node.ecommerce.pricing.profiles()
    users = {u.name: u for u in _principals(node)}
    phases: dict[str, float] = {}
    cpu0, started = time.process_time(), time.perf_counter()
    for kind, user, _ in ORDER:
        t0 = time.perf_counter()
        lines = data[kind]
        for i in range(0, n, BATCH):
            node.ecommerce.receive(users[user], kind, lines[i : i + BATCH])
        phases[kind.value] = time.perf_counter() - t0
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu0
    node.close()
    return {
        "parcels": n,
        "seconds": round(elapsed, 2),
        "parcels_per_s": round(n / elapsed),
        "cpu_parcels_per_s": round(n / cpu),
        "seconds_by_list": {k: round(v, 2) for k, v in phases.items()},
    }


def _principals(node: Any) -> list[Principal]:
    from silkgate.store import principals

    with reading(node.engine) as conn:
        return principals.all_principals(conn)


def over_http(url: str, n: int, workers: int | None, concurrency: int, log: Path) -> dict[str, Any]:
    from silkgate import demo

    proc, base = start_node(url, workers, log)
    try:
        tokens = {u.name: demo.demo_token(SECRET, u.name) for u in demo.users_of("CN")}
        r = httpx.post(
            f"{base}/v1/ecommerce/guarantees",
            json={"agent": AGENT, "amount": "1000000000.00", "reference": "G-BENCH-HTTP"},
            headers={"Authorization": f"Bearer {tokens['admin']}"},
        )
        r.raise_for_status()
        data = lists(n, "H")
        phases: dict[str, float] = {}
        started = time.perf_counter()
        for kind, user, _ in ORDER:
            t0 = time.perf_counter()
            headers = {
                "Authorization": f"Bearer {tokens[user]}",
                "Content-Type": "application/x-ndjson",
            }
            url = f"{base}/v1/ecommerce/{kind.value}"
            bodies = [b"\n".join(data[kind][i : i + BATCH]) for i in range(0, n, BATCH)]
            with (
                httpx.Client(headers=headers, timeout=600) as client,
                ThreadPoolExecutor(concurrency) as pool,
            ):
                for answer in pool.map(lambda b, url=url: client.post(url, content=b), bodies):
                    answer.raise_for_status()
            phases[kind.value] = time.perf_counter() - t0
        elapsed = time.perf_counter() - started
    finally:
        stop_node(proc)
    return {
        "parcels": n,
        "seconds": round(elapsed, 2),
        "parcels_per_s": round(n / elapsed),
        "seconds_by_list": {k: round(v, 2) for k, v in phases.items()},
        "workers": workers or 1,
        "concurrency": concurrency,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50_000, help="parcels")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--http", action="store_true", help="also over HTTP")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures: dict[str, Any] = {"machine": machine()}
    for label in ("in_process", "over_http") if args.http else ("in_process",):
        db = fresh_database(args.db)
        try:
            prepare(db.url)
            figures["database"] = db.server_version
            if label == "in_process":
                figures[label] = in_process(db.url, args.n)
            else:
                log = Path(tempfile.mkdtemp(prefix="silkgate-bench-")) / "node.log"
                figures[label] = over_http(db.url, args.n, args.workers, args.concurrency, log)
            figures[label]["outcomes"] = statuses(db.url)
        finally:
            db.cleanup()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"{figures['machine']['cpu']}, {figures['machine']['cores']} cores; {figures['database']}"
    )
    for label in ("in_process", "over_http"):
        if label in figures:
            f = figures[label]
            print(
                f"{label.replace('_', ' ')}: {f['parcels']} parcels in {f['seconds']} s = "
                f"{f['parcels_per_s']} parcels/s; by list {f['seconds_by_list']}; {f['outcomes']}"
            )


if __name__ == "__main__":
    main()
