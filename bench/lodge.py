"""Benchmark: lodging realistic declarations, in process and over HTTP, on SQLite and PostgreSQL.

    .venv/bin/python bench/lodge.py                          # both backends, both modes
    .venv/bin/python bench/lodge.py --db sqlite --mode http --n 5000 --workers 2
    .venv/bin/python bench/lodge.py --db sqlite --mode inprocess --profile

Each declaration has 5-20 items with valid codes (HS 2022 subheadings, partner
origins, ACFTA preference with a Form E only for ASEAN origins, Rec 20 units,
Rec 21 packages, UN/LOCODE seaports) and totals that add up. For each backend
one fresh database is migrated, loaded with the reference data and the demo
users; the in-process run lodges through ``node.declarations.lodge`` one at a
time, then a real node process (``silkgate serve``) on the same database is
loaded by an aiohttp client with keep-alive connections. Every answer must be
201, and afterwards every MRN answered with 201 must be in the ``declarations``
table and the table must have grown by exactly the number of 201s ("every 201
means committed"). Prints figures and asserts nothing about time; exits 1 only
if an answer was not 201 or a 201 was not committed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import sqlalchemy as sa

from silkgate import demo
from silkgate.access.principals import demo_token
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.origin.agreements import ASEAN
from silkgate.refdata import files
from silkgate.store import migrate, refdata
from silkgate.store.db import make_engine
from silkgate.store.tables import declarations

SECRET = "bench-secret-key-0123456789"
DECLARANT_USER = "acme-trading"
DECLARANT_ID = next(u.party_id for u in demo.DEMO_USERS if u.name == DECLARANT_USER)
DECLARANT_NAME = "Shanghai Acme Trading Co. (demo)"
# Partner countries goods come from; ASEAN members may claim ACFTA with a Form E.
ORIGINS = ["VN", "TH", "MY", "ID", "SG", "PH", "KZ", "RU", "US", "DE", "JP", "KR", "AU"]
# Seaport offices of the demo administration: the goods come by sea, unloaded where declared.
OFFICES = [code for code, _name, kind in demo.DEMO_OFFICES if kind == "seaport"]
UNITS = ["KGM", "NAR", "LTR", "TNE"]
PACKAGES = ["CT", "PK", "BX", "PL", "BG"]
INCOTERMS = ["FOB", "CIF", "CFR", "EXW", "FCA"]
FLAGS = ["PA", "LR", "MH", "SG", "HK", "MT", "CN", "GR"]
CARRIERS = ["MSCU", "MAEU", "CMAU", "COSU", "OOLU", "EGLV", "HLXU", "ONEU", "YMLU", "ZIMU"]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CENT = Decimal("0.01")


def tariff_lines() -> list[tuple[str, str | None]]:
    """The demo tariff's lines, each with the non-mass unit it charges per (or None)."""
    import gzip

    from silkgate.tariff import units as unit_dims
    from silkgate.tariff.files import parse_tariff

    schedule, _ = demo.tariff_files()
    subheadings = [r["code"] for r in files.hs_codes() if r["level"] == 6]
    parsed = parse_tariff(gzip.decompress(schedule).decode(), subheadings, "CN")
    per_unit: dict[str, str | None] = {code: None for code, _, _ in parsed.lines}
    for code, m in parsed.measures:
        if m.needs_quantity and unit_dims.dimension(m.unit or "") != "mass":
            per_unit[code] = m.unit
    return sorted(per_unit.items())


# --- declarations --------------------------------------------------------------------------


def _iso6346_values() -> dict[str, int]:
    values, n = {}, 10
    for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if n % 11 == 0:
            n += 1
        values[ch] = n
        n += 1
    return values


_LETTER_VALUES = _iso6346_values()


def _container_id(rng: random.Random) -> str:
    """An ISO 6346 container number with a correct check digit."""
    while True:
        body = rng.choice(CARRIERS) + f"{rng.randint(0, 999_999):06d}"
        total = sum(
            (_LETTER_VALUES[c] if c.isalpha() else int(c)) * 2**i for i, c in enumerate(body)
        )
        if total % 11 < 10:  # serials whose remainder is 10 are not issued
            return body + str(total % 11)


