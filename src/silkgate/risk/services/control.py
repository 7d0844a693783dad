"""Control outcomes and history: what the risk model learns from, and how well selection does.

An outcome is recorded by an officer (:func:`record_outcome`) or by the joint
inspection once it is completed, inside its own transaction
(:func:`record_outcome_in`). Either way it is journaled, counted in the hit
rates, and becomes training history: one KCS-format row per item of the
declaration's current version.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.kernel.events import JournalNote
from silkgate.risk import kcs
from silkgate.risk.commands import ControlOutcome
from silkgate.risk.facts import item_facts
from silkgate.risk.outcomes import outcome_json
from silkgate.store import declarations as declaration_store
from silkgate.store import journal
from silkgate.store import risk as store
from silkgate.store import tariff as tariff_store
from silkgate.store.db import reading, writing
from silkgate.store.declarations import StoredDeclaration


def record_outcome(
    engine: sa.Engine,
    principal: Principal,
    mrn: str,
    outcome: ControlOutcome,
    at: dt.datetime,
) -> dict[str, Any]:
    """An officer records the outcome of a control of declaration ``mrn``.

    A declaration the principal may not see is not found (a trader must not
    learn which MRNs exist); one it may see is refused unless it is customs staff.
    """
    with writing(engine) as conn:
        declaration = declaration_store.get(conn, mrn, for_update=True)
        if declaration is None or not principal.may_see(declaration.declarant_id):
            raise NotFound(f"no declaration {mrn}")
        if not principal.is_staff:
            raise Forbidden("control outcomes are recorded by customs officers")
        result, note = _record(conn, declaration, outcome, at, principal.name)
        journal.append(conn, note)
        return result


def record_outcome_in(
    conn: sa.Connection,
    *,
    declaration_id: int,
    outcome: ControlOutcome,
    at: dt.datetime,
    actor: str,
) -> tuple[dict[str, Any], JournalNote]:
    """Record ``outcome`` in the caller's transaction: the outcome row and the history.

    No authorisation check: the caller decided that ``actor`` may record it.
    Returns what :func:`record_outcome` returns (the declaration's outcomes so far)
    and the journal note, for the caller's unit of work to journal after the
    event that caused the outcome.
    """
    declaration = declaration_store.get_by_id(conn, declaration_id)
    if declaration is None:
        raise NotFound(f"no declaration {declaration_id}")
    return _record(conn, declaration, outcome, at, actor)


def _record(
    conn: sa.Connection,
    d: StoredDeclaration,
    outcome: ControlOutcome,
    at: dt.datetime,
    actor: str,
) -> tuple[dict[str, Any], JournalNote]:
    decision = store.decision_of(conn, d.id)
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
    # A corrected outcome replaces the history it gave before.
    store.replace_history_of(conn, d.id, _history_rows(conn, d, outcome, at))
    note = JournalNote(at, actor, "outcome", d.id, d.mrn, d.version, reason=outcome.reason())
    return {
        "mrn": d.mrn,
        "channel": decision["channel"] if decision else None,
        "outcomes": [outcome_json(o) for o in store.outcomes_of(conn, d.id)],
    }, note


def _history_rows(
    conn: sa.Connection, d: StoredDeclaration, outcome: ControlOutcome, at: dt.datetime
) -> list[dict[str, Any]]:
    """One KCS-format history row per item of the declaration's current version."""
    document = DeclarationDocument.model_validate(declaration_store.document(conn, d.id, d.version))
    detail = tariff_store.assessment_of(conn, d.id, d.version)
    lodged_on = d.lodged_at.date()
    rows = []
    for facts in item_facts(document, detail, ()):
        reference = f"{d.mrn}/{int(facts['item.seq'])}"
        rows.append(
            {
                "source": "node",
                "reference": reference,
                "date": lodged_on,
                "row": orjson.dumps(kcs.row_from_facts(facts, reference, lodged_on)).decode(),
                "fraud": outcome.fraud,
                "critical": outcome.critical,
                "revenue": outcome.revenue_recovered,
                "declaration_id": d.id,
                "loaded_at": at,
            }
        )
    return rows


def import_history(engine: sa.Engine, data: bytes, at: dt.datetime) -> dict[str, Any]:
    """Load labelled KCS-format rows as history (already known references are skipped)."""
    rows, labelled = kcs.read(data.decode("utf-8-sig"))
    if not labelled:
        raise InvalidRequest(
            [FieldError("/Fraud", "missing", "history needs the Fraud and Critical Fraud columns")]
        )
    history = kcs.history_rows(rows, at)
    with writing(engine) as conn:
        added = store.add_history(conn, history)
        counts = store.history_counts(conn)
    return {"rows": len(rows), "added": added, "history": counts}


def performance(engine: sa.Engine) -> dict[str, Any]:
    """Hit rates by month, of model/profile selections and of random ones; channel shares.

    The budget is added by the caller (it is what is in force, not what is stored).
    """
    with reading(engine) as conn:
        months = store.hit_rates(conn)
        channels = store.channel_counts(conn)
        history = store.history_counts(conn)
        models = store.models(conn)
    total = sum(channels.values()) or 1
    return {
        "channels": {c: {"count": n, "share": round(n / total, 4)} for c, n in channels.items()},
        "hit_rates": [_month_json(m) for m in months],
        "history": {
            k: {
                **v,
                "from": v["from"].isoformat() if v["from"] else None,
                "to": v["to"].isoformat() if v["to"] else None,
            }
            for k, v in history.items()
        },
        "models": [
            {
                "id": m["id"],
                "active": m["active"],
                "created_at": m["created_at"].isoformat().replace("+00:00", "Z"),
                "created_by": m["created_by"],
                "card": m["card"],
            }
            for m in models
        ],
    }


def _month_json(m: dict[str, Any]) -> dict[str, Any]:
    selected, random = m["selected"], m["random"]
    return {
        "month": m["month"],
        "selected_controls": selected[0],
        "selected_fraud": selected[1],
        "selected_hit_rate": round(selected[1] / selected[0], 4) if selected[0] else None,
        "random_controls": random[0],
        "random_fraud": random[1],
        "random_hit_rate": round(random[1] / random[0], 4) if random[0] else None,
        "revenue_recovered": format(m["revenue"].quantize(Decimal("0.01")), "f"),
    }
