"""The learned risk model: LightGBM on the features of :mod:`features`, trained from history.

One code path serves training (`silkgate risk train`), the benchmark command
(`silkgate risk evaluate`) and the online scorer of every lodging: rows in the
KCS format go through :class:`~silkgate.risk.features.FeatureBuilder` and one
booster. How the features and parameters were chosen, and what each change
gained, is in ``docs/risk-model.md``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from silkgate.kernel.clock import Clock, system_clock
from silkgate.risk.features import FeatureBuilder
from silkgate.risk.kcs import CRITICAL, DATE, row_from_facts

# Chosen on a time split inside 2020 (Jan-Sep -> Oct-Dec): capacity mattered
# (num_leaves 31 -> 127: +5 points precision@10%); the other knobs were neutral
# or worse and stay at LightGBM's defaults. 160 rounds at a learning rate of
# 0.2 instead of 800 at 0.05: 1.4 points less precision@10% on that split, but
# scoring is 8 times faster, which the node needs (50,000 declarations/s in
# batch; docs/risk-model.md). Deterministic: a retrain on the same history
# gives the same scores.
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.2,
    "num_leaves": 127,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "num_threads": 2,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
NUM_ROUNDS = 160
# Whether rows without an outcome teach the price norms and volumes. Measured on KCS with
# labels on 10 % of 2020: it lowered precision@5 % on 2021 Q1 (0.60 against 0.63, mean of
# three masks), so by default they do not; they never count as "compliant" either way.
UNLABELLED_NORMS = False
# Critical fraud first: a controlled row where a critical fraud (a safety or security finding)
# was found weighs this many plain frauds in training, so that at an equal score otherwise
# the model ranks it ahead. Measured in docs/risk-model.md ("Critical fraud first").
CRITICAL_WEIGHT = 3.0


def _name(feature: str) -> str:
    # LightGBM refuses some characters in feature names; spaces are cosmetic.
    return feature.replace(" ", "_")


def train(
    rows: Sequence[dict[str, Any]],
    labels: Sequence[float | None],
    seed: int = 0,
    *,
    unlabelled: bool | None = None,
    critical: Sequence[bool | None] | None = None,
) -> tuple[FeatureBuilder, Any]:
    """Fit the features on ``rows`` (history) and a booster on them: ``(builder, booster)``.

    A label is 1 (fraud found), 0 (controlled, nothing found) or None (not
    controlled: the outcome is unknown, never "compliant"). Only labelled rows
    teach fraud rates and the trees. With ``unlabelled`` (default
    :data:`UNLABELLED_NORMS`) the unlabelled rows also teach what is usual
    (prices by commodity and origin, volumes by party); otherwise they are left
    out, as measured best (docs/risk-model.md, "Labels on part of the history").

    ``critical`` flags the frauds found critical (default: the rows' ``Critical
    Fraud`` column is 2); they weigh :data:`CRITICAL_WEIGHT` in training.

    Rows are put in date order first, so the out-of-fold target-encoding folds
    are contiguous blocks of time whatever order the caller used.
    """
    import lightgbm as lgb

    if critical is None:
        critical = [r.get(CRITICAL) == "2" for r in rows]
    if not (UNLABELLED_NORMS if unlabelled is None else unlabelled):
        kept = [i for i, v in enumerate(labels) if v is not None]
        if len(kept) < len(labels):
            rows, labels = [rows[i] for i in kept], [labels[i] for i in kept]
            critical = [critical[i] for i in kept]
    order = sorted(range(len(rows)), key=lambda i: rows[i].get(DATE) or "")
    ordered = [rows[i] for i in order]
    y = np.asarray([np.nan if v is None else v for v in labels], dtype=float)[order]
    # Only a fraud found can be critical; an unknown outcome weighs nothing (it is dropped).
    found_critical = np.asarray([bool(critical[i]) for i in order]) & (y == 1)
    weight = np.where(found_critical, CRITICAL_WEIGHT, 1.0)
    builder = FeatureBuilder()
    x = builder.fit_transform(ordered, y)
    known = ~np.isnan(y)
    if not known.all():
        x, y, weight = x[known], y[known], weight[known]
    data = lgb.Dataset(
        x,
        y,
        weight=None if CRITICAL_WEIGHT == 1.0 else weight,
        feature_name=[_name(n) for n in builder.feature_names],
        categorical_feature=[_name(n) for n in builder.categorical_names],
        free_raw_data=True,
    )
    booster = lgb.train(dict(PARAMS, seed=seed), data, NUM_ROUNDS)
    return builder, booster


def train_semi(
    rows: Sequence[dict[str, Any]],
    labels: Sequence[float | None],
    seed: int = 0,
    *,
    positive: float = 0.05,
    negative: float = 0.5,
) -> tuple[FeatureBuilder, Any]:
    """Two stages: a model on the labelled rows scores the unlabelled ones; the most
    suspicious ``positive`` share of them count as fraud and the least suspicious
    ``negative`` share as none, and a second model learns from both."""
    builder, booster = train(rows, labels, seed)
    unknown = [i for i, v in enumerate(labels) if v is None]
    if not unknown:
        return builder, booster
    scored = score(builder, booster, [rows[i] for i in unknown])
    order = np.argsort(-scored, kind="stable")
    pseudo = list(labels)
    for j in order[: int(len(unknown) * positive)]:
        pseudo[unknown[j]] = 1.0
    for j in order[len(unknown) - int(len(unknown) * negative) :]:
        pseudo[unknown[j]] = 0.0
    return train(rows, pseudo, seed)


def score(
    builder: FeatureBuilder, booster: Any, rows: Sequence[dict[str, Any]], threads: int = 0
) -> np.ndarray:
    """Fraud probability of each row; the higher, the sooner to control.

    ``threads``: 0 for LightGBM's default (all cores, for batches); the online
    scorer uses 1, since OpenMP workers spinning after each tiny prediction
    would take the CPU the web server needs.
    """
    x = builder.transform(list(rows))
    return booster.predict(x, num_threads=threads) if threads else booster.predict(x)


def top_contributions(
    builder: FeatureBuilder, booster: Any, row: dict[str, Any], k: int = 5
) -> list[dict[str, Any]]:
    """The ``k`` features that push this row's score most (TreeSHAP, in log-odds)."""
    x = builder.transform([row])
    contrib = booster.predict(x, pred_contrib=True)[0][:-1]
    order = np.argsort(-np.abs(contrib), kind="stable")[:k]
    names = builder.feature_names
    return [
        {
            "feature": names[i],
            "value": _readable(builder, names[i], x[0, i]),
            "contribution": round(float(contrib[i]), 4),
        }
        for i in order
    ]


