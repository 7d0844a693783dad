"""Benchmark: lodging realistic declarations, in process and over HTTP, on SQLite and PostgreSQL.

    .venv/bin/python bench/lodge.py                  # both backends, both modes
    .venv/bin/python bench/lodge.py --db sqlite --mode http --n 5000 --workers 2

Each declaration has 5-20 items with valid codes (HS 2022 subheadings, partner
origins, Rec 20 units, Rec 21 packages, UN/LOCODE ports) and totals that add
up. Over HTTP a real node process is started on a fresh database and loaded
by an aiohttp client with many connections; every answer must be 201, and the
number of stored declarations is checked against the number of 201s after
the run ("every 201 means committed"). Prints figures; asserts nothing about
time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from silkgate import demo
from silkgate.access.principals import demo_token
from silkgate.config import Settings
from silkgate.node import open_node
from silkgate.refdata import files
from silkgate.store import migrate, refdata
from silkgate.store.db import make_engine
from silkgate.store.tables import declarations

SECRET = "bench-secret-key-0123456789"
DECLARANT = ("91310115MA1K4DEMO1", "Shanghai Acme Trading Co. (demo)")
ASEAN = {"VN", "TH", "MY", "ID", "SG", "PH", "KH", "LA", "MM", "BN"}
ORIGINS = ["VN", "TH", "MY", "ID", "SG", "KZ", "RU", "US", "DE", "JP", "KR", "AU"]
OFFICES = ["CNSGH", "CNSNZ", "CNNBO", "CNQIN", "CNTNJ", "CNGGZ", "CNXAM"]
UNITS = ["KGM", "NAR", "LTR", "TNE"]
PACKAGES = ["CT", "PK", "BX", "PL", "BG"]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


class Generator:
    """Seeded generator of valid, varied declarations."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.hs = [r for r in files.hs_codes() if r["level"] == 6]
        ports: dict[str, list[str]] = {}
        for loc in files.locations():
            if loc["country"] in ORIGINS and (loc["function"] or "").startswith("1"):
                ports.setdefault(loc["country"], []).append(loc["code"])
        self.ports = ports
        self.origins = [c for c in ORIGINS if c in ports]
        self.today = dt.datetime.now(dt.UTC).date()

    def declaration(self, n: int) -> dict[str, Any]:
        rng = self.rng
        origin = rng.choice(self.origins)
        office = rng.choice(OFFICES)
        items, total_value, total_packages, net = [], Decimal(0), 0, Decimal(0)
        for seq in range(1, rng.randint(5, 20) + 1):
            hs = rng.choice(self.hs)
            code = hs["code"] + (f"{rng.randint(0, 99):02d}" if rng.random() < 0.7 else "")
            value = Decimal(rng.randint(100, 500_000)) / 100
            mass = Decimal(rng.randint(1, 200_000)) / 10
            count = rng.randint(1, 400)
            item: dict[str, Any] = {
                "seq": seq,
                "description": hs["description"][:200],
                "hs_code": code,
                "origin": origin,
                "net_mass_kg": str(mass),
                "packages": {"count": count, "kind": rng.choice(PACKAGES)},
                "value": f"{value:.2f}",
            }
            if rng.random() < 0.5:
                item["supplementary_quantity"] = {
                    "value": str(rng.randint(1, 10_000)),
                    "unit": rng.choice(UNITS),
                }
            if origin in ASEAN and rng.random() < 0.6:
                item["preference"] = {
                    "agreement": "ACFTA",
                    "proof": {
                        "type": "FORM_E",
                        "reference": f"E{self.today:%Y}{origin}{rng.randint(1, 10**7)}",
                        "date": str(self.today - dt.timedelta(days=rng.randint(3, 20))),
                    },
                }
            items.append(item)
            total_value += value
            total_packages += count
            net += mass
        return {
            "type": "IM",
            "procedure": "4000",
            "lrn": f"B{n:07d}-{uuid.uuid4().hex[:8].upper()}",
            "office": office,
            "declarant": {"id": DECLARANT[0], "name": DECLARANT[1]},
            "importer": {
                "id": DECLARANT[0],
                "name": DECLARANT[1],
                "address": {"city": "Shanghai", "country": "CN"},
            },
            "exporter": {
                "name": f"Exporter {rng.randint(1, 5000)} (bench)",
                "address": {"city": "Somewhere", "country": origin},
            },
            "transport": {
                "mode": 1,
                "means_id": f"IMO{rng.randint(9_000_000, 9_999_999)}",
                "document": {"type": "BL", "number": f"BL{rng.randint(1, 10**9)}"},
                "loading_place": rng.choice(self.ports[origin]),
                "discharge_place": office,
                "dispatch_country": origin,
                "destination_country": "CN",
                "arrival_date": str(self.today + dt.timedelta(days=rng.randint(1, 20))),
            },
            "invoice": {
                "number": f"INV-{n}",
                "date": str(self.today - dt.timedelta(days=rng.randint(2, 30))),
                "currency": "USD",
                "amount": f"{total_value:.2f}",
                "incoterm": rng.choice(["FOB", "CIF", "EXW", "CFR"]),
                "incoterm_place": "port of loading",
            },
            "totals": {
                "gross_mass_kg": str(net + rng.randint(10, 500)),
                "packages": total_packages,
                "items": len(items),
            },
            "items": items,
        }


@dataclass
class Database:
    url: str
    cleanup: Any


