"""Benchmark: origin determinations per second, in process, on one core.

    .venv/bin/python bench/origin.py                  # 2000 bills of 20 materials
    .venv/bin/python bench/origin.py --n 5000 --materials 20 --json

Bills of materials are generated (seeded): products under the general rule
and under the shipped product-specific rules (a CTH with an exception, a
specific process, a change of chapter, an RVC-and-CTSH combination),
materials of HS 2022 chapters, headings and subheadings from parties and
non-parties, some with proof of origin, valued in USD, CNY, VND and KRW.
The rules are the shipped file, compiled once; the exchange rates are the
illustrative demo rates held in memory.

Three figures, best of ``--rounds`` passes:

- ``core``: :func:`silkgate.origin.determination.determine` on pre-parsed cases
  (the decision and its explanation sentences);
- ``core + JSON``: the same, and the answer as the API builds it (``as_json``);
- ``service``: the full in-process path of ``POST /v1/origin/determinations``
  without HTTP: the JSON body parsed and checked by pydantic, the code lists
  checked, determined, the answer serialised with orjson. The service reads its
  rules from a temporary SQLite database once, as a node does.

Both wall-clock and CPU (``process_time``) rates are printed: on a shared
machine the CPU figure says what the code costs, the wall figure what the
machine gave. Prints figures and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lodge import machine
from silkgate import demo
from silkgate.origin.case import CodeLists
from silkgate.origin.commands import parse_request
from silkgate.origin.determination import RateLookup, determine
from silkgate.origin.files import ParsedRules, parse_rules
from silkgate.origin.rulebook import RuleBook
from silkgate.refdata import files
from silkgate.tariff.files import parse_rates
from silkgate.tariff.rates import ExchangeRates, MissingRate

ON = dt.date(2026, 11, 20)
PRODUCTS = [
    ("847130", "Notebook computer", "general rule"),
    ("851713", "Smartphone", "general rule"),
    ("940360", "Wooden furniture", "general rule"),
    ("151620", "Hydrogenated vegetable fats", "CTH except 1511"),
    ("290110", "Ethylene", 'SP "chemical reaction" or RVC 40'),
    ("610910", "Cotton T-shirts", "RVC 40 or CC"),
    ("850760", "Lithium-ion battery packs", "RVC 40 and CTSH"),
]
ORIGINS = ["CN", "VN", "TH", "MY", "ID", "KR", "JP", "US", "DE", None]
CURRENCIES = ["USD", "USD", "CNY", "VND", "KRW"]
SCALE = {"USD": 1, "CNY": 7, "VND": 25000, "KRW": 1400}


def bill(
    rng: random.Random, materials: int, subheadings: list[str], share: float = 0.5
) -> dict[str, Any]:
    """A request body: a product and ``materials`` materials worth about ``share`` of its FOB."""
    hs, description, _ = rng.choice(PRODUCTS)
    fob = Decimal(rng.randint(2_000, 200_000))
    parts = []
    for i in range(materials):
        code = rng.choice(subheadings)
        code = code[: rng.choice((6, 6, 6, 4, 2))]
        if rng.random() < 0.15:
            code = hs  # the product's own subheading: fails any tariff change
        currency = rng.choice(CURRENCIES)
        part = fob * Decimal(share) / materials * Decimal(rng.uniform(0.2, 1.8))
        amount = (part * SCALE[currency]).quantize(Decimal("0.01"))
        origin = rng.choice(ORIGINS)
        parts.append(
            {
                "description": f"Material {i + 1}",
                "hs": code,
                "origin": origin,
                "originating": origin is not None and rng.random() < 0.4,
                "value": {"amount": str(max(amount, Decimal("0.01"))), "currency": currency},
            }
        )
    return {
        "agreement": "ACFTA",
        "exporting_country": "CN",
        "date": ON.isoformat(),
        "product": {
            "hs": hs,
            "description": description,
            "fob": {"amount": f"{fob}.00", "currency": "USD"},
        },
        "materials": parts,
        "processes": rng.choice([["assembly"], ["assembly", "testing"], ["chemical reaction"]]),
    }


def timed(work: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds of ``rounds`` runs of ``work`` (after a warm-up)."""
    work()
    walls, cpus = [], []
    for _ in range(rounds):
        w, c = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="bills of materials (2000)")
    parser.add_argument("--materials", type=int, default=20, help="materials per bill (20)")
    parser.add_argument("--rounds", type=int, default=7, help="timed passes; the best counts")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--share",
        type=float,
        default=0.5,
        help="materials' value as a share of FOB (0.5; 0.9 makes most bills fail RVC 40)",
    )
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


