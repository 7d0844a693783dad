"""Benchmark: transit movements released per second at the office of departure, in process.

    .venv/bin/python bench/transit.py                       # 2,000 movements on SQLite
    .venv/bin/python bench/transit.py --n 5000 --batch 128 --database-url postgresql+psycopg://...

China's node is set up as the demo is (reference data, the illustrative
tariff and rates), with Kazakhstan and Uzbekistan as partners under the
transit agreement (their nodes exist only to hand over their cards). The
movements are the example Horgos → Khorgos → Tashkent (two items, a
comprehensive guarantee), lodged first (timed apart), then released one by
one by an officer, each release its own unit of work as the API runs it: the
movement locked, the duties at stake reserved on the guarantee by a
conditional UPDATE, the status written, the anticipated records (IE050 to
Kazakhstan, IE001 to Uzbekistan) put in the outbox and the step journaled,
then one commit (on SQLite, WAL with synchronous=FULL: one fsync per release).
As many again are released in groups (``--batch``, 64 by default) with
``Departure.release_many``: the same work per movement, each in a savepoint
of its own, one commit per group.

Figures: movements/s (wall), CPU seconds of this process per movement, and the
checks that every release reserved once and queued two messages. Prints
figures; exits 1 if a count is wrong; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import platform
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402

from lodge import machine  # noqa: E402
from silkgate import demo  # noqa: E402
from silkgate.bootstrap import open_node  # noqa: E402
from silkgate.config import Settings  # noqa: E402
from silkgate.exchange.commands import PartnerRegistration  # noqa: E402
from silkgate.kernel.actors import Principal, Role  # noqa: E402
from silkgate.kernel.commands import parse  # noqa: E402
from silkgate.node import Node  # noqa: E402
from silkgate.store import migrate, refdata  # noqa: E402
from silkgate.store.db import make_engine, reading  # noqa: E402
from silkgate.store.tables import exchange_outbox, transit_reservations  # noqa: E402
from silkgate.transit.document import (  # noqa: E402
    GuaranteeRegistration,
    Release,
    TransitDeclaration,
)

HOLDER = Principal(0, "acme-trading", Role.DECLARANT, "91310115MA1K4DEMO1")
OFFICER = Principal(0, "officer.li", Role.OFFICER, None)
EXAMPLE = ROOT / "examples" / "transit" / "horgos-tashkent.json"


def prepared(url: str, admin: str, currency: str, zone: str) -> Node:
    settings = Settings(
        mode="test", database_url=url, secret_key=f"bench-transit-secret-{admin.lower()}",
        administration=admin, currency=currency, timezone=zone, exchange_dispatch=False,
        public_url=f"http://{admin.lower()}.bench",
    )  # fmt: skip
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=2)
    refdata.load(engine)
    demo.setup(engine, settings.secret_key, admin)
    if admin == "CN":
        demo.load_tariff(settings, engine)
    engine.dispose()
    node = open_node(settings)
    node.exchange.ensure_key()
    return node


def declarations(n: int, guarantee: str) -> list[TransitDeclaration]:
    base = json.loads(EXAMPLE.read_text())
    out = []
    for i in range(n):
        doc = copy.deepcopy(base)
        doc.update(lrn=f"TR-BENCH-{i:07d}", guarantee=guarantee)
        out.append(parse(TransitDeclaration, doc))
    return out


def timed(fn: Any, items: list[Any]) -> tuple[list[Any], float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    results = [fn(x) for x in items]
    return results, time.perf_counter() - wall, time.process_time() - cpu


def counts(cn: Node, mrns: list[str]) -> tuple[int, int]:
    """(reservations, outbox messages) of these movements."""
    with reading(cn.engine) as conn:
        r = conn.execute(
            sa.select(sa.func.count())
            .select_from(transit_reservations)
            .where(transit_reservations.c.mrn.in_(mrns))
        ).scalar()
        m = conn.execute(
            sa.select(sa.func.count())
            .select_from(exchange_outbox)
            .where(exchange_outbox.c.subject.in_(mrns))
        ).scalar()
    return int(r or 0), int(m or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="movements (2000)")
    parser.add_argument("--batch", type=int, default=64, help="releases per group commit (64)")
    parser.add_argument("--database-url", help="China's database (default: SQLite in a tmp dir)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-transit-"))
    cn_url = args.database_url or f"sqlite:///{folder / 'cn.db'}"
    cn = prepared(cn_url, "CN", "CNY", "Asia/Shanghai")
    for admin, currency, zone in (("KZ", "KZT", "Asia/Almaty"), ("UZ", "UZS", "Asia/Tashkent")):
        partner = prepared(f"sqlite:///{folder / admin.lower()}.db", admin, currency, zone)
        card = partner.exchange.card().as_json()
        cn.exchange.add_partner(PartnerRegistration(card=card, agreements=["transit"]))
        partner.close()
    reference = f"G-BENCH-{dt.datetime.now(dt.UTC):%H%M%S}"
    cn.transit.guarantees.register(OFFICER, GuaranteeRegistration(
        reference=reference, holder=HOLDER.party_id or "", kind="comprehensive",
        amount=Decimal("999999999999.00"),
    ))  # fmt: skip
    docs = declarations(2 * args.n, reference)

    lodged, lodge_wall, lodge_cpu = timed(lambda d: cn.transit.departure.lodge(HOLDER, d), docs)
    lodge_wall, lodge_cpu = lodge_wall / 2, lodge_cpu / 2  # per n, as the releases below
    mrns = [m["mrn"] for m in lodged]
    single, grouped = mrns[: args.n], mrns[args.n :]
    released, wall, cpu = timed(
        lambda m: cn.transit.departure.release(OFFICER, m, Release()), single
    )
    groups = [grouped[i : i + args.batch] for i in range(0, len(grouped), args.batch)]
    answers, group_wall, group_cpu = timed(
        lambda g: cn.transit.departure.release_many(OFFICER, [(m, Release()) for m in g]), groups
    )
    released += [a for group in answers for a in group if isinstance(a, dict)]
    reservations, messages = counts(cn, mrns)
    balance = Decimal(cn.transit.guarantees.balance(OFFICER, reference)["balance"])
    stake = sum((Decimal(r["reserved"]) for r in released), Decimal(0))
    cn.close()

    m = machine()
    python = platform.python_version()
    print(f"machine: {m['cpu']}, {m['cores']} cores, Python {python}; {m['date']}")
    print(f"database: {cn_url.split(':', 1)[0]}, one thread, one unit of work per movement")
    print(f"{args.n:,} movements each way, CNHRS → KZHOR → UZTAS, 2 items each:")
    rows = (
        ("lodge", lodge_wall, lodge_cpu),
        ("release", wall, cpu),
        (f"release, groups of {args.batch}", group_wall, group_cpu),
    )
    for name, w, c in rows:
        print(
            f"  {name:<26} {args.n / w:>8,.0f} movements/s wall  ({w / args.n * 1e3:.2f} ms "
            f"each; CPU {c:.2f} s, {c / args.n * 1e3:.2f} ms each)"
        )
    ok = (
        len(released) == 2 * args.n
        and reservations == 2 * args.n
        and messages == 4 * args.n
        and balance == Decimal("999999999999.00") - stake
    )
    print(
        f"checks: {reservations:,} reservations, {messages:,} messages queued (IE050 + IE001), "
        f"balance lowered by exactly the stakes: {'ok' if ok else 'WRONG'}"
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
