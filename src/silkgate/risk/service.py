"""The risk use cases of a node: profiles, budget, AEOs, selectivity, outcomes, the model.

What selectivity needs on every lodging (compiled profiles, the budget, the
AEO list, the active model) is held in memory and refreshed when it changes
(checked every ``ttl`` seconds), so deciding a channel never waits on the
database. Each process keeps its own calibrator, warmed at start from the
newest stored decisions.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import orjson
import sqlalchemy as sa

from silkgate.access.principals import Principal
from silkgate.declarations.document import DeclarationDocument
from silkgate.declarations.errors import Forbidden, NotFound
from silkgate.declarations.validation import FieldError, InvalidRequest
from silkgate.risk import profiles as profile_rules
from silkgate.risk.facts import item_facts
from silkgate.risk.profiles import Effect, Profile
from silkgate.risk.selectivity import Budget, Calibrator, Decision, decide
from silkgate.store import risk as store
from silkgate.store.db import reading, writing
from silkgate.tariff.assessment import Assessment


class Scorer(Protocol):
    """A trained model: fraud probability of items, and why."""

    model_id: int

    def score_items(self, facts: list[dict[str, Any]]) -> list[float]: ...

    def explain(self, facts: dict[str, Any], top: int = 5) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class _Loaded:
    profiles: list[Profile]
    budget: Budget
    aeo: frozenset[str]
    model: Scorer | None
    key: tuple[Any, ...]
    checked: float


def _profile(row: dict[str, Any]) -> Profile:
    condition, effect, points, valid_from, valid_to = profile_rules.check(
        {
            "condition": row["condition"],
            "effect": row["effect"],
            "points": row["points"] if row["effect"] == "score" else None,
            "valid_from": row["valid_from"].isoformat(),
            "valid_to": row["valid_to"].isoformat() if row["valid_to"] else None,
        }
    )
    return Profile(
        row["id"],
        row["name"],
        row["version"],
        condition,
        effect,
        points,
        valid_from,
        valid_to,
        row["description"],
    )


def _budget(row: dict[str, Any]) -> Budget:
    return Budget(
        red=float(row["red_share"]),
        yellow=float(row["yellow_share"]),
        exploration=float(row["exploration_share"]),
        window=int(row["window_size"]),
        aeo_factor=float(row["aeo_factor"]),
    )


class RiskService:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        ttl: float = 5.0,
        rng: random.Random | None = None,
        load_model: Any = None,
    ) -> None:
        self.engine = engine
        self.ttl = ttl
        self.rng = rng or random.SystemRandom()
        # Builds a Scorer from a stored model row; set by the node (keeps LightGBM optional).
        self.load_model = load_model
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        self.calibrator: Calibrator | None = None

    # -- what is in force --------------------------------------------------------------

    def _current(self) -> _Loaded:
        loaded = self._loaded
        if loaded is not None and time.monotonic() - loaded.checked < self.ttl:
            return loaded
        with self._lock:
            loaded = self._loaded
            if loaded is not None and time.monotonic() - loaded.checked < self.ttl:
                return loaded
            today = dt.date.today()
            with reading(self.engine) as conn:
                settings = store.settings(conn)
                key = (
                    store.profiles_version(conn),
                    settings["updated_at"],
                    store.aeo_version(conn),
                    store.active_model_id(conn),
                    today,
                )
                if loaded is not None and key == loaded.key:
                    loaded = _Loaded(
                        loaded.profiles,
                        loaded.budget,
                        loaded.aeo,
                        loaded.model,
                        key,
                        time.monotonic(),
                    )
                else:
                    model = loaded.model if loaded and loaded.key[3] == key[3] else None
                    if model is None and key[3] is not None and self.load_model is not None:
                        model = self.load_model(store.active_model(conn))
                    loaded = _Loaded(
                        [_profile(r) for r in store.profiles(conn)],
                        _budget(settings),
                        store.aeo_in_force(conn, today),
                        model,
                        key,
                        time.monotonic(),
                    )
                if self.calibrator is None or self.calibrator.budget != loaded.budget:
                    calibrator = Calibrator(loaded.budget)
                    for score, forced in store.recent_scores(conn, loaded.budget.window):
                        calibrator.observe(score, forced)
                    self.calibrator = calibrator
            self._loaded = loaded
            return loaded

    def refresh(self) -> None:
        with self._lock:
            self._loaded = None

    # -- selectivity -----------------------------------------------------------------------

    def decide(
        self, doc: DeclarationDocument, assessment: Assessment | None, on: dt.date
    ) -> Decision:
        """The channel of a declaration being lodged."""
        loaded = self._current()
        facts = item_facts(doc, assessment, loaded.aeo)
        hits = profile_rules.evaluate(loaded.profiles, facts, on)
        model_score = None
        contributions: list[dict[str, Any]] = []
        if loaded.model is not None and doc.type == "IM":
            scores = loaded.model.score_items(facts)
            best = max(range(len(scores)), key=scores.__getitem__)
            model_score = float(scores[best])
            contributions = [
                {**c, "item": int(facts[best]["item.seq"])}
                for c in loaded.model.explain(facts[best])
            ]
        aeo = bool(
            facts
            and (facts[0]["declaration.importer_aeo"] or facts[0]["declaration.declarant_aeo"])
        )
        assert self.calibrator is not None
        return decide(
            hits,
            model_score,
            contributions,
            aeo=aeo,
            budget=loaded.budget,
            calibrator=self.calibrator,
            draw=self.rng.random(),
        )

    @staticmethod
    def decision_row(decision: Decision, model_id: int | None) -> dict[str, Any]:
        """``declaration_risk`` columns, without the declaration id, version and time."""
        return {
            "channel": decision.channel.value,
            "score": Decimal(str(round(decision.score, 3))),
            "model_score": (
                None
                if decision.model_score is None
                else Decimal(str(round(decision.model_score, 6)))
            ),
            "model_id": model_id,
            "exploration": decision.exploration,
            "sps": decision.sps,
            "reasons": orjson.dumps({**decision.as_json(), "forced": decision.forced}).decode(),
        }

    def model_id(self) -> int | None:
        model = self._current().model
        return model.model_id if model else None

    # -- profiles ------------------------------------------------------------------------------

    def list_profiles(self, *, include_retired: bool = False) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            return [_json_profile(r) for r in store.profiles(conn, include_retired=include_retired)]

    def profile_history(self, name: str) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            rows = store.profile_versions(conn, name)
        if not rows:
            raise NotFound(f"no risk profile {name!r}")
        return [_json_profile(r) for r in rows]

    def save_profile(self, principal: Principal, raw: Any) -> dict[str, Any]:
        """A new profile, or a new version of one with the same name (analyst or admin)."""
        _analyst(principal)
        if not isinstance(raw, dict):
            raise InvalidRequest([FieldError("", "invalid", "send a JSON object")])
        errors = []
        name = raw.get("name")
        if not isinstance(name, str) or not (1 <= len(name.strip()) <= 80):
            errors.append(FieldError("/name", "invalid", "1 to 80 characters"))
        unknown = set(raw) - {
            "name",
            "condition",
            "effect",
            "points",
            "valid_from",
            "valid_to",
            "description",
        }
        for field in sorted(unknown):
            errors.append(FieldError(f"/{field}", "unknown_field", "is not a field of a profile"))
        try:
            condition, effect, points, valid_from, valid_to = profile_rules.check(raw)
        except InvalidRequest as exc:
            errors.extend(exc.errors)
        if errors:
            raise InvalidRequest(errors)
        with writing(self.engine) as conn:
            row = store.add_profile_version(
                conn,
                name=name.strip(),
                condition=condition.text,
                effect=effect.value,
                points=points,
                valid_from=valid_from if valid_from != dt.date.min else dt.date(2000, 1, 1),
                valid_to=valid_to,
                description=str(raw.get("description") or ""),
                created_at=dt.datetime.now(dt.UTC),
                created_by=principal.name,
                retired_at=None,
            )
        self.refresh()
        return _json_profile(row)

    def retire_profile(self, principal: Principal, name: str) -> None:
        _analyst(principal)
        with writing(self.engine) as conn:
            if not store.retire_profile(conn, name, dt.datetime.now(dt.UTC)):
                raise NotFound(f"no active risk profile {name!r}")
        self.refresh()

    # -- the budget -------------------------------------------------------------------------------

    def budget(self) -> Budget:
        return self._current().budget

    def set_budget(self, principal: Principal, raw: dict[str, Any]) -> Budget:
        _analyst(principal)
        current = self.budget()
        values = {
            "red_share": current.red,
            "yellow_share": current.yellow,
            "exploration_share": current.exploration,
            "window_size": current.window,
            "aeo_factor": current.aeo_factor,
        }
        errors = []
        names = {"red_share", "yellow_share", "exploration_share", "window", "aeo_factor"}
        for key, value in raw.items():
            column = "window_size" if key == "window" else key
            if key not in names:
                errors.append(FieldError(f"/{key}", "unknown_field", "is not a budget setting"))
                continue
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                errors.append(FieldError(f"/{key}", "invalid", "must be a number"))
                continue
            if key == "window":
                if not (100 <= number <= 1_000_000) or number != int(number):
                    errors.append(
                        FieldError("/window", "invalid", "a whole number, 100 to 1,000,000")
                    )
                    continue
                values[column] = int(number)
            elif not (0 <= number <= 1):
                errors.append(FieldError(f"/{key}", "invalid", "a share between 0 and 1"))
            else:
                values[column] = float(number)
        if not errors and values["red_share"] + values["yellow_share"] > 1:
            errors.append(FieldError("/yellow_share", "invalid", "red and yellow shares exceed 1"))
        if not errors and values["exploration_share"] > values["red_share"]:
            errors.append(
                FieldError("/exploration_share", "invalid", "exploration is part of the red share")
            )
        if errors:
            raise InvalidRequest(errors)
        with writing(self.engine) as conn:
            store.update_settings(
                conn, **values, updated_at=dt.datetime.now(dt.UTC), updated_by=principal.name
            )
        self.refresh()
        return self.budget()

    # -- AEO --------------------------------------------------------------------------------

    def set_aeo(
        self,
        party_id: str,
        *,
        name: str,
        status: str,
        administration: str,
        valid_from: dt.date,
        valid_to: dt.date | None = None,
    ) -> None:
        if status not in ("granted", "suspended", "revoked"):
            raise InvalidRequest(
                [FieldError("/status", "invalid", "granted, suspended or revoked")]
            )
        with writing(self.engine) as conn:
            store.aeo_set(
                conn,
                party_id=party_id,
                name=name,
                status=status,
                administration=administration,
                valid_from=valid_from,
                valid_to=valid_to,
                updated_at=dt.datetime.now(dt.UTC),
            )
        self.refresh()

    def aeo_list(self) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            return store.aeo_list(conn)


def _analyst(principal: Principal) -> None:
    if principal.role.value not in ("analyst", "admin"):
        raise Forbidden("risk profiles and the budget are managed by risk analysts")


def _json_profile(row: dict[str, Any]) -> dict[str, Any]:
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
