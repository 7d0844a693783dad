"""Benchmark: what the LPCO check and draw-down add to a lodging, on SQLite, in process.

    .venv/bin/python bench/lpco.py                  # 2000 lodgings each way
    .venv/bin/python bench/lpco.py --n 5000 --batch 64 --json

A fresh SQLite database is set up as China's demo node (reference data,
tariff, users, the illustrative LPCO requirements), and the chemicals agency
issues ``--lpcos`` import licences for lithium batteries, each large enough for
every lodging. One import of one item is then lodged ``--n`` times each way:
lead-acid batteries (850720: no LPCO required; the requirements are still
asked, in memory: the baseline), and lithium-ion batteries (850760: an import
licence required, cited in the item's documents, checked and drawn down).

Both go through the use case the API uses: ``prepare`` on the caller's thread
(validation, the LPCO check's one read, assessment, selectivity), then
``commit`` in batches of ``--batch`` (one transaction each, as the group
commit does: the check again under the write lock, each draw-down a
conditional update, the checks and draw-downs stored, a journal note). The
figure asked for is the difference per lodging, for ``prepare`` and for
``commit``; the rounds alternate the two and the best of ``--rounds`` is
kept, wall clock and CPU. Prints figures and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' helpers

from tests.lpco_helpers import batteries, licence, prepare_single_window

from lodge import machine
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.commands import parse
from silkgate.lpco.commands import IssueLpco
from silkgate.node import Node
from silkgate.store import principals
from silkgate.store.db import reading

CHEM = Principal(0, "agency.chem", Role.AGENCY_OFFICER, "CHEM")


def setup(folder: Path, lpcos: int) -> tuple[Node, list[str]]:
    url = f"sqlite:///{folder / 'cn.db'}"
    settings = Settings(
        mode="test", database_url=url, secret_key="bench-lpco-secret", exchange_dispatch=False
    )
    prepare_single_window(settings)
    node = open_node(settings)
    numbers = [
        node.lpco.register.issue(CHEM, parse(IssueLpco, licence(quantity="1000000000")))["number"]
        for _ in range(lpcos)
    ]
    return node, numbers


def documents(n: int, numbers: list[str] | None) -> list[dict[str, Any]]:
    if numbers is None:  # lead-acid batteries: no LPCO required
        return [batteries("10", None, hs="85072000") for _ in range(n)]
    return [batteries("10", numbers[i % len(numbers)]) for i in range(n)]


def run(node: Node, docs: list[dict[str, Any]], batch: int) -> dict[str, float]:
    """Seconds (wall, CPU) spent preparing and committing ``docs``."""
    gc.collect()
    with reading(node.engine) as conn:
        acme = principals.find_principal(conn, "acme-trading")
    assert acme is not None
    lodgings = node.declarations.lodgings
    t0, c0 = time.perf_counter(), time.process_time()
    prepared = [lodgings.prepare(acme, d) for d in docs]
    t1, c1 = time.perf_counter(), time.process_time()
    for i in range(0, len(prepared), batch):
        for outcome in lodgings.commit(prepared[i : i + batch]):
            if isinstance(outcome, Exception):
                raise outcome
            assert outcome[0]["status"] == "lodged", outcome
    t2, c2 = time.perf_counter(), time.process_time()
    return {"prepare": t1 - t0, "prepare_cpu": c1 - c0, "commit": t2 - t1, "commit_cpu": c2 - c1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="lodgings each way, per round")
    parser.add_argument("--batch", type=int, default=64, help="lodgings per transaction")
    parser.add_argument("--lpcos", type=int, default=50, help="licences drawn on, in turn")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        node, numbers = setup(Path(folder), args.lpcos)
        run(node, documents(50, numbers), args.batch)  # warm the caches and the tariff
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.rounds):
            for name, nums in (("none", None), ("lpco", numbers)):
                figures = run(node, documents(args.n, nums), args.batch)
                kept = best.setdefault(name, figures)
                for k, v in figures.items():
                    kept[k] = min(kept[k], v)
        node.close()
    per = {name: {k: v / args.n * 1e6 for k, v in f.items()} for name, f in best.items()}
    added = {k: per["lpco"][k] - per["none"][k] for k in per["none"]}
    result = {"machine": machine(), "n": args.n, "batch": args.batch, "us_per_lodging": per,
              "added_us": added}  # fmt: skip
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['machine']['cpu']}, {result['machine']['cores']} cores; n={args.n}, "
          f"batch={args.batch}, best of {args.rounds}")  # fmt: skip
    print(f"{'µs per lodging':<34}{'prepare':>10}{'(cpu)':>10}{'commit':>10}{'(cpu)':>10}")
    rows = [("no LPCO required", per["none"]), ("import licence checked, drawn", per["lpco"]),
            ("added by the LPCO check", added)]  # fmt: skip
    for name, p in rows:
        print(f"{name:<34}{p['prepare']:>10.0f}{p['prepare_cpu']:>10.0f}"
              f"{p['commit']:>10.0f}{p['commit_cpu']:>10.0f}")  # fmt: skip
    total = added["prepare"] + added["commit"]
    cpu = added["prepare_cpu"] + added["commit_cpu"]
    print(f"added per lodging: {total:.0f} µs wall ({cpu:.0f} µs CPU)")


if __name__ == "__main__":
    main()
