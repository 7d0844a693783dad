"""Risk profiles, models, history, channels, the budget and AEOs in the database
(control outcomes: :mod:`silkgate.store.outcomes`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.store.tables import (
    aeo_operators,
    declaration_risk,
    declarations,
    risk_history,
    risk_models,
    risk_profiles,
    risk_settings,
)

# --- profiles -----------------------------------------------------------------------


def profiles(conn: sa.Connection, *, include_retired: bool = False) -> list[dict[str, Any]]:
    """The newest version of each profile (not retired, unless asked), by name."""
    p = risk_profiles.c
    newest = sa.select(p.name, sa.func.max(p.version).label("version")).group_by(p.name).subquery()
    query = risk_profiles.select().join(
        newest, sa.and_(p.name == newest.c.name, p.version == newest.c.version)
    )
    if not include_retired:
        query = query.where(p.retired_at.is_(None))
    return [dict(r._mapping) for r in conn.execute(query.order_by(p.name))]


def profile_versions(conn: sa.Connection, name: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        risk_profiles.select().where(risk_profiles.c.name == name).order_by(risk_profiles.c.version)
    )
    return [dict(r._mapping) for r in rows]


def add_profile_version(conn: sa.Connection, **row: Any) -> dict[str, Any]:
    """A new version of the profile ``row["name"]`` (version 1 if it is new)."""
    current = conn.execute(
        sa.select(sa.func.max(risk_profiles.c.version)).where(risk_profiles.c.name == row["name"])
    ).scalar()
    row["version"] = (current or 0) + 1
    row["id"] = conn.execute(risk_profiles.insert().returning(risk_profiles.c.id), row).scalar_one()
    return row


def retire_profile(conn: sa.Connection, name: str, at: dt.datetime) -> bool:
    result = conn.execute(
        risk_profiles.update()
        .where(risk_profiles.c.name == name, risk_profiles.c.retired_at.is_(None))
        .values(retired_at=at)
    )
    return result.rowcount > 0


def profiles_version(conn: sa.Connection) -> tuple[int, int]:
    """Changes to profiles, for caches: (newest id, retired count)."""
    newest = conn.execute(sa.select(sa.func.max(risk_profiles.c.id))).scalar() or 0
    retired = conn.execute(
        sa.select(sa.func.count()).where(risk_profiles.c.retired_at.is_not(None))
    ).scalar_one()
    return newest, retired


# --- the budget -----------------------------------------------------------------------


def settings(conn: sa.Connection) -> dict[str, Any]:
    return dict(conn.execute(risk_settings.select().where(risk_settings.c.id == 1)).one()._mapping)


def update_settings(conn: sa.Connection, **values: Any) -> None:
    conn.execute(risk_settings.update().where(risk_settings.c.id == 1).values(**values))


# --- AEO ------------------------------------------------------------------------------


def aeo_in_force(conn: sa.Connection, on: dt.date) -> frozenset[str]:
    a = aeo_operators.c
    rows = conn.execute(
        sa.select(a.party_id).where(
            a.status == "granted",
            a.valid_from <= on,
            sa.or_(a.valid_to.is_(None), a.valid_to >= on),
        )
    ).scalars()
    return frozenset(rows)


def aeo_list(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(aeo_operators.select().order_by(aeo_operators.c.party_id))
    return [dict(r._mapping) for r in rows]


def aeo_set(conn: sa.Connection, **row: Any) -> None:
    exists = conn.execute(
        sa.select(aeo_operators.c.party_id).where(aeo_operators.c.party_id == row["party_id"])
    ).first()
    if exists:
        conn.execute(
            aeo_operators.update().where(aeo_operators.c.party_id == row["party_id"]).values(**row)
        )
    else:
        conn.execute(aeo_operators.insert().values(**row))


def aeo_version(conn: sa.Connection) -> Any:
    return conn.execute(sa.select(sa.func.max(aeo_operators.c.updated_at))).scalar()


# --- models ---------------------------------------------------------------------------


def add_model(conn: sa.Connection, **row: Any) -> int:
    conn.execute(risk_models.update().values(active=False))
    return conn.execute(
        risk_models.insert().returning(risk_models.c.id), {**row, "active": True}
    ).scalar_one()


def active_model(conn: sa.Connection) -> dict[str, Any] | None:
    newest = conn.execute(
        sa.select(sa.func.max(risk_models.c.id)).where(risk_models.c.active.is_(True))
    ).scalar()
    if newest is None:
        return None
    return dict(conn.execute(risk_models.select().where(risk_models.c.id == newest)).one()._mapping)


def model_row(conn: sa.Connection, model_id: int) -> dict[str, Any] | None:
    row = conn.execute(risk_models.select().where(risk_models.c.id == model_id)).first()
    return None if row is None else dict(row._mapping)


def active_model_id(conn: sa.Connection) -> int | None:
    return conn.execute(
        sa.select(sa.func.max(risk_models.c.id)).where(risk_models.c.active.is_(True))
    ).scalar()


def models(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(
            risk_models.c.id,
            risk_models.c.created_at,
            risk_models.c.created_by,
            risk_models.c.card,
            risk_models.c.active,
        ).order_by(risk_models.c.id.desc())
    )
    return [{**r._mapping, "card": orjson.loads(r.card)} for r in rows]


def activate_model(conn: sa.Connection, model_id: int) -> bool:
    if (
        conn.execute(sa.select(risk_models.c.id).where(risk_models.c.id == model_id)).first()
        is None
    ):
        return False
    conn.execute(risk_models.update().values(active=risk_models.c.id == model_id))
    return True


# --- history --------------------------------------------------------------------------


def add_history(conn: sa.Connection, rows: list[dict[str, Any]]) -> int:
    """Insert history rows not already there (by source and reference); how many were new."""
    if not rows:
        return 0
    refs = {(r["source"], r["reference"]) for r in rows}
    known: set[tuple[str, str]] = set()
    sources = {s for s, _ in refs}
    for source in sources:
        known |= {
            (source, ref)
            for ref in conn.execute(
                sa.select(risk_history.c.reference).where(risk_history.c.source == source)
            ).scalars()
        }
    fresh = [r for r in rows if (r["source"], r["reference"]) not in known]
    seen: set[tuple[str, str]] = set()
    unique = []
    for r in fresh:
        key = (r["source"], r["reference"])
        if key not in seen:
            seen.add(key)
            unique.append(r)
    for i in range(0, len(unique), 5000):
        conn.execute(risk_history.insert(), unique[i : i + 5000])
    return len(unique)


def replace_history_of(conn: sa.Connection, declaration_id: int, rows: list[dict[str, Any]]) -> int:
    """The history a declaration's control gives, replacing what an earlier outcome gave."""
    conn.execute(risk_history.delete().where(risk_history.c.declaration_id == declaration_id))
    return add_history(conn, rows)


