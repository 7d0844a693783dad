"""Benchmark: item assessments per second, in process, on one core.

    .venv/bin/python bench/assess.py                 # 3000 declarations, ~37,000 items
    .venv/bin/python bench/assess.py --n 10000 --json

Declarations come from the lodging benchmark's generator (5-20 items each,
lines of the demo tariff including specific, compound and per-unit measures,
ACFTA claims from ASEAN origins, every Incoterm group). The schedule and the
exchange rates are the illustrative demo files, parsed and held in memory as a
node holds them; nothing touches a database. Two figures: ``assess`` alone
(the arithmetic), and ``assess + record`` (with the JSON detail a node stores).
Prints figures and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lodge import Generator, machine
from silkgate import demo
from silkgate.declarations.document import DeclarationDocument
from silkgate.refdata import files
from silkgate.store.tariff import assessment_row
from silkgate.tariff.assessment import Policy, assess
from silkgate.tariff.files import parse_rates, parse_tariff
from silkgate.tariff.rates import ExchangeRates
from silkgate.tariff.schedule import build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="declarations (3000)")
    parser.add_argument("--rounds", type=int, default=5, help="timed passes; the best counts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    schedule_file, rates_file = demo.tariff_files()
    subheadings = [r["code"] for r in files.hs_codes() if r["level"] == 6]
    parsed = parse_tariff(gzip.decompress(schedule_file).decode(), subheadings, "CN")
    currencies = {r["code"]: r["minor_unit"] for r in files.currencies()}
    rates = ExchangeRates("CNY", parse_rates(rates_file.decode(), currencies, "CNY"))
    schedule = build(1, parsed.title, True, "CNY", parsed.lines, parsed.measures)
    loaded = time.perf_counter() - started
    policy = Policy("CNY", 2)
    docs = [
        DeclarationDocument.model_validate(d)
        for d in Generator(args.seed, "Asia/Shanghai").batch(args.n)
    ]
    items = sum(len(d.items) for d in docs)
    today = dt.date.today()

    def once(record: bool) -> float:
        t = time.perf_counter()
        for d in docs:
            a = assess(d, schedule, rates, today, policy)
            if record:
                assessment_row(a)
        return time.perf_counter() - t

    results = {}
    for name, record in (("assess", False), ("assess + record", True)):
        once(record)  # warm caches (unit factors, measure look-ups)
        times = [once(record) for _ in range(args.rounds)]
        best, median = min(times), statistics.median(times)
        results[name] = {
            "items_per_s_best": round(items / best),
            "items_per_s_median": round(items / median),
            "declarations_per_s_best": round(args.n / best),
            "us_per_item_best": round(best / items * 1e6, 2),
        }

    # Tariff search, as the public endpoint runs it (index built once per version).
    from silkgate.tariff.search import SearchIndex

    hs = {r["code"]: r["description"] for r in files.hs_codes()}
    t = time.perf_counter()
    index = SearchIndex(schedule, hs)
    indexed = time.perf_counter() - t
    queries = ["coffee", "lithium", "dragon fruit", "frozen fish fillets", "steel", "motor car"]
    t = time.perf_counter()
    rounds = 200
    for _ in range(rounds):
        for q in queries:
            index.search(q, 50)
    per_query_ms = (time.perf_counter() - t) / (rounds * len(queries)) * 1000
    results["search"] = {"index_s": round(indexed, 2), "ms_per_query": round(per_query_ms, 3)}

    m = machine()
    print(
        f"machine: {m['cpu']}, {m['cores']} cores, Python {platform.python_version()}; "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"tariff: {len(parsed.lines):,} lines, {len(parsed.measures):,} measures, "
        f"parsed and indexed in {loaded:.2f} s"
    )
    print(
        f"{args.n:,} declarations, {items:,} items ({items / args.n:.1f} per declaration), "
        f"best of {args.rounds} passes, one core:"
    )
    for name, r in results.items():
        if name == "search":
            continue
        print(
            f"  {name:<16} {r['items_per_s_best']:>9,} items/s  "
            f"(median {r['items_per_s_median']:,}; {r['us_per_item_best']} µs/item; "
            f"{r['declarations_per_s_best']:,} declarations/s)"
        )
    print(
        f"  tariff search: index built in {results['search']['index_s']} s; "
        f"{results['search']['ms_per_query']} ms per query ({', '.join(queries)})"
    )
    if args.json:
        print(json.dumps({"n": args.n, "items": items, **results}))


if __name__ == "__main__":
    main()