def _imo(rng: random.Random) -> str:
    """An IMO ship number with a correct check digit."""
    digits = [9] + [rng.randint(0, 9) for _ in range(5)]
    check = sum(d * (7 - i) for i, d in enumerate(digits)) % 10
    return "IMO" + "".join(map(str, digits)) + str(check)


class Generator:
    """Seeded generator of valid, varied import declarations by the demo declarant."""

    def __init__(self, seed: int, timezone: str) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.count = 0
        self.hs = {r["code"]: r for r in files.hs_codes() if r["level"] == 6}
        self.lines = tariff_lines()
        ports: dict[str, list[str]] = {}
        approved: dict[str, list[str]] = {}
        for loc in files.locations():
            if loc["country"] in ORIGINS and (loc["function"] or "")[:1] == "1":
                ports.setdefault(loc["country"], []).append(loc["code"])
                if loc["status"] in ("AI", "AF", "AA", "AS", "AC"):
                    approved.setdefault(loc["country"], []).append(loc["code"])
        # Prefer locations whose entry is approved by a national agency (the real ports).
        self.ports = {c: approved.get(c) or ports[c] for c in ports}
        self.origins = [c for c in ORIGINS if c in self.ports]
        # "Today" as the node sees it (invoice dates may not be in the future there).
        self.today = dt.datetime.now(ZoneInfo(timezone)).date()

    def declaration(self) -> dict[str, Any]:
        rng = self.rng
        self.count += 1
        n = self.count
        dispatch = rng.choice(self.origins)
        office = rng.choice(OFFICES)
        currency = "EUR" if dispatch == "DE" and rng.random() < 0.7 else "USD"
        invoice_date = self.today - dt.timedelta(days=rng.randint(1, 7))
        arrival = self.today + dt.timedelta(days=rng.randint(1, 14))
        items: list[dict[str, Any]] = []
        total_value, net_total, packages_total = Decimal(0), Decimal(0), 0
        for seq in range(1, rng.randint(5, 20) + 1):
            code, per_unit = rng.choice(self.lines)
            hs = self.hs[code[:6]]
            # Often declared as the six-digit subheading where it has one national line.
            if rng.random() < 0.4 and code.endswith("00"):
                code = code[:6]
            # Mostly goods of the dispatch country; sometimes of another partner (transshipment).
            origin = dispatch if rng.random() < 0.85 else rng.choice(self.origins)
            net = Decimal(rng.randint(500, 200_000)) / 10  # 50 kg .. 20 t
            price = Decimal(rng.randint(50, 4_000)) / 100  # 0.50 .. 40.00 per kg
            value = (net * price).quantize(CENT, ROUND_HALF_UP)
            count = rng.randint(1, 800)
            item: dict[str, Any] = {
                "seq": seq,
                "description": hs["description"],
                "hs_code": code,
                "origin": origin,
                "net_mass_kg": str(net),
                "packages": {"count": count, "kind": rng.choice(PACKAGES)},
                "value": str(value),
            }
            if rng.random() < 0.3:
                item["packages"]["marks"] = f"ACME/SHA/{n}/{seq}"
            if per_unit:  # the tariff charges per unit: declare the quantity in that unit
                item["supplementary_quantity"] = {
                    "value": str(rng.randint(1, 50_000)),
                    "unit": per_unit,
                }
            elif rng.random() < 0.5:
                unit = rng.choice(UNITS)
                quantity = {
                    "KGM": net,
                    "TNE": (net / 1000).quantize(Decimal("0.001")),
                    "NAR": Decimal(rng.randint(1, 50_000)),
                    "LTR": (net * Decimal("1.05")).quantize(Decimal("0.1")),
                }[unit]
                item["supplementary_quantity"] = {"value": str(quantity), "unit": unit}
            if origin in ASEAN and rng.random() < 0.7:
                item["preference"] = {
                    "agreement": "ACFTA",
                    "proof": {
                        "type": "FORM_E",
                        "reference": f"E{invoice_date:%y}{origin}{rng.randint(1, 10**7):07d}",
                        "date": str(invoice_date + dt.timedelta(days=rng.randint(0, 1))),
                    },
                }
            if hs["code"] < "25" and rng.random() < 0.3:  # food and farm goods: SPS certificate
                item["documents"] = [
                    {
                        "code": "N851",
                        "reference": f"{origin}-EPHYTO-{rng.randint(1, 10**6):06d}",
                        "date": str(invoice_date),
                        "issuing_country": origin,
                    }
                ]
            items.append(item)
            total_value += value
            net_total += net
            packages_total += count
        gross = (net_total * Decimal(rng.randint(103, 112)) / 100).quantize(Decimal("0.1"))
        transport: dict[str, Any] = {
            "mode": 1,
            "means_id": _imo(rng),
            "nationality": rng.choice(FLAGS),
            "document": {"type": "BL", "number": f"{rng.choice(CARRIERS)}{rng.randint(1, 10**9)}"},
            "containers": sorted({_container_id(rng) for _ in range(rng.randint(1, 4))}),
            "loading_place": rng.choice(self.ports[dispatch]),
            "discharge_place": office,
            "dispatch_country": dispatch,
            "destination_country": "CN",
            "arrival_date": str(arrival),
        }
        incoterm = rng.choice(INCOTERMS)
        invoice: dict[str, Any] = {
            "number": f"INV-{invoice_date:%Y}-{n:06d}",
            "date": str(invoice_date),
            "currency": currency,
            "amount": str(total_value.quantize(CENT)),
            "incoterm": incoterm,
            "incoterm_place": "port of loading",
        }
        if incoterm in ("FOB", "EXW", "FCA"):  # freight to the place of import is added
            invoice["freight"] = str((total_value * Decimal("0.04")).quantize(CENT))
        if incoterm != "CIF" and rng.random() < 0.5:  # else insurance is presumed
            invoice["insurance"] = str((total_value * Decimal("0.002")).quantize(CENT))
        return {
            "type": "IM",
            "procedure": "4000",
            "lrn": f"BENCH{self.seed}-{n:07d}",
            "office": office,
            "declarant": {"id": DECLARANT_ID, "name": DECLARANT_NAME, "role": "self"},
            "importer": {
                "id": DECLARANT_ID,
                "name": DECLARANT_NAME,
                "address": {"street": "88 Demo Road", "city": "Shanghai", "country": "CN"},
            },
            "exporter": {
                "name": f"Exporter {rng.randint(1, 5000)} (bench)",
                "address": {"city": "Port city", "country": dispatch},
            },
            "transport": transport,
            "invoice": invoice,
            "totals": {
                "gross_mass_kg": str(max(gross, net_total)),
                "packages": packages_total,
                "items": len(items),
            },
            "items": items,
        }

    def batch(self, n: int) -> list[dict[str, Any]]:
        return [self.declaration() for _ in range(n)]


