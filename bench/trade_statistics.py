"""Benchmark: the statistics at national scale, and what keeping them adds to the work.

    .venv/bin/python bench/trade_statistics.py --scale 100000 1000000      # PostgreSQL, COPY
    .venv/bin/python bench/trade_statistics.py --cost 300 --db sqlite       # the handler's cost

**Scale.** A synthetic month of N import declarations is loaded with
``COPY`` (psycopg 3) into a fresh PostgreSQL database migrated to the node's
schema: N stage rows, their daily sums (summed in SQL from the stage rows, as
the handler keeps them), and ``--items`` trade facts per declaration (partners,
subheadings and traders drawn with skew, as real trade is). Then the Time
Release Study of the month by office, channel and mode, and the month's trade
table by HS chapter and partner (with confidentiality), each timed three times
through the node's services; the best and the median are printed.

**Cost.** A fresh database prepared as ``bench/lodge.py`` does; N declarations
lodged in process one at a time, and the green ones paid (payment and release
in one transaction). The statistics handler and its flush are timed around each
call (all the events of a lodging, all those of a release), so the figure is what keeping the
statistics adds, not the lodging's own noise.

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

# This file is named as the standard library's statistics module, which the node imports:
# take this folder off the path, and load the lodging benchmark's helpers from their file.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
_spec = importlib.util.spec_from_file_location("bench_lodge", _HERE / "lodge.py")
assert _spec is not None and _spec.loader is not None
lodge = sys.modules["bench_lodge"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lodge)

import psycopg  # noqa: E402

from silkgate.access.principals import demo_token  # noqa: E402
from silkgate.bootstrap import open_node  # noqa: E402
from silkgate.config import Settings  # noqa: E402
from silkgate.declarations.commands import PaymentBody  # noqa: E402
from silkgate.kernel.events import Event  # noqa: E402
from silkgate.statistics.services.tables import TradeTables  # noqa: E402
from silkgate.statistics.stages import ALPHA, SUMS  # noqa: E402
from silkgate.store import migrate  # noqa: E402
from silkgate.store.db import make_engine  # noqa: E402
from silkgate.trs.services import TrsService  # noqa: E402

DECLARANT_USER, SECRET = lodge.DECLARANT_USER, lodge.SECRET
Generator, fresh_database = lodge.Generator, lodge.fresh_database
machine, prepare = lodge.machine, lodge.prepare

MONTH = "2026-10"
START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
OFFICES = [f"CN{c}" for c in ("SGH", "NGB", "SZX", "TAO", "TSN", "XMN", "DLC", "CAN", "HKG")]
OFFICES += [f"C{i:04d}" for i in range(40)]
CHANNELS = ["green"] * 80 + ["yellow"] * 12 + ["red"] * 6 + ["blue"] * 2
MODES = ["1"] * 60 + ["4"] * 20 + ["3"] * 12 + ["2"] * 8
PARTNERS = ["US", "JP", "KR", "DE", "AU", "VN", "MY", "TH", "ID", "BR", "RU", "SG", "FR", "GB"]
PARTNERS += [f"{a}{b}" for a in "ABCDEFGHIJ" for b in "KLMNOPQRST"]  # 100 small partners


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# (This file is bench/trade_statistics.py: the standard library's statistics module is shadowed.)
def _skewed(rng: random.Random, items: list[str]) -> str:
    """Zipf-like: the first items are drawn far more often, as in real trade."""
    return items[min(int(rng.paretovariate(1.2)) - 1, len(items) - 1)]


def _ts(at: dt.datetime) -> str:
    return at.isoformat()


def _stage_rows(n: int, rng: random.Random) -> Any:
    for i in range(1, n + 1):
        lodged = START + dt.timedelta(seconds=rng.randrange(31 * 86400))
        channel = rng.choice(CHANNELS)
        hours = rng.lognormvariate(0.5 if channel == "green" else 2.2, 0.8)
        released = lodged + dt.timedelta(hours=hours) if rng.random() < 0.97 else None
        inspected = channel in ("yellow", "red")
        started = lodged + dt.timedelta(hours=hours * 0.3) if inspected else None
        finished = lodged + dt.timedelta(hours=hours * 0.8) if inspected else None
        paid = lodged + dt.timedelta(hours=hours * 0.9)
        release_ms = (
            None if released is None else (released - lodged) // dt.timedelta(milliseconds=1)
        )
        yield (
            i, "IM", rng.choice(OFFICES), channel, rng.choice(MODES), f"{rng.randint(1, 97):02d}",
            lodged.date(), lodged.date() - dt.timedelta(days=rng.randint(0, 3)),
            _ts(lodged), _ts(lodged), _ts(lodged), started and _ts(started),
            finished and _ts(finished), _ts(paid), released and _ts(released), release_ms,
        )  # fmt: skip


def _trade_rows(n: int, items: int, rng: random.Random) -> Any:
    chapters = [f"{c:02d}" for c in (85, 84, 27, 87, 90, 39, 29, 72, 26, 30, 61, 62, 94, 95, 3)]
    chapters += [f"{c:02d}" for c in range(1, 98) if c != 77]
    traders = [f"9131{i:014d}" for i in range(200_000)]
    for i in range(1, n + 1):
        trader = _skewed(rng, traders)
        for seq in range(1, items + 1):
            value = Decimal(rng.lognormvariate(10, 1.5)).quantize(Decimal("0.001"))
            hs6 = _skewed(rng, chapters) + f"{rng.randint(1, 99):02d}{rng.randint(10, 90):02d}"
            usd = (value / Decimal("7.1")).quantize(Decimal("0.001"))
            duties = (value * Decimal("0.13")).quantize(Decimal("0.001"))
            yield (
                "D", i, seq, MONTH, "M", hs6, _skewed(rng, PARTNERS), "4000", rng.choice(MODES),
                trader, value, usd, None, "KGM", Decimal(rng.randint(1, 20000)), duties,
            )  # fmt: skip


_STAGE_COLUMNS = (
    "declaration_id, type, office, channel, mode, chapter, day, arrival_date, lodged_at, "
    "assessed_at, channel_at, inspection_started_at, inspection_finished_at, paid_at, "
    "released_at, release_ms"
)
_TRADE_COLUMNS = (
    "source, ref_id, seq, month, flow, hs6, partner, procedure, mode, trader, value, "
    "value_usd, quantity, unit, net_mass_kg, duties"
)
# The daily sums the handler keeps, summed in SQL from the stage rows loaded.
_SUMS_SQL = """
INSERT INTO stat_daily
SELECT day, type, office, coalesce(channel, 'none'), mode, chapter,
  count(*), count(release_ms), coalesce(sum(release_ms), 0),
  count(*) FILTER (WHERE release_ms <= 3600000),
  count(*) FILTER (WHERE release_ms <= 21600000),
  count(*) FILTER (WHERE release_ms <= 86400000),
  count(assessed_at), coalesce(sum(extract(epoch FROM assessed_at - lodged_at) * 1000), 0),
  count(channel_at), coalesce(sum(extract(epoch FROM channel_at - lodged_at) * 1000), 0),
  count(inspection_started_at),
  coalesce(sum(extract(epoch FROM inspection_started_at - lodged_at) * 1000), 0),
  count(inspection_finished_at),
  coalesce(sum(extract(epoch FROM inspection_finished_at - lodged_at) * 1000), 0),
  count(paid_at), coalesce(sum(extract(epoch FROM paid_at - lodged_at) * 1000), 0),
  count(released_at), coalesce(sum(released_at::date - arrival_date), 0)
