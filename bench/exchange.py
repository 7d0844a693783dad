"""Benchmark: messages between two real nodes (China -> Viet Nam), with and without a restart.

    .venv/bin/python bench/exchange.py                      # 10,000 messages at 1,200/s, both runs
    .venv/bin/python bench/exchange.py --n 20000 --rate 1500 --no-restart

Two demo nodes are set up as `silkgate demo pair` does (SQLite, keys
exchanged) and served by `silkgate serve`. A producer writes advance export
data messages into China's outbox at a steady rate, each in a transaction as
a release would (the payload is the ACDD set of the example export, with its
own export declaration number). China's dispatcher signs and delivers them;
Viet Nam verifies, stores and receipts them. In the restart run, Viet Nam's
node is killed (SIGKILL) a third of the way through and started again two
seconds later.

Figures: messages/s from the first message written to the last receipt
stored, and latency (written -> receipt stored at the sender) p50/p99. Then
the counts: every message delivered at the sender, exactly one inbox row and
one advance data row per message at the receiver (zero lost, zero processed
twice). Exits 1 if a count is wrong; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from silkgate.cli.pair import pair_environment, setup_pair  # noqa: E402
from silkgate.config import Settings  # noqa: E402
from silkgate.declarations.document import DeclarationDocument  # noqa: E402
from silkgate.exchange import advance  # noqa: E402
from silkgate.exchange import messages as m  # noqa: E402
from silkgate.node import open_node  # noqa: E402
from silkgate.store.db import make_engine, writing  # noqa: E402

SILKGATE = str(Path(sys.executable).parent / "silkgate")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Nodes:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ports = {"CN": free_port(), "VN": free_port()}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def env(self, admin: str) -> dict[str, str]:
        return pair_environment(admin, self.folder, self.ports[admin])

    def start(self, admin: str) -> None:
        with open(self.folder / f"{admin.lower()}.log", "ab") as log:
            self.procs[admin] = subprocess.Popen(
                [SILKGATE, "serve"], env=self.env(admin), stdout=log, stderr=subprocess.STDOUT
            )
        url = f"http://127.0.0.1:{self.ports[admin]}/healthz"
        for _ in range(300):
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise SystemExit(f"{admin} did not start; see {self.folder}")

    def kill(self, admin: str) -> None:
        proc = self.procs.pop(admin)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            proc.wait(timeout=30)


def produce(nodes: Nodes, n: int, rate: float, tag: str) -> list[str]:
    """Write ``n`` advance data messages into China's outbox at ``rate`` per second."""
    env = nodes.env("CN")
    settings = Settings(
        mode="demo",
        database_url=env["SILKGATE_DATABASE_URL"],
        secret_key=env["SILKGATE_SECRET_KEY"],
        administration="CN",
        exchange_dispatch=False,
    )
    node = open_node(settings)
    doc = DeclarationDocument.model_validate(
        json.loads((ROOT / "examples" / "pair" / "export-cn-to-vn.json").read_text())
    )
    subjects: list[str] = []
    tick = 0.05
    per_tick = max(1, round(rate * tick))
    started = time.perf_counter()
    written = 0
    while written < n:
        batch = min(per_tick, n - written)
        at = dt.datetime.now(dt.UTC)
        with writing(node.engine) as conn:
            for _ in range(batch):
                mrn = f"26CN{tag}{written:08d}"[:18]
                payload = advance.payload(mrn, doc, at, at.date())
                node.exchange.enqueue(conn, "VN", m.ADVANCE_EXPORT, mrn, payload, at)
                subjects.append(mrn)
                written += 1
        pause = started + (written / rate) - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    node.close()
    return subjects