def _readable(builder: FeatureBuilder, name: str, value: float) -> Any:
    """A feature's value as an officer reads it: a category's name, not its index."""
    if np.isnan(value):
        return "unseen" if name.startswith("cat_") else None
    if name.startswith("cat_"):
        codes = (builder.state or {}).get("cat", {}).get(name[4:], {})
        for text, index in codes.items():
            if index == int(value):
                return text
        return "unseen"
    return round(float(value), 4)


def ranking_metrics(
    labels: np.ndarray, scores: np.ndarray, critical: np.ndarray | None = None
) -> dict[str, float]:
    """precision@n% and recall@n%: the fraud share of, and caught in, the top ⌊N·n/100⌋ rows.

    With ``critical`` (1 where the fraud was critical), the same for critical frauds
    alone: ``critical precision@n%`` and ``critical recall@n%``.
    """
    order = np.argsort(-scores, kind="stable")
    out: dict[str, float] = {}
    for prefix, flags in (("", labels), ("critical ", critical)):
        if flags is None:
            continue
        total = float(flags.sum())
        for n in (1, 5, 10):
            k = int(len(flags) * n / 100)
            top = flags[order[:k]]
            out[f"{prefix}precision@{n}%"] = round(float(top.mean()), 4) if k else float("nan")
            out[f"{prefix}recall@{n}%"] = (
                round(float(top.sum()) / total, 4) if total else float("nan")
            )
    return out


