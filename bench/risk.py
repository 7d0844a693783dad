"""Benchmark: risk scoring and selectivity, in process and with lodging over HTTP.

    .venv/bin/python bench/risk.py --history df_syn_train_eng.csv [--test df_syn_valid_eng.csv]
    .venv/bin/python bench/risk.py                 # synthetic KCS-format history

Three figures, each printed, none asserted:

1. **batch scoring**: declarations (KCS-format rows) scored per second by the
   model the node trains (feature transform + LightGBM predict), in batches;
2. **one declaration's full selectivity** in process: item facts, 20 analyst
   profiles, the model score of every item, the calibrated channel; p50 / p99
   over the lodging benchmark's generated declarations;
3. **lodging over HTTP with assessment and selectivity**: the lodging
   benchmark's run against a node whose database holds the history, a trained
   model and the profiles, on SQLite.

The history is a KCS-format CSV (the public Korea Customs Service dataset,
or any file in its format); without ``--history`` a synthetic one is made.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lodge import SECRET, Generator, fresh_database, machine, over_http, prepare
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.declarations.validation import validate
from silkgate.kernel.commands import parse
from silkgate.risk import kcs
from silkgate.risk.commands import RiskProfileCommand
from silkgate.risk.model import score, train
from silkgate.store import risk as risk_store
from silkgate.store.db import make_engine, writing

PROFILES = [
    ("fruit-vn", 'item.hs4 == "0810" && item.origin == "VN"', "score", "15"),
    ("cheap-fruit", 'item.hs2 == "08" && item.unit_value < 3', "score", "20"),
    ("durian", 'item.hs_code.startsWith("081060")', "sps", None),
    ("live-animals", 'item.hs2 == "01"', "sps", None),
    ("meat", 'item.hs2 in ["02", "16"]', "sps", None),
    ("weapons", 'item.hs2 == "93"', "red", None),
    ("ivory", 'item.hs4 == "0507"', "red", None),
    ("precursors", 'item.hs4 in ["2914", "2939"]', "yellow", None),
    ("electronics-cheap", 'item.hs2 == "85" && item.unit_value < 20', "score", "10"),
    ("cars-used", 'item.hs4 == "8703" && item.customs_value < 50000', "score", "25"),
    ("textile-cheap", 'item.hs2 in ["61", "62"] && item.unit_value < 15', "score", "10"),
    ("new-route", "declaration.dispatch_country != item.origin", "score", "5"),
    ("big-invoice", "declaration.invoice_amount > 1000000", "score", "5"),
    ("many-items", "declaration.items > 15", "score", "5"),
    ("exw", 'declaration.incoterm == "EXW"', "score", "5"),
    ("acfta-cheap", 'item.preference == "ACFTA" && item.unit_value < 2', "score", "15"),
    ("tobacco", 'item.hs2 == "24"', "yellow", None),
    ("spirits", 'item.hs4 == "2208"', "score", "10"),
    ("pharma", 'item.hs2 == "30" && item.origin in ["IN", "PK"]', "score", "10"),
    ("waste", 'item.hs4 in ["3915", "4707", "7204"]', "red", None),
]


def history_rows(path: str | None, n: int) -> list[dict[str, str]]:
    if path:
        rows, labelled = kcs.read(Path(path).read_text(encoding="utf-8-sig"))
        if not labelled:
            sys.exit(f"{path} has no Fraud column")
        return rows
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.kcs_synthetic import rows as synthetic

    return synthetic(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", help="KCS-format CSV to train on")
    parser.add_argument("--test", help="KCS-format CSV to batch-score (default: the history)")
    parser.add_argument("--batch-rows", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=2000, help="declarations decided in process")
    parser.add_argument("--http", type=int, default=3000, help="declarations lodged over HTTP")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()

    m = machine()
    print(f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; {m['date']}")
    rows = history_rows(args.history, 20_000)
    labels = [int(r[kcs.FRAUD]) for r in rows]
    started = time.perf_counter()
    builder, booster = train(rows, labels, 0)
    print(f"model trained on {len(rows):,} declarations in {time.perf_counter() - started:.1f} s")

    # 1. batch scoring
    test = history_rows(args.test, 0) if args.test else rows
    batch = (test * (args.batch_rows // len(test) + 1))[: args.batch_rows]
    score(builder, booster, batch[:1000])
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        score(builder, booster, batch)
        best = min(best, time.perf_counter() - t)
    print(
        f"batch scoring: {len(batch) / best:,.0f} declarations/s ({len(batch):,} rows, best of 3)"
    )

    # 2. one declaration's selectivity, in a node with the model and 20 profiles
    db = fresh_database("sqlite")
    try:
        prepare(db.url)
        engine = make_engine(db.url, pool_size=2)
        settings = Settings(mode="test", database_url=db.url, secret_key=SECRET)
        node = open_node(settings, engine)
        node.risk.import_history(_csv(rows))
        node.risk.train("bench")
        for name, condition, effect, points in PROFILES:
            profile = {"name": name, "condition": condition, "effect": effect, "points": points}
            node.risk.save_profile(_admin(), parse(RiskProfileCommand, profile))
        gen = Generator(11, settings.timezone)
        today = node.declarations.today(node.declarations.clock())
        docs = []
        for raw in gen.batch(args.n):
            doc = validate(raw, node.codes, today)
            docs.append((doc, node.tariff.assess(doc, today)))
        for doc, a in docs[:200]:
            node.risk.decide(doc, a, today)
        times = []
        channels: dict[str, int] = {}
        forced: dict[str, int] = {}
        for doc, a in docs:
            t = time.perf_counter()
            d = node.risk.decide(doc, a, today)
            times.append(time.perf_counter() - t)
            channels[d.channel.value] = channels.get(d.channel.value, 0) + 1
            if d.forced and not d.exploration:
                forced[d.forced] = forced.get(d.forced, 0) + 1
        times.sort()
        items = statistics.mean(len(doc.items) for doc, _ in docs)
        p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
        print(
            f"one declaration's selectivity ({items:.1f} items, 20 profiles, model): "
            f"p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms"
        )
        shares = ", ".join(f"{c} {n / len(docs):.1%}" for c, n in sorted(channels.items()))
        print(f"  channels over {len(docs):,} declarations: {shares}")
        by_profiles = ", ".join(f"{c} {n / len(docs):.1%}" for c, n in sorted(forced.items()))
        print(f"  of which forced by profiles (outside the budget): {by_profiles or 'none'}")
        node.close()
        if not args.skip_http:
            # 3. lodging over HTTP on the same database (history, model and profiles in it)
            with writing(engine) as conn:
                risk_store.update_settings(conn, exploration_share=0.01)
            engine.dispose()
            log = Path(tempfile.mkstemp(prefix="silkgate-bench-risk-", suffix=".log")[1])
            try:
                over_http(
                    db, Generator(13, settings.timezone), args.http, 200, 32, args.workers, log
                )
            finally:
                log.unlink(missing_ok=True)
    finally:
        db.cleanup()


def _csv(rows: list[dict[str, str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    header = [kcs.ID, kcs.DATE, *kcs.FEATURE_COLUMNS, kcs.FRAUD, kcs.CRITICAL]
    writer = csv.DictWriter(out, header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _admin():  # type: ignore[no-untyped-def]
    from silkgate.kernel.actors import Principal, Role

    return Principal(0, "bench", Role.ADMIN, None)


if __name__ == "__main__":
    random.seed(0)
    main()