def measure(
    nodes: Nodes, subjects: list[str], restart: bool, rate: float, outage: tuple[float, float]
) -> dict[str, object]:
    cn = make_engine(nodes.env("CN")["SILKGATE_DATABASE_URL"], pool_size=1)
    vn = make_engine(nodes.env("VN")["SILKGATE_DATABASE_URL"], pool_size=1)
    params = {"s": subjects}
    subject_in = sa.bindparam("s", expanding=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        with cn.connect() as conn:
            pending = conn.execute(
                sa.text(
                    "SELECT count(*) FROM exchange_outbox WHERE status <> 'delivered' "
                    "AND subject IN :s"
                ).bindparams(subject_in),
                params,
            ).scalar()
        if pending == 0:
            break
        time.sleep(0.5)
    with cn.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT created_at, delivered_at, status, attempts FROM exchange_outbox "
                "WHERE subject IN :s"
            ).bindparams(subject_in),
            params,
        ).all()
    with vn.connect() as conn:
        inbox = conn.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT message_id) FROM exchange_inbox "
                "WHERE subject IN :s"
            ).bindparams(subject_in),
            params,
        ).one()
        stored = conn.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT export_declaration) FROM advance_export_data "
                "WHERE export_declaration IN :s"
            ).bindparams(subject_in),
            params,
        ).one()
    cn.dispose()
    vn.dispose()

    def t(v: object) -> dt.datetime:
        at = v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(str(v))
        return at if at.tzinfo else at.replace(tzinfo=dt.UTC)  # SQLite keeps UTC, unmarked

    delivered = [r for r in rows if r.status == "delivered"]
    latencies = sorted((t(r.delivered_at) - t(r.created_at)).total_seconds() for r in delivered)
    first = min(t(r.created_at) for r in rows)
    last = max(t(r.delivered_at) for r in delivered) if delivered else first
    span = (last - first).total_seconds() or 1e-9
    caught_up = None
    if restart and outage[1]:
        back = dt.datetime.fromtimestamp(outage[1], dt.UTC)
        after = [t(r.delivered_at) for r in delivered if t(r.delivered_at) >= back]
        if after:
            caught_up = len(after) / max((max(after) - back).total_seconds(), 1e-9)
    return {
        "outage_s": outage[1] - outage[0] if outage[1] else 0.0,
        "after_restart_per_second": caught_up,
        "run": "with a receiver restart" if restart else "steady",
        "offered": rate,
        "messages": len(subjects),
        "delivered": len(delivered),
        "per_second": len(delivered) / span,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else None,
        "retried": sum(1 for r in rows if r.attempts > 1),
        "inbox_rows": inbox[0],
        "inbox_distinct": inbox[1],
        "advance_rows": stored[0],
        "advance_distinct": stored[1],
    }


def run(folder: Path, n: int, rate: float, restart: bool) -> dict[str, object]:
    nodes = Nodes(folder)
    setup_pair(folder, nodes.ports, quiet=True)
    nodes.start("CN")
    nodes.start("VN")
    tag = uuid.uuid4().hex[:6].upper()
    outage = [0.0, 0.0]  # when the receiver was killed, when it answered again
    try:
        if restart:

            def bounce() -> None:
                time.sleep(n / rate / 3)
                outage[0] = time.time()
                nodes.kill("VN")
                time.sleep(2)
                nodes.start("VN")
                outage[1] = time.time()

            bouncer = threading.Thread(target=bounce)
            bouncer.start()
        subjects = produce(nodes, n, rate, tag)
        if restart:
            bouncer.join()
        return measure(nodes, subjects, restart, rate, (outage[0], outage[1]))
    finally:
        nodes.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=1_200.0, help="messages/s offered")
    parser.add_argument("--no-restart", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    args = parser.parse_args()
    print(
        f"{platform.node()} {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d}"
    )
    failed = False
    for restart in (False,) if args.no_restart else (False, True):
        folder = Path(tempfile.mkdtemp(prefix="silkgate-exchange-"))
        try:
            r = run(folder, args.n, args.rate, restart)
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
        ok = (
            r["delivered"]
            == r["messages"]
            == r["inbox_rows"]
            == r["inbox_distinct"]
            == r["advance_rows"]
            == r["advance_distinct"]
        )
        failed |= not ok
        print(
            f"{r['run']:<24} {r['messages']:>6,} messages offered at {r['offered']:,.0f}/s: "
            f"{r['per_second']:,.0f} delivered/s, latency p50 {r['p50_ms']:.0f} ms, "
            f"p99 {r['p99_ms']:.0f} ms; {r['retried']:,} retried"
        )
        if r["outage_s"]:
            print(
                f"{'':<24} receiver down {r['outage_s']:.1f} s (killed, restarted); "
                f"after it answered again: {r['after_restart_per_second'] or 0:,.0f} delivered/s"
            )
        print(
            f"{'':<24} delivered {r['delivered']:,}; receiver: {r['inbox_rows']:,} inbox rows "
            f"({r['inbox_distinct']:,} distinct), {r['advance_rows']:,} advance data rows "
            f"({r['advance_distinct']:,} distinct) -> "
            + ("zero lost, zero processed twice" if ok else "MISMATCH")
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
