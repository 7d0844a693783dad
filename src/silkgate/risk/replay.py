"""Selection that learns, replayed week by week over a stream of past declarations.

An administration only learns the outcome of what it controls, and what it
controls is what its own targeting chose. :func:`replay` makes that loop
measurable: each week of the stream, the node selects within a budget (say
10 % of the week's declarations) by a :class:`Strategy`; only the selected
rows reveal their outcome; every few weeks the model retrains on what has
been learned (the unselected rows stay in the history, unlabelled: they teach
what is usual, never "compliant", :func:`silkgate.risk.model.train`).

Strategies (how the budget is split between exploiting the model's ranking
and exploring):

- ``exploit``: the top of the ranking only;
- ``random``: a fixed share of the budget at random (``explore``, 10 % by
  default: the node's exploration share of 1 % of all declarations under a
  10 % control budget), the rest from the top;
- ``adaptive``: a bandit over three arms (the top of the ranking, random
  picks, and the most uncertain rows, whose score is nearest the week's
  cut-off). Each selection of the week goes to the arm whose hit rate, drawn
  from its Beta posterior, is highest (Thompson sampling): exploration is
  large while little is known and shrinks as the ranking proves itself, with
  a floor (a quarter of ``explore``) for each exploring arm so none starves;
- ``full``: a reference, not a strategy: as ``exploit``, but every past
  outcome is known (what a fully labelled history would give).

The first weeks, before there are enough outcomes to train on, are selected at
random whatever the strategy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from silkgate.risk.kcs import CRITICAL, DATE, FRAUD

STRATEGIES = ("exploit", "random", "adaptive", "full")
# Outcomes needed (with some fraud among them) before a model is trained.
MIN_OUTCOMES = 200

Trainer = Callable[[Sequence[dict[str, Any]], Sequence[float | None], int], Any]
Scorer = Callable[[Any, Sequence[dict[str, Any]]], np.ndarray]


@dataclass
class Week:
    """One week of the replay: what was selected, and what it found."""

    start: dt.date
    rows: int
    selected: int
    frauds: int  # all the week's frauds, found or not
    caught: int
    critical: int
    critical_caught: int
    explored: int  # selections made by exploration (random or uncertain)
    explored_caught: int
    trained: bool  # whether a model ranked this week (else all random)

    @property
    def precision(self) -> float:
        return self.caught / self.selected if self.selected else 0.0


@dataclass
class Replay:
    """Every week, and the totals."""

    strategy: str
    budget: float
    weeks: list[Week] = field(default_factory=list)

    def totals(self) -> dict[str, float]:
        w = self.weeks
        selected = sum(x.selected for x in w)
        caught = sum(x.caught for x in w)
        frauds = sum(x.frauds for x in w)
        critical = sum(x.critical for x in w)
        explored = sum(x.explored for x in w)
        return {
            "rows": float(sum(x.rows for x in w)),
            "selected": float(selected),
            "precision": caught / selected if selected else 0.0,
            "recall": caught / frauds if frauds else 0.0,
            "critical_recall": sum(x.critical_caught for x in w) / critical if critical else 0.0,
            "exploration_share": explored / selected if selected else 0.0,
            "exploration_precision": (
                sum(x.explored_caught for x in w) / explored if explored else 0.0
            ),
        }


def weeks_of(rows: Sequence[dict[str, Any]]) -> list[list[int]]:
    """Indices of ``rows`` by ISO week (Monday to Sunday), in date order."""
    by_week: dict[dt.date, list[int]] = {}
    for i, r in enumerate(rows):
        day = dt.date.fromisoformat(r[DATE])
        by_week.setdefault(day - dt.timedelta(days=day.weekday()), []).append(i)
    return [by_week[k] for k in sorted(by_week)]


def replay(
    history: Sequence[dict[str, Any]],
    stream: Sequence[dict[str, Any]],
    *,
    strategy: str,
    train: Trainer,
    score: Scorer,
    budget: float = 0.10,
    explore: float = 0.10,
    retrain_every: int = 4,
    seed: int = 0,
    on_week: Callable[[Week], None] | None = None,
) -> Replay:
    """Replay ``stream`` week by week (see the module's docstring).

    ``history`` rows keep their ``Fraud`` only where it is not empty (their
    outcome known before the replay); ``stream`` rows must all carry it: it is
    revealed for the selected ones only (for all of them under ``full``).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}")
    rng = np.random.default_rng(seed)
    rows = list(history)
    known: list[float | None] = [_outcome(r) for r in rows]
    arms = _Arms()
    result = Replay(strategy, budget)
    model = None
    for n, week in enumerate(weeks_of(stream)):
        if model is None or n % retrain_every == 0:
            model = _trained(rows, known, train, seed) or model
        week_rows = [stream[i] for i in week]
        scores = score(model, week_rows) if model is not None else None
        k = max(int(len(week) * budget), 1)
        chosen, explored = _select(strategy, scores, (len(week), k), explore, arms, rng)
        truth = np.asarray([_outcome(r) or 0.0 for r in week_rows])
        critical = np.asarray([r.get(CRITICAL) == "2" for r in week_rows])
        hits = truth[chosen] > 0
        arms.learn(chosen, explored, hits)
        record = Week(
            start=dt.date.fromisoformat(week_rows[0][DATE]),
            rows=len(week),
            selected=len(chosen),
            frauds=int(truth.sum()),
            caught=int(hits.sum()),
            critical=int(critical.sum()),
            critical_caught=int(critical[chosen].sum()),
            explored=int(sum(1 for i in chosen if explored.get(i))),
            explored_caught=int(
                sum(1 for i, h in zip(chosen, hits, strict=True) if h and explored.get(i))
            ),
            trained=scores is not None,
        )  # fmt: skip
        result.weeks.append(record)
        if on_week is not None:
            on_week(record)
        revealed = set(range(len(week))) if strategy == "full" else set(chosen)
        for j, r in enumerate(week_rows):
            rows.append(r)
            known.append(float(truth[j]) if j in revealed else None)
    return result


