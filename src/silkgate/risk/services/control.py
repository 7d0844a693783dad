"""Control outcomes and history: what the risk model learns from, and how well selection does.

A control has one outcome. It is recorded by an officer (:func:`record_outcome`)
or by the joint inspection once it is completed, inside its own transaction
(:func:`record_outcome_in`); a second one is refused. Changing it is a
correction (:func:`correct_outcome`): explicit, with its reason, journaled. The
outcome in force is counted in the hit rates and becomes training history: one
KCS-format row per item of the declaration's current version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.kernel.events import JournalNote, Noted
from silkgate.risk import kcs
from silkgate.risk.commands import ControlOutcome, OutcomeCorrection
from silkgate.risk.facts import item_facts
from silkgate.risk.outcomes import outcome_json
from silkgate.store import declarations as declaration_store
from silkgate.store import outcomes
from silkgate.store import risk as store
from silkgate.store import tariff as tariff_store
from silkgate.store.db import reading, writing
from silkgate.store.declarations import StoredDeclaration
from silkgate.store.uow import SqlUnitOfWork

# Why the joint inspection's outcome replaces one an officer recorded while it was open.
BY_INSPECTION = "the completed joint inspection's findings"


def record_outcome(
    unit_of_work: Callable[[], SqlUnitOfWork],
    principal: Principal,
    mrn: str,
    outcome: ControlOutcome,
    at: dt.datetime,
) -> dict[str, Any]:
    """An officer records the outcome of a control of declaration ``mrn``: its one outcome.

    :class:`Conflict` if the control has its outcome already: changing it is a
    correction, with a reason (:func:`correct_outcome`).
    """
    with unit_of_work() as uow:
        conn = uow.connection
        declaration = _locked(conn, principal, mrn)
        standing = outcomes.in_force(conn, declaration.id)
        if standing is not None:
            raise Conflict(
                f"the control of {mrn} already has its outcome ({_described(standing)}, "
                f"recorded by {standing['recorded_by']} on "
                f"{standing['recorded_at']:%Y-%m-%d %H:%M} UTC); to change it, correct it "
                "and say why"
            )
        result, note = _record(conn, declaration, outcome, at, principal.name)
        uow.collect(Noted.of(note))
        return result


def correct_outcome(
    unit_of_work: Callable[[], SqlUnitOfWork],
    principal: Principal,
    mrn: str,
    correction: OutcomeCorrection,
    at: dt.datetime,
) -> dict[str, Any]:
    """An officer corrects the outcome in force of a control, saying why (journaled).

    :class:`Conflict` if there is no outcome yet to correct.
    """
    with unit_of_work() as uow:
        conn = uow.connection
        declaration = _locked(conn, principal, mrn)
        standing = outcomes.in_force(conn, declaration.id)
        if standing is None:
            raise Conflict(f"the control of {mrn} has no outcome to correct: record it first")
        result, note = _record(
            conn, declaration, correction, at, principal.name,
            replaces=standing, reason=correction.reason,
        )  # fmt: skip
        uow.collect(Noted.of(note))
        return result


def outcomes_of(engine: sa.Engine, principal: Principal, mrn: str) -> list[dict[str, Any]]:
    """The outcome of the control of ``mrn`` and its corrections, oldest first (the last is
    in force); for customs staff and analysts, never the trader."""
    if not principal.sees_all:
        raise Forbidden("control outcomes are for customs staff")
    with reading(engine) as conn:
        declaration = declaration_store.get(conn, mrn)
        if declaration is None:
            raise NotFound(f"no declaration {mrn}")
        return [outcome_json(o) for o in outcomes.outcomes_of(conn, declaration.id)]


def _locked(conn: sa.Connection, principal: Principal, mrn: str) -> StoredDeclaration:
    """Declaration ``mrn``, locked, for customs staff.

    A declaration the principal may not see is not found (a trader must not
    learn which MRNs exist); one it may see is refused unless it is customs staff.
    """
    declaration = declaration_store.get(conn, mrn, for_update=True)
    if declaration is None or not principal.may_see(declaration.declarant_id):
        raise NotFound(f"no declaration {mrn}")
    if not principal.is_staff:
        raise Forbidden("control outcomes are recorded by customs officers")
    return declaration


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
    The completed joint inspection is the control: if an officer recorded an
    outcome while it was open, the inspection's replaces it as a correction
    whose reason says so. Returns what :func:`record_outcome` returns (the
    declaration's outcomes so far) and the journal note, for the caller's unit
    of work to journal after the event that caused the outcome.
    """
    declaration = declaration_store.get_by_id(conn, declaration_id, for_update=True)
    if declaration is None:
        raise NotFound(f"no declaration {declaration_id}")
    standing = outcomes.in_force(conn, declaration.id)
    reason = None if standing is None else BY_INSPECTION
    return _record(conn, declaration, outcome, at, actor, replaces=standing, reason=reason)


