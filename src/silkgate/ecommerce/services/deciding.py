"""Deciding the parcels a request completed, in the request's own transaction.

Reads the four records of each parcel still to be decided, screens them (pure),
locks the consumers' quotas and the agents' guarantees, allocates, runs the risk
profiles, and writes every decision, quota and guarantee back with one batch
statement each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.ecommerce import clearance
from silkgate.ecommerce.clearance import HELD, RELEASED, Ledgers, Outcome, Parcel
from silkgate.ecommerce.facts import ModelBudget, ModelScorer, ParcelRisk, select_by_model
from silkgate.ecommerce.records import Kind
from silkgate.ecommerce.tax import MeasureOf, ParcelTax, assess_parcel, measures
from silkgate.ecommerce.terms import Terms
from silkgate.risk.profiles import Profile
from silkgate.store import ecommerce as store
from silkgate.tariff.schedule import TariffLine

Key = tuple[str, str]
ALL_KINDS = (Kind.ORDERS, Kind.PAYMENTS, Kind.WAYBILLS, Kind.PARCELS)


@dataclass(frozen=True)
class Pricing:
    """What deciding needs of the tariff, the rates and the risk capability (as ports)."""

    terms: Terms
    national: str  # the national currency
    minor_unit: int
    # The tariff in force now: a look-up of the line of an HS code (LookupError: none).
    tariff: Callable[[], Callable[[str], TariffLine]]
    rate_of: Callable[[str, dt.date], Decimal | None]  # national per unit of a currency
    profiles: Callable[[], Sequence[Profile]]
    zone: dt.tzinfo
    # The risk model in force (None: none), and the parcels' own budget for it.
    model: Callable[[], ModelScorer | None] = lambda: None
    model_budget: ModelBudget | None = None

    def to_limit(self, currency: str, on: dt.date) -> Decimal | None:
        """Units of the limits' currency per unit of ``currency`` on ``on``."""
        limit = self.terms.limit_currency
        if currency == limit:
            return Decimal(1)
        here = self.rate_of(currency, on)
        there = self.rate_of(limit, on)
        return None if here is None or not there else here / there

    def tax(
        self,
        parcel: Parcel,
        on: dt.date,
        line_of: Callable[[str], TariffLine],
        measure_of: MeasureOf | None = None,
    ) -> ParcelTax:
        rate = self.rate_of(parcel.entry["currency"], on)
        if rate is None:
            raise LookupError(f"no customs rate for {parcel.entry['currency']} on {on}")
        return assess_parcel(
            parcel.entry,
            line_of=line_of,
            rate=rate,
            on=on,
            terms=self.terms,
            minor_unit=self.minor_unit,
            measure_of=measure_of,
        )


def complete(
    rows: Sequence[tuple[int, str, str]],
    kind: Kind,
    arrived: dict[Key, dict[str, Any]],
    stored: dict[Key, dict[str, str]],
) -> list[Parcel]:
    """The parcels among ``rows`` that have all four records: the one of ``kind`` that just
    ``arrived`` (parsed) and the three others as ``stored`` (JSON text)."""
    parcels = []
    for pid, platform, order_no in rows:
        texts = stored.get((platform, order_no), {})
        if len(texts) != len(ALL_KINDS) - 1:
            continue  # only complete parcels are read whole
        records = {k: orjson.loads(t) for k, t in texts.items()}
        records[kind.value] = arrived[(platform, order_no)]
        parcels.append(
            Parcel(
                pid, platform, order_no,
                records[Kind.ORDERS], records[Kind.PAYMENTS],
                records[Kind.WAYBILLS], records[Kind.PARCELS],
            )
        )  # fmt: skip
    return parcels


def decide(
    conn: sa.Connection,
    kind: Kind,
    arrived: dict[Key, dict[str, Any]],
    pricing: Pricing,
    now: dt.datetime,
) -> list[Outcome]:
    """Decide every parcel that a record of ``kind`` just ``arrived`` for completes, and
    that is still undecided."""
    # The parcels are locked first (on PostgreSQL), then their other records read: two
    # requests bringing a parcel's last two records take turns, and the second reads
    # the first's record. The records just arrived are not read back.
    rows = store.undecided(conn, list(arrived))
    if not rows:
        return []
    stored = store.others(conn, [(r[1], r[2]) for r in rows], kind.value)
    parcels = complete(rows, kind, arrived, stored)
    if not parcels:
        return []
    today = now.astimezone(pricing.zone).date()
    # One tariff and one set of rates for the whole batch.
    line_of = pricing.tariff()
    measure_of = measures(line_of, today)
    pricing = dataclasses.replace(pricing, rate_of=functools.cache(pricing.rate_of))
    outcomes = [
        clearance.screen(
            parcel,
            pricing.terms,
            lambda currency: pricing.to_limit(currency, today),
            lambda p: pricing.tax(p, today, line_of, measure_of),
        )
        for parcel in parcels
    ]
    going = [o for o in outcomes if o.status == RELEASED]
    ledgers = Ledgers(
        store.lock_quotas(conn, (o.parcel.consumer for o in going), today.year),
        store.lock_guarantees(conn, (o.parcel.agent for o in going)),
    )
    before = dict(ledgers.used), dict(ledgers.left)
    clearance.allocate(going, ledgers, pricing.terms)
    risk = ParcelRisk(pricing.profiles(), today, pricing.terms.score_threshold)
    clearance.select_for_inspection(going, risk)
    model = pricing.model()
    if model is not None and pricing.model_budget is not None:
        select_by_model(going, model, pricing.model_budget, today)
    store.write_quotas(conn, today.year, _changed(ledgers.used, before[0]))
    store.write_guarantees(conn, _changed(ledgers.left, before[1]))
    store.write_decisions(conn, [_row(o, today.year, now) for o in outcomes])
    return outcomes


def _changed(after: dict[str, Decimal], before: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: v for k, v in after.items() if before.get(k) != v}


def _row(outcome: Outcome, year: int, now: dt.datetime) -> dict[str, Any]:
    """The parcel row's columns for ``outcome``."""
    parcel, tax = outcome.parcel, outcome.tax
    # Quota and tax are taken by parcels released and by those held for inspection.
    took = outcome.status == RELEASED or outcome.selected
    return {
        "pid": parcel.id,
        "status": outcome.status,
        "reason_code": outcome.reason_code,
        "reason": outcome.reason,
        "agent": parcel.agent,
        "waybill_no": parcel.entry["waybill_no"],
        "consumer_hash": parcel.consumer,
        "currency": parcel.entry["currency"],
        "value": outcome.value,
        "customs_value": tax.customs_value if tax else None,
        "tax": tax.total if tax and took else None,
        "quota_year": year if took else None,
        "selected": outcome.selected,
        "decided_at": now,
        "released_at": now if outcome.status == RELEASED else None,
    }


__all__ = ["HELD", "Pricing", "complete", "decide"]
