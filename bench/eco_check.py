"""Benchmark: what checking e-CO preference claims adds to a lodging, on SQLite, in process.

    .venv/bin/python bench/eco_check.py                  # 2000 lodgings each way
    .venv/bin/python bench/eco_check.py --n 5000 --batch 64 --json

A fresh SQLite database is set up as Viet Nam's demo node (reference data,
tariff, rules of origin, users) with China as a partner under
``origin_certificates``, and ``--certificates`` e-COs of two lines each are
stored through the store helper the inbox uses. The pair's import (smartphones
and laptops, examples/pair/import-vn-from-cn.json) is then lodged ``--n``
times each way: without a preference; with both items claiming ACFTA on a
paper Form E numbered the old way (granted subject to verification, nothing
looked up: the baseline); and with both claiming ACFTA on an e-CO received
(each certificate's lines hold enough for every lodging, so every claim is
given and covered, and box 4 is queued for each item).

Both halves go through the use case the API uses: ``prepare`` on the caller's
thread (validation, the e-CO check's one read, assessment, selectivity), then
``commit`` in batches of ``--batch`` (one transaction each, as the group
commit does: the check again under the write lock, the lines covered, the
claims and uses stored, box 4 queued). The figure asked for is the difference
per lodging between the e-CO claims and the paper ones, for ``prepare`` and
for ``commit``; the rounds alternate the three and the best of ``--rounds``
is kept, wall clock and CPU (``process_time``). Prints figures and asserts
nothing about time.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lodge import machine
from silkgate import demo
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.exchange.commands import PartnerRegistration
from silkgate.exchange.identity import new_key, public_jwk
from silkgate.node import Node
from silkgate.origin import received
from silkgate.store import migrate, principals, refdata
from silkgate.store import origin_claims as claims_store
from silkgate.store.db import make_engine, reading, writing

ROOT = Path(__file__).resolve().parent.parent
# A paper Form E numbered the old way: accepted as before, nothing looked up.
PAPER = ["E26CN0001"]


def setup(folder: Path) -> tuple[Node, Settings]:
    url = f"sqlite:///{folder / 'vn.db'}"
    settings = Settings(
        mode="test", database_url=url, secret_key="bench-eco-check-secret-vn",
        administration="VN", currency="VND", timezone="Asia/Ho_Chi_Minh",
        exchange_dispatch=False, public_url="http://vn.bench",
    )  # fmt: skip
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=1)
    refdata.load(engine)
    demo.setup(engine, settings.secret_key, "VN")
    demo.load_tariff(settings, engine)
    demo.load_origin(settings, engine)
    from silkgate.store import risk as risk_store

    with writing(engine) as conn:
        risk_store.update_settings(conn, exploration_share=0)
    engine.dispose()
    node = open_node(settings)
    node.exchange.ensure_key()
    key = new_key()
    card = {
        "format": "silkgate-partner-card/1", "administration": "CN",
        "name": "China (bench)", "endpoint": "http://cn.bench",
        "keys": [{"kid": "CN-bench", "jwk": public_jwk(key, "CN-bench"),
                  "valid_from": "2020-01-01T00:00:00Z"}],
        "agreements": ["origin_certificates"],
    }  # fmt: skip
    node.exchange.add_partner(PartnerRegistration(card=card))
    return node, settings


def certificates(node: Node, count: int) -> list[str]:
    """``count`` e-COs for the pair's goods, each line big enough for every lodging."""
    sys.path.insert(0, str(ROOT))
    from tests.eco_helpers import certificate

    issued = node.declarations.today(node.declarations.clock())
    numbers = [f"CN-E-2026-{900000 + i:06d}" for i in range(count)]
    with writing(node.engine) as conn:
        for number in numbers:
            payload = certificate(number, issued)
            for line in payload["lines"]:
                line["quantity"]["value"] = "1000000000"
                if line["fob"]:  # 550 CNY a smartphone, as declared
                    line["fob"]["amount"] = "550000000000.00"
            payload = {**payload, "hash": received.content_hash(payload)}
            cert = received.parse(payload)
            lines = [
                {"line": x.line, "hs": x.hs, "quantity": x.quantity.value,
                 "unit": x.quantity.unit}
                for x in cert.lines
            ]  # fmt: skip
            claims_store.store_certificate(
                conn, payload, lines, message_id=str(uuid.uuid4()), at=node.clock()
            )
    return numbers


