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

from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.risk import profiles as profile_rules
from silkgate.risk.facts import item_facts
from silkgate.risk.profiles import Effect, Profile
from silkgate.risk.selectivity import Budget, Calibrator, Decision, decide
from silkgate.store import exchange as exchange_store
from silkgate.store import journal
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
        self._scorers: dict[int, Any] = {}
        self.sps: Any = None  # the node's SpsService, when it has one
        self._calibrated_for: tuple[Any, ...] | None = None
        self.clock = lambda: dt.datetime.now(dt.UTC)  # the simulation sets its own
        # Partners whose AEOs this node recognises (mutual recognition), set by the node.
        self.mra_partners: Any = lambda: []
        self.zone: Any = dt.UTC  # the administration's time zone, set by the node
        self.on_aeo_change: Any = None

    # -- what is in force --------------------------------------------------------------

    def _current(self) -> _Loaded:
        loaded = self._loaded
        if loaded is not None and time.monotonic() - loaded.checked < self.ttl:
            return loaded
        with self._lock:
            loaded = self._loaded
            if loaded is not None and time.monotonic() - loaded.checked < self.ttl:
                return loaded
            # AEO validity is in local dates: the administration's day, not UTC's.
            today = self.clock().astimezone(self.zone).date()
            with reading(self.engine) as conn:
                settings = store.settings(conn)
                key = (
                    store.profiles_version(conn),
                    settings["updated_at"],
                    (
                        store.aeo_version(conn),
                        exchange_store.partner_aeo_version(conn),
                        tuple(self.mra_partners()),
                    ),
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
                        store.aeo_in_force(conn, today)
                        | exchange_store.partner_aeo_in_force(conn, today, self.mra_partners()),
                        model,
                        key,
                        time.monotonic(),
                    )
                # A new budget or a new model means new thresholds: the scores the old
                # ones were calibrated on no longer describe what will be selected.
                calibration = (loaded.budget, key[3])
                if self.calibrator is None or self._calibrated_for != calibration:
                    calibrator = Calibrator(loaded.budget)
                    for score, forced in store.recent_scores(conn, loaded.budget.window, key[3]):
                        calibrator.observe(score, forced)
                    self.calibrator = calibrator
                    self._calibrated_for = calibration
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
        model_item = None
        if loaded.model is not None and doc.type == "IM":
            scores = loaded.model.score_items(facts)
            best = max(range(len(scores)), key=scores.__getitem__)
            model_score = float(scores[best])
            # Why (the top contributing features) is worked out when an officer looks:
            # TreeSHAP costs tens of milliseconds, too much for every lodging.
            model_item = int(facts[best]["item.seq"])
        first = facts[0] if facts else {}
        aeo = bool(
            first.get("declaration.importer_aeo")
            or first.get("declaration.declarant_aeo")
            or first.get("declaration.exporter_aeo")
        )
        applicable = self.sps.applicable(doc, on) if self.sps is not None else []
        assert self.calibrator is not None
        return decide(
            hits,
            model_score,
            [],
            aeo=aeo,
            aeo_source=(
                ""
                if first.get("declaration.importer_aeo") or first.get("declaration.declarant_aeo")
                else f" of {doc.transport.dispatch_country} (exporter, mutual recognition)"
            ),
            budget=loaded.budget,
            calibrator=self.calibrator,
            draw=self.rng.random(),
            model_item=model_item,
            sps_requirements=applicable,
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

    def explain(
        self, model_id: int, doc: DeclarationDocument, assessment: dict[str, Any], item: int
    ) -> list[dict[str, Any]]:
        """The features that weighed most in model ``model_id``'s score of one item."""
        scorer = self._scorer(model_id)
        if scorer is None:
            return []
        facts = [
            f
            for f in item_facts(doc, assessment, self._current().aeo)
            if int(f["item.seq"]) == item
        ]
        return [{**c, "item": item} for c in scorer.explain(facts[0])] if facts else []

    def _scorer(self, model_id: int) -> Scorer | None:
        active = self._current().model
        if active is not None and active.model_id == model_id:
            return active
        with self._lock:
            cached = self._scorers.get(model_id)
        if cached is None and self.load_model is not None:
            with reading(self.engine) as conn:
                row = store.model_row(conn, model_id)
            cached = self.load_model(row) if row else None
            with self._lock:
                self._scorers = {model_id: cached}  # keep one older model at most
        return cached

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
            if self.on_aeo_change is not None:
                # Partners under mutual recognition learn of it, in this transaction.
                self.on_aeo_change(conn, dt.datetime.now(dt.UTC))
        self.refresh()

    def aeo_list(self) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            return store.aeo_list(conn)

    # -- the model ------------------------------------------------------------------------

    def train(
        self,
        actor: str,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        seed: int = 0,
    ) -> dict[str, Any]:
        """Train on the history in the database, store the model with its card, activate it."""
        from silkgate.risk.kcs import FRAUD
        from silkgate.risk.model import train_with_card

        with reading(self.engine) as conn:
            history = store.history(conn, since=since, until=until)
        labels = [1 if h["_fraud"] else 0 for h in history]
        if len(history) < 100 or not 0 < sum(labels) < len(labels):
            raise InvalidRequest(
                [
                    FieldError(
                        "/history",
                        "too_little",
                        f"{len(history)} controlled declarations with {sum(labels)} frauds: "
                        "training needs at least 100, with and without fraud "
                        "(import history, or record control outcomes)",
                    )
                ]
            )
        rows = [
            {k: v for k, v in h.items() if not k.startswith("_") and k != FRAUD} for h in history
        ]
        trained = train_with_card(rows, labels, seed=seed)
        trained.card["data"]["sources"] = sorted({h["_source"] for h in history})
        with writing(self.engine) as conn:
            model_id = store.add_model(
                conn,
                created_at=dt.datetime.now(dt.UTC),
                created_by=actor,
                card=orjson.dumps(trained.card).decode(),
                features=orjson.dumps(trained.builder.state).decode(),
                booster=trained.booster.model_to_string(),
            )
        self.refresh()
        return {"id": model_id, "card": trained.card}

    def models(self) -> list[dict[str, Any]]:
        with reading(self.engine) as conn:
            return store.models(conn)

    def activate_model(self, model_id: int) -> None:
        with writing(self.engine) as conn:
            if not store.activate_model(conn, model_id):
                raise NotFound(f"no risk model {model_id}")
        self.refresh()

    # -- outcomes, history, performance ------------------------------------------------

    def record_outcome(
        self,
        principal: Principal,
        mrn: str,
        raw: Any,
        *,
        declarations: Any,
    ) -> dict[str, Any]:
        """The outcome of a control: fraud found or not, critical finding, revenue recovered.

        It is journaled, shown in the console's hit rates, and becomes training
        history (one KCS-format row per item of the declaration's current version).
        """
        from silkgate.risk.outcomes import ControlOutcome, record_outcome_in
        from silkgate.store import declarations as declaration_store

        if not principal.is_staff:
            raise Forbidden("control outcomes are recorded by customs officers")
        errors: list[FieldError] = []
        if not isinstance(raw, dict):
            raise InvalidRequest([FieldError("", "invalid", "send a JSON object")])
        for key in sorted(set(raw) - {"fraud", "critical", "revenue_recovered", "note"}):
            errors.append(FieldError(f"/{key}", "unknown_field", "is not a field of an outcome"))
        fraud, critical = raw.get("fraud"), raw.get("critical", False)
        if not isinstance(fraud, bool):
            errors.append(FieldError("/fraud", "invalid", "must be true or false"))
        if not isinstance(critical, bool):
            errors.append(FieldError("/critical", "invalid", "must be true or false"))
        try:
            revenue = Decimal(str(raw.get("revenue_recovered", "0")))
            if not revenue.is_finite() or revenue < 0 or revenue != round(revenue, 2):
                raise InvalidOperation
        except InvalidOperation:
            revenue = Decimal(0)
            errors.append(
                FieldError(
                    "/revenue_recovered", "invalid", "an amount >= 0 with at most 2 decimals"
                )
            )
        if fraud is False and (critical is True or revenue > 0):
            errors.append(
                FieldError(
                    "/fraud", "inconsistent", "a critical finding or recovered revenue is fraud"
                )
            )
        note = raw.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > 1000):
            errors.append(FieldError("/note", "invalid", "text of at most 1000 characters"))
        if errors:
            raise InvalidRequest(errors)
        at = self.clock()
        with writing(self.engine) as conn:
            d = declaration_store.get(conn, mrn, for_update=True)
            if d is None:
                raise NotFound(f"no declaration {mrn}")
            outcome = ControlOutcome(fraud, critical, revenue, note)
            recorded, note = record_outcome_in(
                conn, declaration_id=d.id, outcome=outcome, at=at, actor=principal.name
            )
            journal.append(conn, note)
            outcomes = store.outcomes_of(conn, d.id)
        return {
            "mrn": mrn,
            "channel": recorded["channel"],
            "outcomes": [
                {
                    "fraud": o["fraud"],
                    "critical": o["critical"],
                    "revenue_recovered": format(
                        Decimal(str(o["revenue_recovered"])).quantize(Decimal("0.01")), "f"
                    ),
                    "note": o["note"],
                    "recorded_at": o["recorded_at"].isoformat().replace("+00:00", "Z"),
                    "recorded_by": o["recorded_by"],
                }
                for o in outcomes
            ],
        }

    def import_history(self, data: bytes) -> dict[str, Any]:
        """Load labelled KCS-format rows as history (already known references are skipped)."""
        from silkgate.risk import kcs

        rows, labelled = kcs.read(data.decode("utf-8-sig"))
        if not labelled:
            raise InvalidRequest(
                [
                    FieldError(
                        "/Fraud", "missing", "history needs the Fraud and Critical Fraud columns"
                    )
                ]
            )
        history = kcs.history_rows(rows, dt.datetime.now(dt.UTC))
        with writing(self.engine) as conn:
            added = store.add_history(conn, history)
            counts = store.history_counts(conn)
        return {"rows": len(rows), "added": added, "history": counts}

    def performance(self) -> dict[str, Any]:
        """Hit rates by month, of model/profile selections and of random ones; channel shares."""
        from silkgate.store.tables import declarations as declaration_table

        with reading(self.engine) as conn:
            months = store.hit_rates(conn)
            channels = dict(
                conn.execute(
                    sa.select(declaration_table.c.channel, sa.func.count())
                    .where(declaration_table.c.channel.is_not(None))
                    .group_by(declaration_table.c.channel)
                ).all()
            )
            history = store.history_counts(conn)
            models = store.models(conn)
        total = sum(channels.values()) or 1
        return {
            "channels": {
                c: {"count": n, "share": round(n / total, 4)} for c, n in channels.items()
            },
            "hit_rates": [
                {
                    "month": m["month"],
                    "selected_controls": m["selected"][0],
                    "selected_fraud": m["selected"][1],
                    "selected_hit_rate": round(m["selected"][1] / m["selected"][0], 4)
                    if m["selected"][0]
                    else None,
                    "random_controls": m["random"][0],
                    "random_fraud": m["random"][1],
                    "random_hit_rate": round(m["random"][1] / m["random"][0], 4)
                    if m["random"][0]
                    else None,
                    "revenue_recovered": format(m["revenue"].quantize(Decimal("0.01")), "f"),
                }
                for m in months
            ],
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
            "budget": self.budget().as_json(),
        }


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