def _described(row: dict[str, Any]) -> str:
    """A stored outcome as the journal words it."""
    return ControlOutcome.model_construct(
        fraud=row["fraud"],
        critical=row["critical"],
        revenue_recovered=Decimal(str(row["revenue_recovered"])).quantize(Decimal("0.01")),
        note=row["note"],
    ).described()


def _record(
    conn: sa.Connection,
    d: StoredDeclaration,
    outcome: ControlOutcome,
    at: dt.datetime,
    actor: str,
    *,
    replaces: dict[str, Any] | None = None,
    reason: str | None = None,
) -> tuple[dict[str, Any], JournalNote]:
    decision = store.decision_of(conn, d.id)
    outcomes.add_outcome(
        conn,
        declaration_id=d.id,
        recorded_at=at,
        recorded_by=actor,
        fraud=outcome.fraud,
        critical=outcome.critical,
        revenue_recovered=outcome.revenue_recovered,
        note=outcome.note,
        replaces=None if replaces is None else replaces["id"],
        reason=reason,
    )
    # A corrected outcome replaces the history the one before gave.
    store.replace_history_of(conn, d.id, _history_rows(conn, d, outcome, at))
    if replaces is None:
        note = JournalNote(at, actor, "outcome", d.id, d.mrn, d.version, reason=outcome.described())
    else:
        account = f"{reason}; was: {_described(replaces)}; now: {outcome.described()}"
        note = JournalNote(
            at, actor, "outcome_corrected", d.id, d.mrn, d.version, reason=account[:1000]
        )
    return {
        "mrn": d.mrn,
        "channel": decision["channel"] if decision else None,
        "outcomes": [outcome_json(o) for o in outcomes.outcomes_of(conn, d.id)],
    }, note


def _history_rows(
    conn: sa.Connection, d: StoredDeclaration, outcome: ControlOutcome, at: dt.datetime
) -> list[dict[str, Any]]:
    """One KCS-format history row per item of the declaration's current version."""
    document = DeclarationDocument.stored(declaration_store.document(conn, d.id, d.version))
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
    """Load KCS-format rows as history (already known references are skipped); a row with
    an empty ``Fraud`` was not controlled and is kept without an outcome."""
    rows, labelled = kcs.read(data.decode("utf-8-sig"))
    if not labelled:
        raise InvalidRequest(
            [
                FieldError(
                    "/Fraud", "missing", "history needs the Fraud column (empty: not controlled)"
                )
            ]
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
        months = outcomes.hit_rates(conn)
        counts = outcomes.outcome_counts(conn)
        channels = store.channel_counts(conn)
        history = store.history_counts(conn)
        models = store.models(conn)
    total = sum(channels.values()) or 1
    return {
        "channels": {c: {"count": n, "share": round(n / total, 4)} for c, n in channels.items()},
        "hit_rates": [_month_json(m) for m in months],
        "outcomes": {**counts, "revenue_recovered": _money(counts["revenue_recovered"])},
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
        "revenue_recovered": _money(m["revenue"]),
    }


def _money(amount: Decimal) -> str:
    return format(amount.quantize(Decimal("0.01")), "f")
