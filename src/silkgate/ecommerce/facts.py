"""The risk profiles over parcels: each goods line of a parcel as item facts.

The analysts' profiles are written over the declaration's vocabulary
(``risk/facts.py``); a parcel fills the facts it has (the goods line's HS code,
origin, description, value, quantity; the parcel's agent, currency, value and
tax) and leaves the rest absent, so a profile about something a parcel does not
carry never selects it. ``declaration.procedure`` is ``9610`` and
``declaration.declarant_role`` is ``platform``, so a profile can aim at parcels
alone.

The risk model in force, if any, scores the same facts: a whole batch's goods
lines in one call (one matrix through the model), each parcel taking its riskiest
line, and the parcels' own budget (:class:`ModelBudget`) holds the highest-scored
share of them for inspection.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

import numpy as np

from silkgate.ecommerce.clearance import HELD, RELEASED, Outcome
from silkgate.ecommerce.matching import Reason
from silkgate.risk.profiles import Effect, Profile

PROCEDURE = "9610"


def parcel_facts(outcome: Outcome) -> list[dict[str, Any]]:
    """One fact mapping per goods line of the parcel."""
    entry = outcome.parcel.entry
    tax = outcome.tax
    shared = {
        "declaration.type": "IM",
        "declaration.procedure": PROCEDURE,
        "declaration.declarant": entry["agent"],
        "declaration.declarant_role": "platform",
        "declaration.currency": entry["currency"],
        "declaration.invoice_amount": outcome.value,
        "declaration.items": Decimal(len(entry["goods"])),
        "declaration.customs_value": tax.customs_value if tax else None,
        "declaration.taxes": tax.total if tax else None,
    }
    facts = []
    for seq, goods in enumerate(entry["goods"], start=1):
        code: str = goods["hs_code"]
        facts.append(
            {
                **shared,
                "item.seq": Decimal(seq),
                "item.description": goods["description"],
                "item.hs_code": code,
                "item.hs6": code[:6],
                "item.hs4": code[:4],
                "item.hs2": code[:2],
                "item.origin": goods["origin"],
                "item.preference": "",
                "item.value": Decimal(goods["unit_price"]) * goods["quantity"],
                "item.quantity": Decimal(goods["quantity"]),
                "item.quantity_unit": "NAR",
            }
        )
    return facts


class ParcelRisk:
    """The profiles in force, run over parcels one batch at a time."""

    def __init__(self, profiles: Sequence[Profile], on: dt.date, threshold: Decimal) -> None:
        self._profiles = [p for p in profiles if p.in_force(on)]
        self._threshold = threshold

    def __call__(self, outcome: Outcome) -> str | None:
        """Why the parcel is selected for inspection, or None."""
        if not self._profiles:
            return None
        facts = parcel_facts(outcome)
        points = Decimal(0)
        met = []
        for profile in self._profiles:
            if not any(profile.condition(item) for item in facts):
                continue
            if profile.effect is not Effect.SCORE:
                return f"risk profile {profile.name} ({profile.effect.value})"
            points += profile.points
            met.append(profile.name)
            if points >= self._threshold:
                return f"risk profiles {', '.join(met)} ({points} points)"
        return None


class ModelScorer(Protocol):
    """The risk model in force: one probability per goods line's facts, a batch at a time."""

    def score_items(self, facts: list[dict[str, Any]], on: dt.date) -> list[float]: ...


WARM_UP = 1_000  # parcels scored before the budget's threshold is trusted
COLD_THRESHOLD = 0.9  # meanwhile, only a parcel the model is this sure of is held


class ModelBudget:
    """The parcels' own inspection budget for the model: at most ``share`` of the parcels
    recently scored, those scored highest, are held. Thread-safe; one per process (each
    node process keeps its own window, so the share holds per process)."""

    def __init__(self, share: Decimal, window: int = 100_000) -> None:
        self.share = float(share)
        self._recent: deque[float] = deque(maxlen=window)
        self._lock = threading.Lock()

    def select(self, scores: np.ndarray) -> np.ndarray:
        """Which of a batch's parcel ``scores`` are held (a boolean per parcel)."""
        if self.share <= 0 or not len(scores):
            return np.zeros(len(scores), dtype=bool)
        with self._lock:
            self._recent.extend(scores.tolist())
            seen = np.fromiter(self._recent, dtype=float, count=len(self._recent))
        if len(seen) < WARM_UP:
            return scores >= COLD_THRESHOLD
        threshold = float(np.quantile(seen, 1 - self.share, method="higher"))
        return scores >= threshold


def select_by_model(
    outcomes: Sequence[Outcome], model: ModelScorer, budget: ModelBudget, on: dt.date
) -> int:
    """Score the goods lines of every parcel still to be released in one call to the model,
    take each parcel's highest line, and hold for inspection those the budget selects;
    how many were held."""
    going = [o for o in outcomes if o.status == RELEASED]
    if not going:
        return 0
    facts: list[dict[str, Any]] = []
    starts = np.empty(len(going), dtype=np.intp)
    for i, outcome in enumerate(going):
        starts[i] = len(facts)
        facts.extend(parcel_facts(outcome))
    lines = np.asarray(model.score_items(facts, on), dtype=float)
    scores = np.maximum.reduceat(lines, starts)  # each parcel's riskiest line
    held = budget.select(scores)
    for outcome, score in zip(
        (o for o, h in zip(going, held, strict=True) if h), scores[held], strict=True
    ):
        outcome.status = HELD
        outcome.selected = True
        outcome.reasons = [
            Reason(
                "selected_for_inspection",
                f"risk model score {score:.3f}, among the {budget.share:.1%} of parcels "
                "scored highest",
            )
        ]
    return int(held.sum())
