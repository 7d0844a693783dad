"""The weekly replay of selection: only what is selected reveals its outcome."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from silkgate.risk import replay as r

START = dt.date(2021, 1, 4)  # a Monday


def _stream(weeks: int, per_week: int, seed: int = 0) -> list[dict[str, str]]:
    """Declarations whose fraud depends on the commodity only: HS 01 (8 % of them) is 60 %
    fraud, the rest 5 %; a 10 % budget covers all of HS 01 and some of the rest."""
    rng = random.Random(seed)
    rows = []
    for w in range(weeks):
        for i in range(per_week):
            hs = "010000" if rng.random() < 0.08 else "020000"
            fraud = rng.random() < (0.6 if hs == "010000" else 0.05)
            rows.append({
                "Declaration ID": f"{w}-{i}",
                "Date": (START + dt.timedelta(days=7 * w)).isoformat(),
                "HS6 Code": hs, "Fraud": "1" if fraud else "0",
                "Critical Fraud": "2" if fraud and i % 5 == 0 else ("1" if fraud else "0"),
            })  # fmt: skip
    return rows


class Learner:
    """A model that learns the fraud rate of each commodity from the outcomes it is given."""

    def __init__(self) -> None:
        self.seen: list[list[float | None]] = []

    def train(self, rows: Sequence[dict[str, Any]], labels: Sequence[float | None], seed: int):
        self.seen.append(list(labels))
        rates: dict[str, list[float]] = {}
        for row, label in zip(rows, labels, strict=True):
            if label is not None:
                rates.setdefault(row["HS6 Code"], []).append(label)
        return {k: sum(v) / len(v) for k, v in rates.items()}

    @staticmethod
    def score(model: dict[str, float], rows: Sequence[dict[str, Any]]) -> np.ndarray:
        # A little noise so ties do not decide; the same every run.
        return np.asarray(
            [
                model.get(x["HS6 Code"], 0.1) + int(x["Declaration ID"].split("-")[1]) * 1e-6
                for x in rows
            ]
        )


def _run(strategy: str, learner: Learner | None = None, **kw: Any) -> r.Replay:
    learner = learner or Learner()
    return r.replay([], _stream(12, 2000), strategy=strategy, train=learner.train,
                    score=learner.score, retrain_every=1, **kw)  # fmt: skip


def test_each_week_selects_the_budget_and_the_first_at_random():
    result = _run("exploit")
    assert [w.selected for w in result.weeks] == [200] * 12
    first = result.weeks[0]
    assert not first.trained and first.explored == 200  # no outcome yet: all at random
    assert all(w.trained for w in result.weeks[1:])


def test_what_was_not_selected_is_unknown_never_compliant():
    learner = Learner()
    _run("exploit", learner)
    last = learner.seen[-1]
    assert len(last) == 11 * 2000
    assert sum(v is not None for v in last) == 11 * 200  # only the selected rows
    assert None in last and all(v in (0.0, 1.0) for v in last if v is not None)


def test_exploiting_beats_random_and_full_knowledge_is_the_reference():
    exploit, random_share, full = (_run(s).totals() for s in ("exploit", "random", "full"))
    # Random selection finds the base rate (about 9 %); the ranking finds HS 01 (60 %).
    assert exploit["precision"] > 4 * 0.09
    assert random_share["exploration_share"] == pytest.approx(0.1 * 11 / 12 + 1 / 12, abs=0.01)
    assert exploit["exploration_share"] == pytest.approx(1 / 12)
    assert full["precision"] >= exploit["precision"] - 0.02
    assert 0 < exploit["critical_recall"] <= 1


def test_the_adaptive_bandit_explores_less_as_the_ranking_proves_itself():
    result = _run("adaptive", explore=0.2)
    explored = [w.explored / w.selected for w in result.weeks[1:]]
    assert explored[0] > explored[-1]
    assert min(explored) >= 0.09  # each exploring arm keeps a quarter of the share: 2 x 5 %
    assert result.totals()["precision"] > 0.3
    assert explored[-1] < 0.15


def test_a_stream_is_replayed_by_iso_week():
    rows = [{"Date": d} for d in ("2021-01-03", "2021-01-04", "2021-01-10", "2021-01-11")]
    assert r.weeks_of(rows) == [[0], [1, 2], [3]]


def test_an_unknown_strategy_is_refused():
    with pytest.raises(ValueError, match="exploit, random, adaptive, full"):
        _run("greedy")
