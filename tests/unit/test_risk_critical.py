"""Critical fraud first: at an equal fraud rate, the kind whose frauds are critical ranks ahead."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from silkgate.risk import model
from silkgate.risk.model import ranking_metrics
from tests.kcs_synthetic import rows as kcs_rows


def _history(n: int = 400, seed: int = 7) -> list[dict[str, str]]:
    """Two commodities, each fraud on exactly every other declaration; only the frauds
    on 081090 are critical."""
    out = []
    for i, r in enumerate(kcs_rows(n, seed=seed, start=dt.date(2024, 1, 1))):
        hs6 = "081090" if i % 2 else "847130"
        fraud = (i // 2) % 2 == 0
        critical = fraud and hs6 == "081090"
        r.update({"HS6 Code": hs6, "Country of Origin": "VN", "Country of Departure": "VN"})
        r.update({"Fraud": "1" if fraud else "0", "Critical Fraud": "2" if critical else "0"})
        out.append(r)
    return out


def _mean_scores(weight: float, monkeypatch: pytest.MonkeyPatch) -> tuple[float, float]:
    monkeypatch.setattr(model, "CRITICAL_WEIGHT", weight)
    monkeypatch.setattr(model, "NUM_ROUNDS", 40)  # enough here, and quick
    history = _history()
    builder, booster = model.train(history, [float(r["Fraud"]) for r in history], seed=0)
    later = _history(seed=8)  # declarations the model has not seen
    scored = model.score(builder, booster, later)
    hs = np.asarray([r["HS6 Code"] for r in later])
    return float(scored[hs == "081090"].mean()), float(scored[hs == "847130"].mean())


def test_critical_frauds_rank_ahead_of_plain_ones_at_an_equal_rate(monkeypatch):
    assert model.CRITICAL_WEIGHT > 1
    critical_kind, plain_kind = _mean_scores(model.CRITICAL_WEIGHT, monkeypatch)
    assert critical_kind > plain_kind + 0.03
    # Without the weight the two kinds look alike: the weight, not the data, ranks them.
    unweighted_critical, unweighted_plain = _mean_scores(1.0, monkeypatch)
    assert abs(unweighted_critical - unweighted_plain) < 0.05
    assert critical_kind - plain_kind > unweighted_critical - unweighted_plain + 0.05


def test_unknown_outcomes_carry_no_critical_weight(monkeypatch):
    """A critical flag on a row not controlled is ignored: its outcome is unknown."""
    monkeypatch.setattr(model, "NUM_ROUNDS", 40)
    history = _history()
    labels: list[float | None] = [float(r["Fraud"]) for r in history]
    for i in range(1, len(history), 2):
        labels[i] = None  # every 081090 row uncontrolled, its Critical Fraud cell left as is
    builder, booster = model.train(history, labels, seed=0)
    plain = [r for r in _history(seed=8) if r["HS6 Code"] == "847130"]
    assert 0.3 < float(model.score(builder, booster, plain).mean()) < 0.7


def test_ranking_metrics_report_critical_frauds_apart():
    fraud = np.asarray([1, 1, 0, 1, 0, 0, 0, 0, 0, 1] * 10, dtype=float)
    critical = np.asarray([0, 1, 0, 0, 0, 0, 0, 0, 0, 0] * 10, dtype=float)
    scores = np.linspace(1, 0, 100)
    m = ranking_metrics(fraud, scores, critical)
    assert m["precision@10%"] == 0.4 and m["recall@10%"] == 0.1
    assert m["critical precision@10%"] == 0.1 and m["critical recall@10%"] == 0.1
    assert "critical recall@5%" not in ranking_metrics(fraud, scores)