def _rules_and_rates() -> tuple[CodeLists, ParsedRules, RuleBook, float, RateLookup]:
    """The code lists, the shipped rules compiled (and how long that took), the demo rates."""
    codes = CodeLists(
        hs_subheadings=frozenset(str(r["code"]) for r in files.hs_codes() if r["level"] == 6),
        countries=frozenset(str(r["alpha2"]) for r in files.countries()),
        currencies={str(r["code"]): r["minor_unit"] for r in files.currencies()},
    )
    started = time.perf_counter()
    parsed = parse_rules(demo.origin_rules_file().decode(), codes.countries, codes.hs_codes())
    book = RuleBook(parsed.terms, parsed.rules, version=1, title=parsed.title)
    compiled = time.perf_counter() - started
    _, rates_file = demo.tariff_files()
    rates = ExchangeRates("CNY", parse_rates(rates_file.decode(), dict(codes.currencies), "CNY"))

    def national_rate(currency: str, on: dt.date) -> Decimal | None:
        try:
            return rates.rate(currency, on).rate
        except MissingRate:
            return None

    return codes, parsed, book, compiled, national_rate


def main() -> None:
    args = _arguments()
    codes, parsed, book, compiled, national_rate = _rules_and_rates()
    rng = random.Random(args.seed)
    subheadings = sorted(codes.hs_subheadings)
    bodies = [bill(rng, args.materials, subheadings, args.share) for _ in range(args.n)]
    raw_bodies = [orjson.dumps(b) for b in bodies]
    cases = [parse_request(b, ON) for b in bodies]
    originating = sum(determine(c, book, national_rate).originating for c in cases)
    service = _service(codes, national_rate)

    def core() -> None:
        for case in cases:
            determine(case, book, national_rate)

    def core_json() -> None:
        for case in cases:
            determine(case, book, national_rate).as_json()

    def full() -> None:
        for raw in raw_bodies:
            orjson.dumps(service.determine(orjson.loads(raw), body=raw).as_json())

    results: dict[str, dict[str, float]] = {}
    for name, work in (("core", core), ("core + JSON", core_json), ("service", full)):
        wall, cpu = timed(work, args.rounds)
        results[name] = {
            "per_s_wall": round(args.n / wall),
            "per_s_cpu": round(args.n / cpu),
            "us_wall": round(wall / args.n * 1e6, 1),
        }
    m = machine()
    print(f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; {m['date']}")
    explanation = statistics.mean(
        len(determine(c, book, national_rate).explanation) for c in cases[:200]
    )
    print(
        f"rules: {len(book)} rules of {len(parsed.terms)} agreements, compiled in "
        f"{compiled * 1000:.0f} ms; {args.n:,} bills of {args.materials} materials, "
        f"{originating / args.n:.0%} originating, {explanation:.0f} sentences each; "
        f"best of {args.rounds} passes, one core:"
    )
    for name, r in results.items():
        print(
            f"  {name:<12} {r['per_s_wall']:>8,} determinations/s wall "
            f"({r['us_wall']} µs each); {r['per_s_cpu']:>8,}/s of CPU"
        )
    if args.json:
        print(json.dumps({"n": args.n, "materials": args.materials, **results}))


def _service(codes: CodeLists, national_rate: Callable[[str, dt.date], Decimal | None]) -> Any:
    """The node's origin service on a temporary SQLite database holding the shipped rules."""
    from silkgate.origin.services import OriginService
    from silkgate.store import migrate
    from silkgate.store.db import make_engine

    folder = Path(tempfile.mkdtemp(prefix="silkgate-bench-origin-"))
    url = f"sqlite:///{folder / 'origin.db'}"
    migrate.upgrade(url)
    service = OriginService(
        make_engine(url, pool_size=1),
        codes=codes,
        national_rate=national_rate,
        zone=ZoneInfo("Asia/Shanghai"),
        ttl=3600,  # a node checks for a new version every few seconds; here, once
    )
    service.load(demo.origin_rules_file(), source="rules-of-origin.toml", actor="bench")
    return service


if __name__ == "__main__":
    main()