def _outcome(row: dict[str, Any]) -> float | None:
    value = row.get(FRAUD) or ""
    return float(value) if value != "" else None


def _trained(
    rows: list[dict[str, Any]], known: list[float | None], train: Trainer, seed: int
) -> Any:
    """A model on what is known, or None while too little is (or no fraud was found yet)."""
    labelled = [v for v in known if v is not None]
    if len(labelled) < MIN_OUTCOMES or not 0 < sum(labelled) < len(labelled):
        return None
    return train(rows, known, seed)


class _Arms:
    """The adaptive strategy's arms and what each has found: Beta(hits + 1, misses + 1)."""

    NAMES = ("top", "random", "uncertain")

    def __init__(self) -> None:
        self.hits = dict.fromkeys(self.NAMES, 0)
        self.tries = dict.fromkeys(self.NAMES, 0)

    def counts(self, rng: np.random.Generator, k: int, floor: float) -> dict[str, int]:
        """How many of ``k`` selections each arm gets: each selection goes to the arm whose
        hit rate, drawn from its posterior, is highest (Thompson sampling); each exploring
        arm keeps at least ``floor`` of the budget."""
        names = self.NAMES
        draws = np.column_stack(
            [rng.beta(self.hits[a] + 1, self.tries[a] - self.hits[a] + 1, size=k) for a in names]
        )
        won = np.bincount(np.argmax(draws, axis=1), minlength=len(names))
        out = {a: int(n) for a, n in zip(names, won, strict=True)}
        least = round(k * floor)
        for a in ("random", "uncertain"):
            if out[a] < least:
                out["top"] -= least - out[a]
                out[a] = least
        out["top"] = max(out["top"], 0)
        return out

    def learn(self, chosen: list[int], explored: dict[int, str], hits: np.ndarray) -> None:
        for i, hit in zip(chosen, hits, strict=True):
            arm = explored.get(i) or "top"
            self.tries[arm] += 1
            self.hits[arm] += int(hit)


def _select(
    strategy: str,
    scores: np.ndarray | None,
    sizes: tuple[int, int],
    explore: float,
    arms: _Arms,
    rng: np.random.Generator,
) -> tuple[list[int], dict[int, str]]:
    """The week's selection (indices), and which of them exploration chose (and how).

    ``sizes``: the week's rows and the budget. Without scores (no model yet), all at random.
    """
    n, k = sizes
    if scores is None:
        return _plus_random([], n, k, rng)
    order = np.argsort(-scores, kind="stable")
    if strategy in ("exploit", "full"):
        return [int(i) for i in order[:k]], {}
    if strategy == "random":
        n_random = round(k * explore)
        top = [int(i) for i in order[: k - n_random]]
        return _plus_random(top, n, n_random, rng)
    counts = arms.counts(rng, k, floor=explore / 4)
    n_random, n_uncertain = counts["random"], counts["uncertain"]
    top = [int(i) for i in order[: max(k - n_random - n_uncertain, 0)]]
    taken = set(top)
    # Uncertain: just below the cut-off (ranked past the budget), the nearest to it first.
    below = order[min(k, n) :]
    nearest = below[np.argsort(np.abs(scores[below] - scores[order[min(k, n) - 1]]), kind="stable")]
    uncertain = [int(i) for i in nearest if int(i) not in taken][:n_uncertain]
    chosen, explored = _plus_random(top + uncertain, n, n_random, rng)
    explored.update(dict.fromkeys(uncertain, "uncertain"))
    return chosen, explored


def _plus_random(
    chosen: list[int], n: int, count: int, rng: np.random.Generator
) -> tuple[list[int], dict[int, str]]:
    taken = set(chosen)
    rest = np.asarray([i for i in range(n) if i not in taken])
    picked = [int(i) for i in rng.choice(rest, size=min(count, len(rest)), replace=False)]
    return chosen + picked, dict.fromkeys(picked, "random")
