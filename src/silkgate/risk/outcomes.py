"""Control outcomes: what a control found becomes the risk model's training history.

:func:`record_outcome_in` writes an outcome inside the caller's transaction
(an officer's API call, or a completed joint inspection's event handler), so
the outcome is recorded with the change that produced it or not at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.errors import NotFound
from silkgate.kernel.events import JournalNote
from silkgate.risk.facts import item_facts
from silkgate.risk.kcs import row_from_facts
from silkgate.store import declarations as declaration_store
from silkgate.store import risk as store
from silkgate.store import tariff as tariff_store


@dataclass(frozen=True)
class ControlOutcome:
    """What a control found: fraud or not, a critical finding, revenue recovered."""

    fraud: bool
    critical: bool = False
    revenue_recovered: Decimal = Decimal(0)
    note: str | None = None

    def sentence(self) -> str:
        return (
            ("fraud found" if self.fraud else "no fraud found")
            + (", critical" if self.critical else "")
            + (f", {self.revenue_recovered} recovered" if self.revenue_recovered else "")
            + (f": {self.note}" if self.note else "")
        )[:1000]


def record_outcome_in(
    conn: sa.Connection,
    *,
    declaration_id: int,
    outcome: ControlOutcome,
    at: dt.datetime,
    actor: str,
) -> tuple[dict[str, Any], JournalNote]:
    """Record ``outcome`` on a declaration: the outcome row and the history rows.

    The journal note is returned for the caller to journal (a unit of work
    journals it after the event that caused it).

    No authorisation and no validation here: the caller (a use case) did both.
    The history is one KCS-format row per item of the current version; a
    corrected outcome replaces the history the earlier one gave.
    """
    d = declaration_store.get_by_id(conn, declaration_id)
    if d is None:
        raise NotFound(f"no declaration {declaration_id}")
    decision = store.decision_of(conn, d.id)
    document = DeclarationDocument.model_validate(declaration_store.document(conn, d.id, d.version))
    detail = tariff_store.assessment_of(conn, d.id, d.version)
    store.add_outcome(
        conn,
        declaration_id=d.id,
        recorded_at=at,
        recorded_by=actor,
        fraud=outcome.fraud,
        critical=outcome.critical,
        revenue_recovered=outcome.revenue_recovered,
        note=outcome.note,
    )
    lodged_on = d.lodged_at.date()
    history = []
    for f in item_facts(document, detail, ()):
        reference = f"{d.mrn}/{int(f['item.seq'])}"
        history.append(
            {
                "source": "node",
                "reference": reference,
                "date": lodged_on,
                "row": orjson.dumps(row_from_facts(f, reference, lodged_on)).decode(),
                "fraud": outcome.fraud,
                "critical": outcome.critical,
                "revenue": outcome.revenue_recovered,
                "declaration_id": d.id,
                "loaded_at": at,
            }
        )
    store.replace_history(conn, d.id, history)
    note = JournalNote(at, actor, "outcome", d.id, d.mrn, d.version, reason=outcome.sentence())
    return {"mrn": d.mrn, "channel": decision["channel"] if decision else None}, note
