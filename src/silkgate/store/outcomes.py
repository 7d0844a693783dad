"""Control outcomes in the database: one first outcome per control, then explicit corrections.

Each correction names the outcome it replaces (``replaces``) and why
(``reason``); the schema allows one first outcome per declaration and one
correction of any outcome, so the chain stays linear under concurrency. The
outcome in force is the newest of the chain.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.store.tables import control_outcomes, declaration_risk

_o = control_outcomes.c


def add_outcome(conn: sa.Connection, **row: Any) -> int:
    """Insert an outcome (a correction when ``row`` names the one it ``replaces``)."""
    return conn.execute(control_outcomes.insert().returning(_o.id), row).scalar_one()


def outcomes_of(conn: sa.Connection, declaration_id: int) -> list[dict[str, Any]]:
    """The declaration's outcome and its corrections, oldest first."""
    rows = conn.execute(
        control_outcomes.select().where(_o.declaration_id == declaration_id).order_by(_o.id)
    )
    return [dict(r._mapping) for r in rows]


def in_force(conn: sa.Connection, declaration_id: int) -> dict[str, Any] | None:
    """The outcome that stands: the newest of the chain, or None before the first."""
    row = conn.execute(
        control_outcomes.select()
        .where(_o.declaration_id == declaration_id)
        .order_by(_o.id.desc())
        .limit(1)
    ).first()
    return None if row is None else dict(row._mapping)


def _latest_ids() -> sa.ScalarSelect[Any]:
    return sa.select(sa.func.max(_o.id)).group_by(_o.declaration_id).scalar_subquery()


def _first_decision(*, outer: bool = False) -> sa.Join:
    """Outcomes with the selection made at lodging (version 1), which made them controls."""
    r = declaration_risk.c
    on = sa.and_(r.declaration_id == _o.declaration_id, r.version == 1)
    return control_outcomes.join(declaration_risk, on, isouter=outer)


def hit_rates(conn: sa.Connection) -> list[dict[str, Any]]:
    """Per month: controls with an outcome, and the fraud found, for model/profile and random.

    A control is a declaration selected red or yellow at lodging; only the
    outcome in force counts (a correction replaces the outcome before it).
    """
    r = declaration_risk.c
    month = sa.func.substr(sa.cast(_o.recorded_at, sa.String), 1, 7)
    rows = conn.execute(
        sa.select(
            month.label("month"),
            r.exploration,
            sa.func.count(),
            sa.func.sum(sa.case((_o.fraud.is_(True), 1), else_=0)),
            sa.func.sum(_o.revenue_recovered),
        )
        .select_from(_first_decision())
        .where(_o.id.in_(_latest_ids()), r.channel.in_(("red", "yellow")))
        .group_by(month, r.exploration)
        .order_by(month)
    ).all()
    out: dict[str, dict[str, Any]] = {}
    for m, exploration, n, fraud, revenue in rows:
        entry = out.setdefault(
            m, {"month": m, "selected": [0, 0], "random": [0, 0], "revenue": Decimal(0)}
        )
        key = "random" if exploration else "selected"
        entry[key][0] += n
        entry[key][1] += int(fraud or 0)
        entry["revenue"] += Decimal(str(revenue or 0))
    return list(out.values())


def outcome_counts(conn: sa.Connection) -> dict[str, Any]:
    """Controls with an outcome in force: all of them, and those the hit rates count.

    The others are controls selectivity did not choose (green or blue goods
    held for quarantine, or taken under control by an officer).
    """
    r = declaration_risk.c
    counted = sa.case((r.channel.in_(("red", "yellow")), 1), else_=0)
    total, selected, fraud, revenue = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.sum(counted),
            sa.func.sum(sa.case((_o.fraud.is_(True), 1), else_=0)),
            sa.func.sum(_o.revenue_recovered),
        )
        .select_from(_first_decision(outer=True))
        .where(_o.id.in_(_latest_ids()))
    ).one()
    return {
        "controls": int(total or 0),
        "in_hit_rates": int(selected or 0),
        "fraud": int(fraud or 0),
        "revenue_recovered": Decimal(str(revenue or 0)),
    }
