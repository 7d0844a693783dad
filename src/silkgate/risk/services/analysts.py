"""What risk analysts manage: profiles (versioned by name), the budget, the AEO list.

Every change is a new version in the database and makes what this process
holds stale (:func:`~silkgate.store.versions.add_version`); other processes
pick it up within their ``ttl``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import FieldError, Forbidden, Gone, InvalidRequest, NotFound
from silkgate.kernel.versioned import InForce
from silkgate.risk import profiles as profile_rules
from silkgate.risk.commands import BudgetCommand, RiskProfileCommand
from silkgate.risk.profiles import Effect
from silkgate.risk.selectivity import Budget
from silkgate.risk.services.in_force import RiskInForce
from silkgate.risk.services.ports import AeoChanged
from silkgate.store import risk as store
from silkgate.store.db import reading
from silkgate.store.versions import add_version

AEO_STATUSES = ("granted", "suspended", "revoked")


def require_analyst(principal: Principal) -> None:
    if principal.role.value not in ("analyst", "admin"):
        raise Forbidden("risk profiles and the budget are managed by risk analysts")


def require_reader(principal: Principal) -> None:
    """Profiles, the budget and performance are read by customs staff and risk analysts.

    Not by traders, nor by the quarantine service: it is customs' risk intelligence.
    """
    if not principal.reads_risk:
        raise Forbidden("risk management is for customs staff and risk analysts")


def profile_json(row: dict[str, Any]) -> dict[str, Any]:
    """A stored profile version as the API shows it."""
    return {
        "name": row["name"],
        "version": row["version"],
        "condition": row["condition"],
        "effect": row["effect"],
        "points": format(Decimal(str(row["points"])).normalize(), "f")
        if row["effect"] == Effect.SCORE
        else None,
        "valid_from": row["valid_from"].isoformat(),
        "valid_to": row["valid_to"].isoformat() if row["valid_to"] else None,
        "description": row["description"],
        "created_at": row["created_at"].isoformat().replace("+00:00", "Z"),
        "created_by": row["created_by"],
        "retired": row.get("retired_at") is not None,
    }


# -- profiles ---------------------------------------------------------------------------


def list_profiles(engine: sa.Engine, *, include_retired: bool = False) -> list[dict[str, Any]]:
    with reading(engine) as conn:
        return [profile_json(r) for r in store.profiles(conn, include_retired=include_retired)]


def profile_history(engine: sa.Engine, name: str) -> list[dict[str, Any]]:
    with reading(engine) as conn:
        rows = store.profile_versions(conn, name)
    if not rows:
        raise NotFound(f"no risk profile {name!r}")
    if rows[-1].get("retired_at") is not None:
        # Retiring is the profile's DELETE: it is gone from the profiles in force. Its
        # versions stay in the record, listed with the retired ones.
        raise Gone(
            f"the risk profile {name!r} was retired; it is listed with the retired ones at "
            "/v1/risk/profiles?retired=true"
        )
    return [profile_json(r) for r in rows]


def save_profile(
    engine: sa.Engine,
    in_force: InForce[RiskInForce],
    principal: Principal,
    command: RiskProfileCommand,
    at: dt.datetime,
) -> dict[str, Any]:
    """A new profile, or a new version of one with the same name (analyst or admin)."""
    require_analyst(principal)
    condition, points = profile_rules.compile_rule(
        command.condition, command.effect, command.points
    )
    row = add_version(
        engine,
        in_force,
        lambda conn: store.add_profile_version(
            conn,
            name=command.name,
            condition=condition.text,
            effect=command.effect.value,
            points=points,
            valid_from=command.valid_from or dt.date(2000, 1, 1),
            valid_to=command.valid_to,
            description=command.description or "",
            created_at=at,
            created_by=principal.name,
            retired_at=None,
        ),
    )
    return profile_json(row)


def retire_profile(
    engine: sa.Engine,
    in_force: InForce[RiskInForce],
    principal: Principal,
    name: str,
    at: dt.datetime,
) -> None:
    require_analyst(principal)

    def retire(conn: sa.Connection) -> None:
        if not store.retire_profile(conn, name, at):
            raise NotFound(f"no active risk profile {name!r}")

    add_version(engine, in_force, retire)


# -- the budget -------------------------------------------------------------------------


def budget_settings(current: Budget, command: BudgetCommand) -> dict[str, Any]:
    """The stored settings ``command`` changes ``current`` to; :class:`InvalidRequest` if wrong.

    The shares are checked together with those the command leaves unchanged.
    """
    values: dict[str, Any] = {
        "red_share": current.red if command.red_share is None else command.red_share,
        "yellow_share": current.yellow if command.yellow_share is None else command.yellow_share,
        "exploration_share": current.exploration
        if command.exploration_share is None
        else command.exploration_share,
        "window_size": current.window if command.window is None else command.window,
        "aeo_factor": current.aeo_factor if command.aeo_factor is None else command.aeo_factor,
    }
    errors = []
    if values["red_share"] + values["yellow_share"] > 1:
        errors.append(FieldError("/yellow_share", "invalid", "red and yellow shares exceed 1"))
    elif values["exploration_share"] > values["red_share"]:
        errors.append(
            FieldError("/exploration_share", "invalid", "exploration is part of the red share")
        )
    if errors:
        raise InvalidRequest(errors)
    return values


def set_budget(
    engine: sa.Engine,
    in_force: InForce[RiskInForce],
    principal: Principal,
    command: BudgetCommand,
    at: dt.datetime,
) -> None:
    """Change the budget (analyst or admin); the thresholds are calibrated afresh."""
    require_analyst(principal)
    values = budget_settings(in_force.get().budget, command)
    add_version(
        engine,
        in_force,
        lambda conn: store.update_settings(
            conn, **values, updated_at=at, updated_by=principal.name
        ),
    )


# -- AEO --------------------------------------------------------------------------------


def set_aeo(
    engine: sa.Engine,
    in_force: InForce[RiskInForce],
    party_id: str,
    *,
    name: str,
    status: str,
    administration: str,
    valid_from: dt.date,
    valid_to: dt.date | None,
    at: dt.datetime,
    on_change: AeoChanged | None,
) -> None:
    """Grant, suspend or revoke an AEO; partners under mutual recognition are told."""
    if status not in AEO_STATUSES:
        raise InvalidRequest([FieldError("/status", "invalid", "granted, suspended or revoked")])

    def write(conn: sa.Connection) -> None:
        store.aeo_set(
            conn,
            party_id=party_id,
            name=name,
            status=status,
            administration=administration,
            valid_from=valid_from,
            valid_to=valid_to,
            updated_at=at,
        )
        if on_change is not None:
            # Partners under mutual recognition learn of it, in this transaction.
            on_change(conn, at)

    add_version(engine, in_force, write)


def aeo_list(engine: sa.Engine) -> list[dict[str, Any]]:
    with reading(engine) as conn:
        return store.aeo_list(conn)