def fresh_database(kind: str) -> Database:
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="silkgate-bench-")
        return Database(
            f"sqlite:///{folder}/bench.db", lambda: shutil.rmtree(folder, ignore_errors=True)
        )
    name = f"silkgate_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return Database(PG_ADMIN.rsplit("/", 1)[0] + "/" + name, drop)


def prepare(url: str) -> float:
    started = time.perf_counter()
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=1)
    refdata.load(engine)
    demo.setup(engine, SECRET)
    engine.dispose()
    return time.perf_counter() - started


def count_stored(url: str) -> int:
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(declarations)).scalar_one()
    engine.dispose()
    return int(n)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def report(
    label: str, n: int, elapsed: float, latencies: list[float], items: float, extra: str = ""
) -> dict[str, Any]:
    figures = {
        "run": label,
        "declarations": n,
        "seconds": round(elapsed, 2),
        "per_second": round(n / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5), 2),
        "p90_ms": round(percentile(latencies, 0.9), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "items_avg": round(items, 1),
    }
    print(
        f"{label:<34} {n:>6} decl  {elapsed:7.2f} s  {n / elapsed:8.1f} decl/s  "
        f"p50 {figures['p50_ms']:7.2f} ms  p90 {figures['p90_ms']:7.2f} ms  "
        f"p99 {figures['p99_ms']:7.2f} ms  {items:.1f} items/decl {extra}"
    )
    return figures


def in_process(url: str, docs: list[dict[str, Any]], warmup: int) -> dict[str, Any]:
    """Sequential lodgings through the service: validation + one transaction each."""
    node = open_node(Settings(mode="test", database_url=url, secret_key=SECRET))
    principal = node.tokens.resolve(demo_token(SECRET, "acme-trading"))
    for doc in docs[:warmup]:
        node.declarations.lodge(principal, doc)
    latencies = []
    started = time.perf_counter()
    for doc in docs[warmup:]:
        t = time.perf_counter()
        node.declarations.lodge(principal, doc)
        latencies.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - started
    node.close()
    measured = docs[warmup:]
    return report(
        "in process (sequential)",
        len(measured),
        elapsed,
        latencies,
        statistics.mean(len(d["items"]) for d in measured),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_node(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "SILKGATE_MODE": "test",
        "SILKGATE_DATABASE_URL": url,
        "SILKGATE_SECRET_KEY": SECRET,
    }
    silkgate = str(Path(sys.executable).parent / "silkgate")
    command = [silkgate, "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
        if proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit(f"node did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


async def fire(
    base: str, bodies: list[tuple[bytes, str | None]], concurrency: int
) -> tuple[float, list[float], dict[int, int], list[str]]:
    import aiohttp

    token = demo_token(SECRET, "acme-trading")
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    samples: list[str] = []
    queue = list(reversed(bodies))
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            while queue:
                body, key = queue.pop()
                extra = {"Idempotency-Key": key} if key else {}
                t = time.perf_counter()
                async with session.post(f"{base}/v1/declarations", data=body, headers=extra) as r:
                    text = await r.read()
                latencies.append(time.perf_counter() - t)
                statuses[r.status] = statuses.get(r.status, 0) + 1
                if r.status != 201 and len(samples) < 3:
                    samples.append(text[:300].decode(errors="replace"))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, statuses, samples


def over_http(
    url: str, docs: list[dict[str, Any]], warmup: int, concurrency: int, workers: int
) -> dict[str, Any]:
    proc, base = start_node(url, workers)
    try:
        bodies = [
            (json.dumps(d).encode(), f"bench-{d['lrn']}" if i % 2 else None)
            for i, d in enumerate(docs)
        ]
        asyncio.run(fire(base, bodies[:warmup], concurrency))
        before = count_stored(url)
        elapsed, latencies, statuses, samples = asyncio.run(
            fire(base, bodies[warmup:], concurrency)
        )
        stored = count_stored(url) - before
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    created = statuses.get(201, 0)
    measured = docs[warmup:]
    check = "every 201 committed" if stored == created else f"MISMATCH: {stored} stored"
    figures = report(
        f"HTTP, {workers} worker(s), {concurrency} conns",
        len(measured),
        elapsed,
        latencies,
        statistics.mean(len(d["items"]) for d in measured),
        f"[{created} x 201, {check}]",
    )
    if created != len(measured):
        print(f"  non-201 answers: {statuses}; samples: {samples}")
    figures.update(created=created, stored=stored, statuses=statuses)
    return figures


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--mode", choices=["inprocess", "http", "both"], default="both")
    parser.add_argument("--n", type=int, default=3000, help="declarations over HTTP")
    parser.add_argument("--n-inprocess", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="also print a JSON summary line")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    gen = Generator()
    results = []
    for kind in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        print(f"\n== {kind} ==")
        if args.mode in ("inprocess", "both"):
            db = fresh_database(kind)
            try:
                took = prepare(db.url)
                print(f"migrate + reference data + demo users: {took:.1f} s")
                docs = [gen.declaration(i) for i in range(args.n_inprocess + args.warmup)]
                results.append({"db": kind, **in_process(db.url, docs, args.warmup)})
            finally:
                db.cleanup()
        if args.mode in ("http", "both"):
            db = fresh_database(kind)
            try:
                prepare(db.url)
                docs = [gen.declaration(i) for i in range(args.n + args.warmup)]
                results.append(
                    {
                        "db": kind,
                        **over_http(db.url, docs, args.warmup, args.concurrency, args.workers),
                    }
                )
            finally:
                db.cleanup()
    if args.json:
        print(json.dumps({"machine": machine(), "results": results}))


if __name__ == "__main__":
    main()
