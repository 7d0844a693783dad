"""Receiving one bulk request of records: one transaction, one result per record.

Each line is parsed on its own (:mod:`silkgate.ecommerce.intake`); then, in one
write transaction, the records are compared with what the sender sent before
(same id and body: unchanged; same id, another body: refused), with what the
parcel already has (a second order, payment, waybill or list entry for an order:
refused), waybills with the orders known, and the rest are stored with one batch
statement. The parcels they complete are decided in the same transaction
(:mod:`deciding`), so a result line can tell the parcel's status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from silkgate.ecommerce.clearance import Outcome
from silkgate.ecommerce.intake import Checks, Parsed, Refused, parse_lines
from silkgate.ecommerce.records import Kind
from silkgate.kernel.errors import FieldError
from silkgate.store import ecommerce as store

Key = tuple[str, str]
ACCEPTED, UNCHANGED, REFUSED = "accepted", "unchanged", "refused"


@dataclass
class Batch:
    """The lines of one request as they are sorted out."""

    kind: Kind
    results: list[dict[str, Any]]  # by line
    accepted: list[Parsed]


def refusal(line: int, record_id: str | None, errors: list[FieldError]) -> dict[str, Any]:
    return {
        "line": line,
        "id": record_id,
        "status": REFUSED,
        "errors": [e.as_dict() for e in errors],
    }


def parse_all(lines: Sequence[bytes], checks: Checks) -> Batch:
    """Every line parsed; those refused get their result now."""
    batch = Batch(checks.kind, [], [])
    for parsed in parse_lines(lines, checks):
        if isinstance(parsed, Refused):
            batch.results.append(refusal(parsed.line, parsed.record_id, parsed.errors))
        else:
            batch.results.append({"line": parsed.line, "id": parsed.record_id, "status": ACCEPTED})
            batch.accepted.append(parsed)
    return batch


def _refuse(batch: Batch, parsed: Parsed, pointer: str, code: str, detail: str) -> None:
    batch.results[parsed.line - 1] = refusal(
        parsed.line, parsed.record_id, [FieldError(pointer, code, detail)]
    )


def sort_out(
    conn: sa.Connection, batch: Batch, sender_id: int, waybill_requires_order: bool
) -> list[Parsed]:
    """The records of ``batch`` to store; the others' results say why not (in place)."""
    kind = batch.kind.value
    before = store.sent_before(conn, kind, sender_id, [p.record_id for p in batch.accepted])
    keys = list({(p.platform, p.order_no) for p in batch.accepted})
    kinds = store.kinds_of(conn, keys)
    taken = {key for key, found in kinds.items() if kind in found}
    orders = (
        {key for key, found in kinds.items() if Kind.ORDERS.value in found}
        if batch.kind is Kind.WAYBILLS and waybill_requires_order
        else None
    )
    seen: dict[str, str] = {}
    fresh: list[Parsed] = []
    for p in batch.accepted:
        known = before.get(p.record_id) or seen.get(p.record_id)
        if known is not None:
            if known == p.digest:
                batch.results[p.line - 1]["status"] = UNCHANGED
            else:
                _refuse(
                    batch,
                    p,
                    "/id",
                    "duplicate_id",
                    f"record {p.record_id} was sent before with another body",
                )
            continue
        key = (p.platform, p.order_no)
        if key in taken:
            _refuse(
                batch,
                p,
                "/order_no",
                "already_recorded",
                f"order {p.order_no} of {p.platform} already has its {kind[:-1]} record",
            )
            continue
        if orders is not None and key not in orders:
            _refuse(
                batch,
                p,
                "/order_no",
                "unknown_order",
                f"no order {p.order_no} of {p.platform} is known: the platform sends it first",
            )
            continue
        seen[p.record_id] = p.digest
        taken.add(key)
        fresh.append(p)
    return fresh


def record_rows(fresh: list[Parsed], kind: Kind, sender_id: int, now: Any) -> list[tuple[Any, ...]]:
    """The rows to store, in the order of ``store.RECORD_COLUMNS``."""
    return [
        (kind.value, sender_id, p.record_id, p.platform, p.order_no, p.digest, p.text, now)
        for p in fresh
    ]


def tell_parcels(batch: Batch, fresh: list[Parsed], outcomes: list[Outcome]) -> None:
    """Add the decided parcel's status to the result of each record that completed it."""
    by_key = {(o.parcel.platform, o.parcel.order_no): o for o in outcomes}
    for p in fresh:
        outcome = by_key.get((p.platform, p.order_no))
        if outcome is not None:
            result = batch.results[p.line - 1]
            result["parcel"] = outcome.status
            if outcome.reasons:
                result["reasons"] = [r.as_json() for r in outcome.reasons]


Decider = Callable[[sa.Connection, list[Key], Any], list[Outcome]]
