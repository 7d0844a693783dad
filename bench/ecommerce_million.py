"""Benchmark: a million parcels through the CLI, with the memory of every process measured.

    .venv/bin/python bench/ecommerce_million.py                     # 1,000,000 parcels, SQLite
    .venv/bin/python bench/ecommerce_million.py --db postgresql --n 200000

A fresh database and a real ``silkgate serve`` node (one worker), as in
``bench/ecommerce.py``. For each list in turn (orders, payments, waybills, then the
agent's list entries, which complete and decide the parcels) the illustrative list
is made and sent through a pipe, as an administration's platform would:

    silkgate ecommerce sample KIND N --prefix M | silkgate ecommerce send KIND - ...

Each of the two commands runs under ``/usr/bin/time`` (its peak resident memory);
the node's own peak is read from ``/proc`` at the end (``VmHWM``). Parcels per
second is N over the time of the four lists. Prints figures; asserts nothing
about time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ecommerce import AGENT, ORDER, statuses
from lodge import SECRET, fresh_database, machine, prepare, start_node, stop_node


def peak_kib(pid: int) -> int:
    """The process's peak resident memory so far, KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def send_list(kind: str, user: str, n: int, base: str, folder: Path) -> dict[str, Any]:
    """One list made and sent through a pipe; seconds and the two commands' peak memory."""
    from silkgate import demo

    cli = str(Path(sys.executable).parent / "silkgate")
    token = demo.demo_token(SECRET, user)
    made, sent = folder / f"{kind}.sample.time", folder / f"{kind}.send.time"
    started = time.perf_counter()
    maker = subprocess.Popen(
        ["/usr/bin/time", "-f", "%M", "-o", str(made), cli, "ecommerce", "sample", kind, str(n),
         "--prefix", "M"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    sender = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(sent), cli, "ecommerce", "send", kind, "-",
         "--node", base, "--token", token],
        stdin=maker.stdout, capture_output=True, check=False,
    )  # fmt: skip
    assert maker.stdout is not None
    maker.stdout.close()
    maker.wait()
    seconds = time.perf_counter() - started
    if sender.returncode != 0:
        raise SystemExit(f"send {kind} failed:\n{sender.stderr.decode()[-2000:]}")
    return {
        "seconds": round(seconds, 1),
        "sample_peak_mib": round(int(made.read_text().split()[-1]) / 1024, 1),
        "send_peak_mib": round(int(sent.read_text().split()[-1]) / 1024, 1),
        "said": sender.stdout.decode().strip(),
    }


def run(url: str, n: int, folder: Path) -> dict[str, Any]:
    proc, base = start_node(url, None, folder / "node.log")
    try:
        from silkgate import demo

        admin = demo.demo_token(SECRET, "admin")
        httpx.post(
            f"{base}/v1/ecommerce/guarantees",
            json={"agent": AGENT, "amount": "100000000000.00", "reference": "G-MILLION"},
            headers={"Authorization": f"Bearer {admin}"},
        ).raise_for_status()
        lists: dict[str, Any] = {}
        node_peaks = []
        started = time.perf_counter()
        for kind, user, _ in ORDER:
            lists[kind.value] = send_list(kind.value, user, n, base, folder)
            node_peaks.append(round(peak_kib(proc.pid) / 1024, 1))
            print(kind.value, lists[kind.value], "node peak MiB so far", node_peaks[-1])
        elapsed = time.perf_counter() - started
    finally:
        stop_node(proc)
    return {
        "parcels": n,
        "seconds": round(elapsed, 1),
        "parcels_per_s": round(n / elapsed),
        "lists": lists,
        "node_peak_mib_after_each_list": node_peaks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="parcels")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="silkgate-million-"))
    db = fresh_database(args.db)
    try:
        prepare(db.url)
        figures = {"machine": machine(), "database": db.server_version, "pid": os.getpid()}
        figures["run"] = run(db.url, args.n, folder)
        figures["outcomes"] = statuses(db.url)
    finally:
        db.cleanup()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