@dataclass
class TrainedModel:
    builder: FeatureBuilder
    booster: Any
    card: dict[str, Any]


def train_with_card(
    rows: list[dict[str, Any]],
    labels: Sequence[float | None],
    *,
    seed: int = 0,
    validation_share: float = 0.2,
    clock: Clock = system_clock,
    critical: Sequence[bool | None] | None = None,
) -> TrainedModel:
    """Validate on the newest ``validation_share`` of the history, then train on all of it.

    The model card records the data window, the features, the parameters and
    the validation figures (precision and recall at 1/5/10 %, on the newest rows
    whose outcome is known: controlled ones, so chosen by earlier targeting;
    with ``critical``, the critical frauds' own figures too).
    """
    crit = list(critical) if critical is not None else [r.get(CRITICAL) == "2" for r in rows]
    dates = sorted(r.get(DATE) or "" for r in rows)
    validation: dict[str, Any] = {}
    cut = dates[int(len(dates) * (1 - validation_share))] if len(rows) >= 200 else None
    started = time.perf_counter()
    if cut is not None:
        early = [i for i, r in enumerate(rows) if (r.get(DATE) or "") < cut]
        late = [
            i for i, r in enumerate(rows) if (r.get(DATE) or "") >= cut and labels[i] is not None
        ]
        known = [labels[i] for i in early if labels[i] is not None]
        if late and 0 < sum(v or 0 for v in known) < len(known):
            builder, booster = train(
                [rows[i] for i in early],
                [labels[i] for i in early],
                seed,
                critical=[crit[i] for i in early],
            )
            scores = score(builder, booster, [rows[i] for i in late])
            y_late = np.asarray([labels[i] for i in late], dtype=float)
            c_late = np.asarray([bool(crit[i]) for i in late], dtype=float) * y_late
            validation = {
                "trained_until": cut,
                "validated_from": cut,
                "rows": len(late),
                **ranking_metrics(y_late, scores, c_late if c_late.any() else None),
            }
    builder, booster = train(rows, labels, seed, critical=crit)
    took = time.perf_counter() - started
    card = {
        "algorithm": f"LightGBM {_lgb_version()} gradient-boosted trees",
        "data": {
            "rows": len(rows),
            "controlled": sum(1 for v in labels if v is not None),
            "fraud": int(sum(v or 0 for v in labels)),
            "from": dates[0] if dates else None,
            "to": dates[-1] if dates else None,
        },
        "features": builder.feature_names,
        "parameters": {
            **PARAMS,
            "rounds": NUM_ROUNDS,
            "seed": seed,
            "critical_weight": CRITICAL_WEIGHT,
        },
        "validation": validation,
        "training_seconds": round(took, 1),
        "trained_at": clock().isoformat(timespec="seconds"),
    }
    return TrainedModel(builder, booster, card)


def _lgb_version() -> str:
    import lightgbm as lgb

    return str(lgb.__version__)


class StoredScorer:
    """A model from the database, scoring silkgate declarations online."""

    def __init__(self, model_id: int, builder: FeatureBuilder, booster: Any) -> None:
        self.model_id = model_id
        self.builder = builder
        self.booster = booster

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StoredScorer:
        import lightgbm as lgb

        builder = FeatureBuilder.from_state(orjson.loads(row["features"]))
        booster = lgb.Booster(model_str=row["booster"])
        return cls(row["id"], builder, booster)

    def _rows(self, facts: list[dict[str, Any]], on: dt.date) -> list[dict[str, str]]:
        return [row_from_facts(f, "", on) for f in facts]

    def score_items(self, facts: list[dict[str, Any]], on: dt.date) -> list[float]:
        rows = self._rows(facts, on)
        return [float(s) for s in score(self.builder, self.booster, rows, threads=1)]

    def explain(self, facts: dict[str, Any], on: dt.date, top: int = 5) -> list[dict[str, Any]]:
        return top_contributions(self.builder, self.booster, self._rows([facts], on)[0], top)