# --- databases -----------------------------------------------------------------------------


@dataclass
class Database:
    kind: str
    url: str
    cleanup: Callable[[], None]
    server_version: str = ""


def fresh_database(kind: str) -> Database:
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="silkgate-bench-")
        return Database(
            kind,
            f"sqlite:///{folder}/bench.db",
            lambda: shutil.rmtree(folder, ignore_errors=True),
            f"SQLite {sqlite3.sqlite_version}",
        )
    name = f"silkgate_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        version = conn.exec_driver_sql("SHOW server_version").scalar_one()
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return Database(kind, PG_ADMIN.rsplit("/", 1)[0] + "/" + name, drop, f"PostgreSQL {version}")


def prepare(url: str) -> float:
    """Migrate, load the reference data, create the demo offices and users; seconds taken."""
    started = time.perf_counter()
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=1)
    refdata.load(engine)
    demo.setup(engine, SECRET)
    demo.load_tariff(Settings(mode="test", database_url=url, secret_key=SECRET), engine)
    engine.dispose()
    return time.perf_counter() - started


def stored_mrns(url: str) -> set[str]:
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        mrns = set(conn.execute(sa.select(declarations.c.mrn)).scalars())
    engine.dispose()
    return mrns


# --- figures -------------------------------------------------------------------------------