def history(
    conn: sa.Connection, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    h = risk_history.c
    query = sa.select(h.date, h.row, h.fraud, h.critical, h.revenue, h.source).order_by(
        h.date, h.id
    )
    if since:
        query = query.where(h.date >= since)
    if until:
        query = query.where(h.date <= until)
    return [
        {
            **orjson.loads(r.row),
            "_date": r.date,
            "_fraud": r.fraud,
            "_critical": r.critical,
            "_source": r.source,
        }
        for r in conn.execute(query)
    ]


def history_counts(conn: sa.Connection) -> dict[str, Any]:
    h = risk_history.c
    rows = conn.execute(
        sa.select(
            h.source,
            sa.func.count(),
            sa.func.sum(sa.case((h.fraud.is_(True), 1), else_=0)),
            sa.func.min(h.date),
            sa.func.max(h.date),
            sa.func.count(h.fraud),  # controlled: the outcome is known
        )
        .group_by(h.source)
        .order_by(h.source)
    ).all()
    return {
        r[0]: {"rows": r[1], "controlled": r[5], "fraud": int(r[2] or 0), "from": r[3], "to": r[4]}
        for r in rows
    }


# --- channels -----------------------------------------------------------------------------

_INSERT_RISK = declaration_risk.insert()


def insert_decisions(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(_INSERT_RISK, rows)


def escalate_decision(conn: sa.Connection, declaration_id: int, channel: str, reason: str) -> None:
    """The latest decision of a declaration, made stricter afterwards (with why)."""
    found = decision_of(conn, declaration_id)
    if found is None:
        return
    reasons = found["reasons"]
    reasons["reasons"] = [*reasons.get("reasons", []), reason]
    r = declaration_risk.c
    conn.execute(
        declaration_risk.update()
        .where(r.declaration_id == declaration_id, r.version == found["version"])
        .values(channel=channel, reasons=orjson.dumps(reasons).decode())
    )


def decision_of(
    conn: sa.Connection, declaration_id: int, version: int | None = None
) -> dict[str, Any] | None:
    r = declaration_risk.c
    query = sa.select(declaration_risk).where(r.declaration_id == declaration_id)
    query = query.where(r.version == version) if version else query.order_by(r.version.desc())
    row = conn.execute(query.limit(1)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["reasons"] = orjson.loads(out["reasons"])
    return out


def recent_scores(conn: sa.Connection, limit: int, model_id: int | None) -> list[tuple[float, str]]:
    """The newest decisions of one model's (score, forced channel), oldest first.

    They warm a calibrator: another model's scores would set wrong thresholds.
    """
    r = declaration_risk.c
    same_model = r.model_id.is_(None) if model_id is None else r.model_id == model_id
    rows = conn.execute(
        sa.select(r.score, r.exploration, r.reasons)
        .where(same_model)
        .order_by(r.decided_at.desc())
        .limit(limit)
    ).all()
    out = []
    for score, exploration, reasons in reversed(rows):
        forced = "red" if exploration else orjson.loads(reasons).get("forced", "")
        out.append((float(score), forced))
    return out


def channel_counts(conn: sa.Connection) -> dict[str, int]:
    """How many declarations are in each channel (those not yet selected are left out)."""
    return dict(
        conn.execute(
            sa.select(declarations.c.channel, sa.func.count())
            .where(declarations.c.channel.is_not(None))
            .group_by(declarations.c.channel)
        ).all()
    )
