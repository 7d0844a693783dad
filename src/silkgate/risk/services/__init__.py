"""The risk use cases of a node: profiles, budget, AEOs, selectivity, outcomes, the model.

What selectivity needs on every lodging (compiled profiles, the budget, the
AEO list, the active model) is held in memory and refreshed when it changes
(checked every ``ttl`` seconds), so deciding a channel never waits on the
database. Each process keeps its own calibrator, warmed at start from the
newest stored decisions.

The use cases live in their own modules (:mod:`~silkgate.risk.services.analysts`,
:mod:`~silkgate.risk.services.selection`, :mod:`~silkgate.risk.services.training`,
:mod:`~silkgate.risk.services.control`); this class holds what they share and the
node's collaborators.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.versioned import InForce
from silkgate.risk.commands import (
    BudgetCommand,
    ControlOutcome,
    OutcomeCorrection,
    RiskProfileCommand,
)
from silkgate.risk.profiles import Profile
from silkgate.risk.selectivity import Budget, Calibrator, Decision
from silkgate.risk.services import analysts, control, in_force, selection, training
from silkgate.risk.services.in_force import RiskInForce
from silkgate.risk.services.ports import (
    AeoChanged,
    ModelLoader,
    MraPartners,
    Scorer,
    SpsRequirements,
    no_partners,
)
from silkgate.store.db import reading
from silkgate.store.uow import SqlUnitOfWork
from silkgate.tariff.assessment import Assessment

__all__ = ["RiskService", "Scorer"]


class RiskService:
    """The risk capability of a node.

    ``load_model`` builds a scorer from a stored model row (None: profiles only);
    ``sps`` finds the SPS controls a declaration must pass; ``zone`` is the
    administration's time zone (AEO validity is in its local dates);
    ``mra_partners`` lists the partners whose AEOs are recognised;
    ``on_aeo_change`` is told of a change to this node's AEO list in the
    transaction that made it.
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        unit_of_work: Callable[[], SqlUnitOfWork],
        ttl: float = 5.0,
        rng: random.Random | None = None,
        load_model: ModelLoader | None = None,
        sps: SpsRequirements | None = None,
        zone: dt.tzinfo = dt.UTC,
        mra_partners: MraPartners = no_partners,
        on_aeo_change: AeoChanged | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        # Outcomes recorded by officers are journaled through it.
        self.unit_of_work = unit_of_work
        self.ttl = ttl
        self.rng = rng or random.SystemRandom()
        self.load_model = load_model
        self.sps = sps
        self.zone = zone
        self.mra_partners = mra_partners
        self.on_aeo_change = on_aeo_change
        self.clock = clock
        self.calibrator: Calibrator | None = None
        self._calibrated_for: tuple[Budget, int | None] | None = None
        self._in_force: InForce[RiskInForce] = InForce(self._load, ttl=ttl)
        self._scorers = selection.Scorers(engine)

    # -- what is in force --------------------------------------------------------------

    def _load(self, held: RiskInForce | None) -> RiskInForce:
        # AEO validity is in local dates: the administration's day, not UTC's.
        today = self.clock().astimezone(self.zone).date()
        with reading(self.engine) as conn:
            loaded = in_force.load(
                conn,
                held,
                today=today,
                partners=list(self.mra_partners()),
                load_model=self.load_model,
            )
            # A new budget or a new model means new thresholds: the scores the old
            # ones were calibrated on no longer describe what will be selected.
            calibration = (loaded.budget, loaded.model_id)
            if self.calibrator is None or self._calibrated_for != calibration:
                self.calibrator = in_force.warm_calibrator(conn, loaded.budget, loaded.model_id)
                self._calibrated_for = calibration
        return loaded

    def _current(self) -> RiskInForce:
        return self._in_force.get()

    def refresh(self) -> None:
        """Forget what is held, so the next use reads the database."""
        self._in_force.forget()

    # -- selectivity -------------------------------------------------------------------

    def decide(
        self,
        doc: DeclarationDocument,
        assessment: Assessment | None,
        on: dt.date,
        lpco: Mapping[int, str] | None = None,
    ) -> Decision:
        """The channel of a declaration being lodged (``lpco``: ``item.lpco`` by item)."""
        held = self._current()
        assert self.calibrator is not None  # warmed by the first load
        return selection.decide_channel(
            held, doc, assessment, on,
            calibrator=self.calibrator, rng=self.rng, sps=self.sps, lpco=lpco,
        )  # fmt: skip

    def profiles_in_force(self) -> list[Profile]:
        """The analysts' profiles as held now (parcels are scored with them in batches)."""
        return list(self._current().profiles)

    def model_in_force(self) -> Scorer | None:
        """The model as held now (parcels are scored with it a batch at a time), or None."""
        return self._current().model

    @staticmethod
    def decision_row(decision: Decision, model_id: int | None) -> dict[str, Any]:
        """``declaration_risk`` columns, without the declaration id, version and time."""
        return selection.decision_row(decision, model_id)

    def explain(
        self,
        model_id: int,
        doc: DeclarationDocument,
        assessment: dict[str, Any],
        item: int,
        on: dt.date,
    ) -> list[dict[str, Any]]:
        """The features that weighed most in model ``model_id``'s score of one item lodged
        ``on`` (the date the model saw when it scored it)."""
        held = self._current()
        scorer = self._scorers.get(model_id, held, self.load_model)
        return selection.explain(scorer, held, doc, assessment, item, on)

    def model_id(self) -> int | None:
        model = self._current().model
        return model.model_id if model else None

    # -- profiles, budget, AEO ---------------------------------------------------------

    @staticmethod
    def require_reader(principal: Principal) -> None:
        """Refuse (Forbidden) whoever may not read profiles, the budget and performance."""
        analysts.require_reader(principal)

    def list_profiles(self, *, include_retired: bool = False) -> list[dict[str, Any]]:
        return analysts.list_profiles(self.engine, include_retired=include_retired)

    def profile_history(self, name: str) -> list[dict[str, Any]]:
        return analysts.profile_history(self.engine, name)

    def save_profile(self, principal: Principal, command: RiskProfileCommand) -> dict[str, Any]:
        """A new profile, or a new version of one with the same name (analyst or admin)."""
        return analysts.save_profile(self.engine, self._in_force, principal, command, self.clock())

    def retire_profile(self, principal: Principal, name: str) -> None:
        analysts.retire_profile(self.engine, self._in_force, principal, name, self.clock())

    def budget(self) -> Budget:
        return self._current().budget

    def set_budget(self, principal: Principal, command: BudgetCommand) -> Budget:
        """Change the budget (analyst or admin); the thresholds are calibrated afresh."""
        analysts.set_budget(self.engine, self._in_force, principal, command, self.clock())
        return self.budget()

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
        analysts.set_aeo(
            self.engine,
            self._in_force,
            party_id,
            name=name,
            status=status,
            administration=administration,
            valid_from=valid_from,
            valid_to=valid_to,
            at=self.clock(),
            on_change=self.on_aeo_change,
        )

    def aeo_list(self) -> list[dict[str, Any]]:
        return analysts.aeo_list(self.engine)

    # -- the model ---------------------------------------------------------------------

    def train(
        self,
        actor: str,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
        seed: int = 0,
    ) -> dict[str, Any]:
        """Train on the history in the database, store the model with its card, activate it."""
        return training.train(
            self.engine, self._in_force, actor, self.clock, since=since, until=until, seed=seed
        )

    def models(self) -> list[dict[str, Any]]:
        return training.models(self.engine)

    def activate_model(self, model_id: int) -> None:
        training.activate_model(self.engine, self._in_force, model_id)

    # -- outcomes, history, performance ------------------------------------------------

    def record_outcome(
        self, principal: Principal, mrn: str, outcome: ControlOutcome
    ) -> dict[str, Any]:
        """The outcome of a control: fraud found or not, critical finding, revenue recovered.

        A control has one: a second is refused (409); :meth:`correct_outcome` changes it.

        It is journaled, shown in the console's hit rates, and becomes training
        history (one KCS-format row per item of the declaration's current version).
        """
        return control.record_outcome(self.unit_of_work, principal, mrn, outcome, self.clock())

    def correct_outcome(
        self, principal: Principal, mrn: str, correction: OutcomeCorrection
    ) -> dict[str, Any]:
        """Correct the outcome of a control, with the reason: it replaces the one in force
        (in the hit rates and the training history too) and is journaled."""
        return control.correct_outcome(self.unit_of_work, principal, mrn, correction, self.clock())

    def outcomes(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        """The outcome of a control and its corrections, oldest first (the last is in force)."""
        return control.outcomes_of(self.engine, principal, mrn)

    def import_history(self, data: bytes) -> dict[str, Any]:
        """Load KCS-format rows as history (already known references are skipped); rows with
        no outcome (not controlled) teach what is usual, never "compliant"."""
        return control.import_history(self.engine, data, self.clock())

    def performance(self) -> dict[str, Any]:
        """Hit rates by month, of model/profile selections and of random ones; channel shares."""
        return {**control.performance(self.engine), "budget": self.budget().as_json()}