def percentile_ms(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return ordered[int(rank) - 1] * 1000


@dataclass
class Result:
    db: str
    mode: str
    declarations: int
    seconds: float
    latencies: list[float] = field(repr=False)
    items_avg: float
    extra: dict[str, Any] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        return {
            "db": self.db,
            "mode": self.mode,
            "declarations": self.declarations,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.declarations / self.seconds, 1),
            "p50_ms": round(percentile_ms(self.latencies, 50), 2),
            "p90_ms": round(percentile_ms(self.latencies, 90), 2),
            "p99_ms": round(percentile_ms(self.latencies, 99), 2),
            "items_avg": round(self.items_avg, 2),
            **self.extra,
        }

    def line(self) -> str:
        f = self.figures()
        return (
            f"{f['db']:<9}{f['mode']:<30}{f['declarations']:>6} decl {f['seconds']:>8.2f} s "
            f"{f['per_second']:>8.1f} decl/s   p50 {f['p50_ms']:>7.2f}  p90 {f['p90_ms']:>7.2f}  "
            f"p99 {f['p99_ms']:>7.2f} ms   {f['items_avg']:.1f} items/decl"
        )


def items_avg(docs: list[dict[str, Any]]) -> float:
    return sum(len(d["items"]) for d in docs) / len(docs)


# --- in process ----------------------------------------------------------------------------


def in_process(
    db: Database, gen: Generator, n: int, warmup: int, profile: int
) -> tuple[Result, str | None]:
    """Sequential lodgings through the service: validation and one transaction each."""
    docs = gen.batch(warmup + n)
    node = open_node(Settings(mode="test", database_url=db.url, secret_key=SECRET))
    try:
        principal = node.tokens.resolve(demo_token(SECRET, DECLARANT_USER))
        if principal is None:
            raise SystemExit("the demo declarant's token does not resolve")
        lodge = node.declarations.lodge
        for doc in docs[:warmup]:
            lodge(principal, doc)
        measured = docs[warmup:]
        latencies = []
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        for doc in measured:
            t = time.perf_counter()
            lodge(principal, doc)
            latencies.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - started
        report = None
        if profiler:
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(profile)
            report = out.getvalue()
    finally:
        node.close()
    mode = "in process, sequential" + (" (cProfile)" if profile else "")
    return Result(db.kind, mode, n, elapsed, latencies, items_avg(measured)), report