def documents(
    n: int, numbers: list[str] | None, on: str, kind: str = "E_CO"
) -> list[dict[str, Any]]:
    base = json.loads((ROOT / "examples" / "pair" / "import-vn-from-cn.json").read_text())
    base.pop("ucr", None)
    out = []
    for i in range(n):
        doc = copy.deepcopy(base)
        doc["lrn"] = f"B-{uuid.uuid4().hex[:12].upper()}"
        if numbers:
            for item in doc["items"]:
                item["preference"] = {
                    "agreement": "ACFTA",
                    "proof": {"type": kind, "reference": numbers[i % len(numbers)], "date": on},
                }
        out.append(doc)
    return out


def run(node: Node, docs: list[dict[str, Any]], batch: int) -> dict[str, float]:
    """Seconds (wall, CPU) spent preparing and committing ``docs``.

    The garbage of the previous run is collected first: otherwise a run pays
    for the one before it, whichever that was.
    """
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
    t2, c2 = time.perf_counter(), time.process_time()
    return {"prepare": t1 - t0, "prepare_cpu": c1 - c0, "commit": t2 - t1, "commit_cpu": c2 - c1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="lodgings each way, per round")
    parser.add_argument("--batch", type=int, default=64, help="lodgings per transaction")
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        node, _ = setup(Path(folder))
        numbers = certificates(node, args.certificates)
        on = node.declarations.today(node.declarations.clock()).isoformat()
        run(node, documents(50, numbers, on), args.batch)  # warm the caches and the tariff
        best: dict[str, dict[str, float]] = {}
        halves = (("none", None, "E_CO"), ("paper", PAPER, "FORM_E"), ("e_co", numbers, "E_CO"))
        for _ in range(args.rounds):
            for name, nums, kind in halves:
                figures = run(node, documents(args.n, nums, on, kind), args.batch)
                kept = best.setdefault(name, figures)
                for k, v in figures.items():
                    kept[k] = min(kept[k], v)
        node.close()
    per = {
        name: {k: v / args.n * 1e6 for k, v in figures.items()} for name, figures in best.items()
    }
    added = {k: per["e_co"][k] - per["paper"][k] for k in per["paper"]}
    result = {"machine": machine(), "n": args.n, "batch": args.batch, "us_per_lodging": per,
              "added_us": added}  # fmt: skip
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['machine']['cpu']}, {result['machine']['cores']} cores; n={args.n}, "
          f"batch={args.batch}, best of {args.rounds}")  # fmt: skip
    print(f"{'µs per lodging':<30}{'prepare':>10}{'(cpu)':>10}{'commit':>10}{'(cpu)':>10}")
    rows = [("no preference", per["none"]), ("paper Form E (not checked)", per["paper"]),
            ("e-CO claims, checked", per["e_co"]), ("added by the e-CO check", added)]  # fmt: skip
    for name, p in rows:
        print(f"{name:<30}{p['prepare']:>10.0f}{p['prepare_cpu']:>10.0f}"
              f"{p['commit']:>10.0f}{p['commit_cpu']:>10.0f}")  # fmt: skip
    total = added["prepare"] + added["commit"]
    cpu = added["prepare_cpu"] + added["commit_cpu"]
    print(f"added per lodging: {total:.0f} µs wall ({cpu:.0f} µs CPU)")


if __name__ == "__main__":
    main()
