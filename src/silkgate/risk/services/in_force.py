"""What selectivity needs on every lodging, read from the database in one snapshot.

The compiled profiles, the budget, the AEOs recognised today and the active
model are held in memory (see :class:`~silkgate.kernel.versioned.InForce`);
reloading them first compares a cheap key of versions, so an unchanged node
costs a handful of small queries every ``ttl`` seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from silkgate.risk import profiles as profile_rules
from silkgate.risk.profiles import Effect, Profile
from silkgate.risk.selectivity import Budget, Calibrator
from silkgate.risk.services.ports import ModelLoader, Scorer
from silkgate.store import exchange as exchange_store
from silkgate.store import risk as store


@dataclass(frozen=True)
class RiskInForce:
    """Profiles, budget, AEOs and model in force, with the versions they were read at."""

    profiles: list[Profile]
    budget: Budget
    aeo: frozenset[str]
    model: Scorer | None
    key: tuple[Any, ...]

    @property
    def model_id(self) -> int | None:
        """The active model's id as stored (even when no loader could build it)."""
        model_id: int | None = self.key[3]
        return model_id


def _profile(row: dict[str, Any]) -> Profile:
    effect = Effect(row["effect"])
    condition, points = profile_rules.compile_rule(row["condition"], effect, row["points"])
    return Profile(
        row["id"],
        row["name"],
        row["version"],
        condition,
        effect,
        points,
        row["valid_from"],
        row["valid_to"],
        row["description"],
    )


def budget_of(row: dict[str, Any]) -> Budget:
    """The budget from the stored risk settings."""
    return Budget(
        red=float(row["red_share"]),
        yellow=float(row["yellow_share"]),
        exploration=float(row["exploration_share"]),
        window=int(row["window_size"]),
        aeo_factor=float(row["aeo_factor"]),
    )


def load(
    conn: sa.Connection,
    held: RiskInForce | None,
    *,
    today: dt.date,
    partners: list[str],
    load_model: ModelLoader | None,
) -> RiskInForce:
    """What is in force ``today`` (a local date: AEO validity is the administration's day).

    ``held`` is returned unchanged when no version moved; a model already built
    is kept when only the profiles, budget or AEOs changed.
    """
    settings = store.settings(conn)
    key = (
        store.profiles_version(conn),
        settings["updated_at"],
        (
            store.aeo_version(conn),
            exchange_store.partner_aeo_version(conn),
            tuple(partners),
        ),
        store.active_model_id(conn),
        today,
    )
    if held is not None and key == held.key:
        return held
    model = held.model if held and held.key[3] == key[3] else None
    if model is None and key[3] is not None and load_model is not None:
        model = load_model(store.active_model(conn))
    return RiskInForce(
        [_profile(r) for r in store.profiles(conn)],
        budget_of(settings),
        store.aeo_in_force(conn, today)
        | exchange_store.partner_aeo_in_force(conn, today, partners),
        model,
        key,
    )


def warm_calibrator(conn: sa.Connection, budget: Budget, model_id: int | None) -> Calibrator:
    """A calibrator for ``budget`` fed with the newest stored scores of ``model_id``."""
    calibrator = Calibrator(budget)
    for score, forced in store.recent_scores(conn, budget.window, model_id):
        calibrator.observe(score, forced)
    return calibrator