# --- over HTTP -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_node(url: str, workers: int | None, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "SILKGATE_MODE": "test",
        "SILKGATE_DATABASE_URL": url,
        "SILKGATE_SECRET_KEY": SECRET,
    }
    command = [str(Path(sys.executable).parent / "silkgate"), "serve", "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    with log.open("wb") as sink:  # a file, not a pipe: a chatty node must never block on it
        proc = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    stop_node(proc)
    raise SystemExit(f"the node did not start:\n{tail(log)}")


def stop_node(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _proc_stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # the fields after "pid (comm)"


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants (the node's worker processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                children.setdefault(int(_proc_stat(int(entry.name))[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` (those still alive)."""
    ticks = 0
    for pid in pids:
        try:
            fields = _proc_stat(pid)
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    hz = os.sysconf("SC_CLK_TCK")
    return (total - idle) / hz, total / hz


@dataclass
class Fired:
    elapsed: float
    latencies: list[float]
    statuses: dict[str, int]
    samples: list[str]
    created: list[bytes]  # bodies of the 201 answers
    replayed: int


async def fire(base: str, bodies: list[tuple[bytes, str | None]], concurrency: int) -> Fired:
    """Send every body, ``concurrency`` at a time over keep-alive connections."""
    try:
        import aiohttp  # a development dependency: pip install -e '.[dev]'
    except ImportError:
        raise SystemExit("the HTTP mode needs aiohttp: pip install -e '.[dev]'") from None

    headers = {
        "Authorization": f"Bearer {demo_token(SECRET, DECLARANT_USER)}",
        "Content-Type": "application/json",
    }
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    samples: list[str] = []
    created: list[bytes] = []
    replayed = 0
    next_index = 0
    url = f"{base}/v1/declarations"
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        connector=connector, headers=headers, timeout=timeout
    ) as session:

        async def worker() -> None:
            nonlocal next_index, replayed
            while next_index < len(bodies):
                body, key = bodies[next_index]
                next_index += 1
                extra = {"Idempotency-Key": key} if key else None
                t = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=extra) as r:
                        text = await r.read()
                        status = str(r.status)
                        if r.headers.get("Idempotent-Replayed") == "true":
                            replayed += 1
                except (aiohttp.ClientError, TimeoutError) as exc:
                    text, status = repr(exc).encode(), type(exc).__name__
                latencies.append(time.perf_counter() - t)
                statuses[status] = statuses.get(status, 0) + 1
                if status == "201":
                    created.append(text)
                elif len(samples) < 3:
                    samples.append(f"{status}: {text[:400].decode(errors='replace')}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Fired(elapsed, latencies, statuses, samples, created, replayed)


def over_http(
    db: Database,
    gen: Generator,
    n: int,
    warmup: int,
    concurrency: int,
    workers: int | None,
    log: Path,
    with_reference: bool = True,
) -> Result:
    docs = gen.batch(warmup + n)
    # Serialised before the clock starts; every other request carries an Idempotency-Key.
    bodies = [
        (json.dumps(d, separators=(",", ":")).encode(), f"bench-{d['lrn']}" if i % 2 else None)
        for i, d in enumerate(docs)
    ]
    before = stored_mrns(db.url)
    proc, base = start_node(db.url, workers, log)
    try:
        warm = asyncio.run(fire(base, bodies[:warmup], concurrency))
        # Where the CPU goes during the measured run: node, this client, everything else
        # (on PostgreSQL mostly the database server), on a machine they all share.
        node_pids = process_tree(proc.pid)
        cpu_before = (cpu_seconds(node_pids), time.process_time(), machine_cpu())
        run = asyncio.run(fire(base, bodies[warmup:], concurrency))
        cpu_after = (cpu_seconds(node_pids), time.process_time(), machine_cpu())
        alive = proc.poll() is None
    finally:
        stop_node(proc)
    after = stored_mrns(db.url)

    # Every 201 means committed: each MRN answered 201 is stored, and nothing else was added.
    answered = [json.loads(b)["mrn"] for b in warm.created + run.created]
    new_rows = after - before
    missing = set(answered) - after
    fresh_201s = len(answered) - warm.replayed - run.replayed
    committed_ok = not missing and len(new_rows) == fresh_201s == len(set(answered))
    created = run.statuses.get("201", 0)
    problems = {k: v for k, v in run.statuses.items() if k != "201"}
    warm_problems = {k: v for k, v in warm.statuses.items() if k != "201"}
    node_cpu = cpu_after[0] - cpu_before[0]
    client_cpu = cpu_after[1] - cpu_before[1]
    busy = cpu_after[2][0] - cpu_before[2][0]
    wall_cores = cpu_after[2][1] - cpu_before[2][1]
    cpu = {
        "node_cpu_ms_per_decl": round(node_cpu / n * 1000, 3),
        "client_cpu_ms_per_decl": round(client_cpu / n * 1000, 3),
        "other_cpu_ms_per_decl": round(max(0.0, busy - node_cpu - client_cpu) / n * 1000, 3),
        "machine_busy_pct": round(100 * busy / wall_cores, 1) if wall_cores else None,
    }
    result = Result(
        db.kind,
        f"HTTP, {workers or 1} worker(s), {concurrency} conns",
        n,
        run.elapsed,
        run.latencies,
        items_avg(docs[warmup:]),
        {
            "http_201": created,
            "http_other": problems,
            "replayed": run.replayed,
            "rows_added": len(new_rows),
            "every_201_committed": committed_ok,
            **cpu,
        },
    )
    if with_reference:
        ref = reference(bodies, warmup, concurrency, workers)
        ref_rate = len(ref.latencies) / ref.elapsed
        result.extra["reference_per_second"] = round(ref_rate, 1)
        result.extra["reference_p99_ms"] = round(percentile_ms(ref.latencies, 99), 2)
        result.extra["ratio_to_reference"] = round(n / run.elapsed / ref_rate, 3)
    print(result.line())
    if with_reference:
        print(
            f"         reference (bare framework, same server and client): "
            f"{result.extra['reference_per_second']:.1f} req/s, "
            f"p99 {result.extra['reference_p99_ms']:.2f} ms; "
            f"silkgate / reference = {result.extra['ratio_to_reference']:.3f}"
        )
    check = "yes" if committed_ok else "NO"
    warm_201 = warm.statuses.get("201", 0)
    print(
        f"         {created}/{n} answered 201 (+{warm_201}/{warmup} in warm-up); "
        f"{len(new_rows)} rows added to declarations; every 201 committed: {check}"
    )
    print(
        f"         CPU per declaration: node {cpu['node_cpu_ms_per_decl']:.2f} ms, "
        f"client {cpu['client_cpu_ms_per_decl']:.2f} ms, "
        f"other (database server, system) {cpu['other_cpu_ms_per_decl']:.2f} ms; "
        f"machine {cpu['machine_busy_pct']}% busy ({os.cpu_count()} cores)"
    )
    if problems or warm_problems:
        print(f"         non-201 answers: {problems} (warm-up: {warm_problems})")
        for s in run.samples or warm.samples:
            print(f"           sample {s}")
    if not committed_ok:
        print(
            f"         {len(missing)} MRN(s) answered 201 but not stored; "
            f"{len(new_rows)} rows added for {fresh_201s} fresh 201s"
        )
    if not alive:
        code = proc.returncode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        print(f"         the node process ended during the run ({how})")
    if not alive or problems or warm_problems:
        print(f"         node log (last lines):\n{tail(log)}")
    return result


def reference(
    gen_bodies: list[tuple[bytes, str | None]],
    warmup: int,
    concurrency: int,
    workers: int | None,
) -> Fired:
    """The bare framework (``bench/reference_node.py``) loaded with the same client and bodies."""
    port = free_port()
    script = Path(__file__).with_name("reference_node.py")
    command = [sys.executable, str(script), "--port", str(port), "--workers", str(workers or 1)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("the reference server did not start") from None
                time.sleep(0.1)
        asyncio.run(fire(base, gen_bodies[:warmup], concurrency))
        return asyncio.run(fire(base, gen_bodies[warmup:], concurrency))
    finally:
        stop_node(proc)


# --- main ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--mode", choices=["inprocess", "http", "both"], default="both")
    parser.add_argument(
        "--n",
        type=int,
        default=None,
        help="declarations per run (default 3000 HTTP, 2000 in process)",
    )
    parser.add_argument(
        "--n-inprocess", type=int, default=None, help="declarations in process (overrides --n)"
    )
    parser.add_argument("--concurrency", type=int, default=32, help="HTTP connections (32)")
    parser.add_argument(
        "--workers", type=int, default=None, help="node worker processes (silkgate serve --workers)"
    )
    parser.add_argument("--warmup", type=int, default=200, help="lodgings not counted (200)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=30,
        default=0,
        metavar="TOP",
        help="run the in-process mode under cProfile and print the TOP (30) cumulative entries",
    )
    parser.add_argument("--json", action="store_true", help="also print a JSON summary line")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the bare-framework reference run after each HTTP run",
    )
    args = parser.parse_args()
    n_http = args.n or 3000
    n_local = args.n_inprocess or args.n or 2000

    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"{info['platform']}; {info['date']}"
    )
    timezone = Settings(mode="test", secret_key=SECRET).timezone
    gen = Generator(args.seed, timezone)
    results: list[Result] = []
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in backends:
        try:
            db = fresh_database(kind)
        except sa.exc.OperationalError as exc:
            print(f"\n== {kind}: skipped, cannot create a database ({exc.orig})")
            continue
        print(f"\n== {db.server_version} ==")
        try:
            took = prepare(db.url)
            print(f"migrate + reference data + demo users: {took:.1f} s")
            if args.mode in ("inprocess", "both"):
                result, report = in_process(db, gen, n_local, args.warmup, args.profile)
                results.append(result)
                print(result.line())
                if report:
                    print(report)
            if args.mode in ("http", "both"):
                log = Path(tempfile.mkstemp(prefix="silkgate-bench-node-", suffix=".log")[1])
                try:
                    results.append(
                        over_http(
                            db,
                            gen,
                            n_http,
                            args.warmup,
                            args.concurrency,
                            args.workers,
                            log,
                            not args.no_reference,
                        )
                    )
                finally:
                    log.unlink(missing_ok=True)
        finally:
            db.cleanup()

    print("\nsummary")
    for r in results:
        print(r.line())
    if args.json:
        print(json.dumps({"machine": info, "results": [r.figures() for r in results]}))
    if any(r.extra and not r.extra.get("every_201_committed") for r in results) or any(
        r.extra.get("http_other") for r in results
    ):
        sys.exit(1)


if __name__ == "__main__":
    main()