FROM stat_stages GROUP BY 1, 2, 3, 4, 5, 6
"""


_STUDY_SQL = """
INSERT INTO stat_study
SELECT day, type, dimension, value, {sums}
FROM (
  SELECT day, type, 'all' AS dimension, '' AS value, {columns} FROM stat_daily
  UNION ALL SELECT day, type, 'office', office, {columns} FROM stat_daily
  UNION ALL SELECT day, type, 'channel', channel, {columns} FROM stat_daily
  UNION ALL SELECT day, type, 'mode', mode, {columns} FROM stat_daily
) AS rows GROUP BY 1, 2, 3, 4
"""
# The sketch's buckets, computed in SQL as statistics/stages.py: bucket() does.
_SKETCH_SQL = """
INSERT INTO stat_sketch
SELECT day, type, dimension, value, bucket, count(*) FROM (
  SELECT day, type, unnest(ARRAY['all', 'office', 'channel', 'mode']) AS dimension,
    unnest(ARRAY['', office, coalesce(channel, 'none'), mode]) AS value,
    CASE WHEN release_ms < 1 THEN 0
      ELSE ceil(ln(release_ms) / ln((1 + {alpha}) / (1 - {alpha})))::int END AS bucket
  FROM stat_stages WHERE release_ms IS NOT NULL
) AS rows GROUP BY 1, 2, 3, 4, 5
"""


def _copy(url: str, table: str, columns: str, rows: Any) -> float:
    started = time.perf_counter()
    with (
        psycopg.connect(url) as conn,
        conn.cursor() as cur,
        cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    return time.perf_counter() - started


def _timed(fn: Any, repeat: int = 3) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), _median(times)


def scale(n: int, items: int) -> None:
    db = fresh_database("postgresql")
    try:
        migrate.upgrade(db.url)
        raw = db.url.replace("postgresql+psycopg://", "postgresql://")
        rng = random.Random(n)
        load = _copy(raw, "stat_stages", _STAGE_COLUMNS, _stage_rows(n, rng))
        load += _copy(raw, "stat_trade", _TRADE_COLUMNS, _trade_rows(n, items, rng))
        t = time.perf_counter()
        with psycopg.connect(raw, autocommit=True) as conn:
            conn.execute(_SUMS_SQL)
            columns = ", ".join(SUMS)
            sums_of = ", ".join(f"sum({c})" for c in SUMS)
            conn.execute(_STUDY_SQL.format(columns=columns, sums=sums_of))  # type: ignore[arg-type]
            conn.execute(_SKETCH_SQL.format(alpha=ALPHA))  # type: ignore[arg-type]
            conn.execute("ANALYZE")
            sums = conn.execute("SELECT count(*) FROM stat_daily").fetchone()
        load += time.perf_counter() - t
        engine = make_engine(db.url)
        trs, trade = TrsService(engine), TradeTables(engine)
        first, last = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
        print(f"\n{n:,} declarations ({n * items:,} trade facts, {sums[0]:,} daily rows): "
              f"loaded in {load:.1f} s")  # fmt: skip
        for by in ("office", "channel", "mode"):
            best, median = _timed(lambda by=by: trs.report(first, last, by))
            how = trs.report(first, last, by)["percentiles"]
            print(f"  TRS by {by:<8} best {best * 1000:8.1f} ms   median "
                  f"{median * 1000:8.1f} ms (percentiles {how})")  # fmt: skip
        best, median = _timed(lambda: trade.table(MONTH, "M", ("chapter", "partner")))
        cells = trade.table(MONTH, "M", ("chapter", "partner"))
        hidden = sum(1 for c in cells["cells"] if c["flag"])
        shown = f"{len(cells['cells']):,} cells, {hidden:,} withheld"
        print(f"  trade chapter x partner best {best * 1000:8.1f} ms   median "
              f"{median * 1000:8.1f} ms ({shown})")  # fmt: skip
        engine.dispose()
    finally:
        db.cleanup()


def cost(kind: str, n: int) -> None:
    db = fresh_database(kind)
    try:
        prepare(db.url)
        node = open_node(Settings(mode="test", database_url=db.url, secret_key=SECRET))
        spent: list[float] = []
        handler = node.statistics.on_event

        def timed(event: Event, uow: Any) -> None:
            t = time.perf_counter()
            handler(event, uow)
            spent.append(time.perf_counter() - t)

        flush = node.statistics.flush

        def timed_flush(uow: Any) -> None:
            t = time.perf_counter()
            flush(uow)
            spent.append(time.perf_counter() - t)

        node.bus.unsubscribe(Event, handler)
        node.bus.subscribe(Event, timed)
        node.bus.settled.remove(flush)
        node.bus.on_settled(timed_flush)
        declarant = node.tokens.resolve(demo_token(SECRET, DECLARANT_USER))
        officer = node.tokens.resolve(demo_token(SECRET, "officer.li"))
        assert declarant is not None and officer is not None
        gen = Generator(seed=7, timezone="Asia/Shanghai")
        lodging, release, green = [], [], []
        for doc in gen.batch(n):
            spent.clear()
            summary, _ = node.declarations.lodge(declarant, doc)
            lodging.append(sum(spent))
            green.append(summary["mrn"])
        for mrn in green:
            account = node.declarations.account(officer, mrn)
            if account["status"] != "lodged" or Decimal(account["due"]) <= 0:
                continue
            spent.clear()
            body = PaymentBody(kind="payment", amount=account["due"], currency="CNY",
                               reference=f"B-{uuid.uuid4().hex[:8]}")  # fmt: skip
            node.declarations.record_payment(officer, mrn, body)
            release.append(sum(spent))
        node.close()
        for name, values in (("lodging", lodging), ("payment and release", release)):
            if values:
                ms = sorted(v * 1000 for v in values)
                print(f"  {db.kind}: statistics per {name}: mean {_mean(ms):.3f} ms, "
                      f"median {_median(ms):.3f} ms, p90 {ms[int(len(ms) * 0.9)]:.3f} ms "
                      f"({len(ms)} measured)")  # fmt: skip
    finally:
        db.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, nargs="*", default=[], help="declarations")
    parser.add_argument("--items", type=int, default=2, help="trade facts per declaration")
    parser.add_argument("--cost", type=int, default=0, help="declarations lodged in process")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(machine())
    for n in args.scale:
        scale(n, args.items)
    if args.cost:
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            cost(kind, args.cost)


if __name__ == "__main__":
    main()
