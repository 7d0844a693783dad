"""Selectivity for a declaration being lodged: its channel, and later why the model scored it."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.document import DeclarationDocument
from silkgate.risk import profiles as profile_rules
from silkgate.risk.facts import item_facts
from silkgate.risk.selectivity import Calibrator, Decision, decide
from silkgate.risk.services.in_force import RiskInForce
from silkgate.risk.services.ports import ModelLoader, Scorer, SpsRequirements
from silkgate.store import risk as store
from silkgate.store.db import reading
from silkgate.tariff.assessment import Assessment


def decide_channel(
    held: RiskInForce,
    doc: DeclarationDocument,
    assessment: Assessment | None,
    on: dt.date,
    *,
    calibrator: Calibrator,
    rng: random.Random,
    sps: SpsRequirements | None,
    lpco: Mapping[int, str] | None = None,
) -> Decision:
    """The channel of a declaration being lodged, under what is in force (``lpco``: the
    check of the items' required LPCOs, by item)."""
    facts = item_facts(doc, assessment, held.aeo, lpco)
    hits = profile_rules.evaluate(held.profiles, facts, on)
    model_score = None
    model_item = None
    if held.model is not None and doc.type == "IM":
        scores = held.model.score_items(facts, on)
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
    applicable = list(sps.applicable(doc, on)) if sps is not None else []
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
        budget=held.budget,
        calibrator=calibrator,
        draw=rng.random(),
        model_item=model_item,
        sps_requirements=applicable,
    )


def decision_row(decision: Decision, model_id: int | None) -> dict[str, Any]:
    """``declaration_risk`` columns, without the declaration id, version and time."""
    return {
        "channel": decision.channel.value,
        "score": Decimal(str(round(decision.score, 3))),
        "model_score": (
            None if decision.model_score is None else Decimal(str(round(decision.model_score, 6)))
        ),
        "model_id": model_id,
        "exploration": decision.exploration,
        "sps": decision.sps,
        "reasons": orjson.dumps({**decision.as_json(), "forced": decision.forced}).decode(),
    }


class Scorers:
    """The scorer of a model by id: the active one, or one older model kept at most.

    An officer looks at why a declaration lodged under a previous model was
    selected; building that model again for every look would be slow.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._older: dict[int, Scorer | None] = {}

    def get(
        self, model_id: int, held: RiskInForce, load_model: ModelLoader | None
    ) -> Scorer | None:
        if held.model is not None and held.model.model_id == model_id:
            return held.model
        with self._lock:
            cached = self._older.get(model_id)
        if cached is None and load_model is not None:
            with reading(self.engine) as conn:
                row = store.model_row(conn, model_id)
            cached = load_model(row) if row else None
            with self._lock:
                self._older = {model_id: cached}  # keep one older model at most
        return cached


def explain(
    scorer: Scorer | None,
    held: RiskInForce,
    doc: DeclarationDocument,
    assessment: dict[str, Any],
    item: int,
    on: dt.date,
) -> list[dict[str, Any]]:
    """The features that weighed most in ``scorer``'s score of one item, lodged ``on``."""
    if scorer is None:
        return []
    facts = [f for f in item_facts(doc, assessment, held.aeo) if int(f["item.seq"]) == item]
    return [{**c, "item": item} for c in scorer.explain(facts[0], on)] if facts else []
