"""Selectivity: the channel of a declaration, from profiles, the model, AEO status and chance.

Channels: **green** (release), **yellow** (documentary check), **red** (physical
inspection), **blue** (release now, post-clearance audit).

The administration sets a budget (say red <= 5 %, yellow <= 10 %, 1 % chosen at
random for exploration). Fixed score cut-offs would drift with the traffic,
so the thresholds are *calibrated*: each is the quantile of the recent scores
(a rolling window) that leaves the model its share of the budget, after what
profiles forced and what exploration took. Exploration picks declarations at
random whatever their score: their outcomes measure the hit rate of random
control, against which the model's is judged, and give the model examples it
would not have chosen.

AEO status is a benefit: the score of a declaration whose importer or
declarant is an AEO is scaled down, and a documentary check it would get
becomes a post-clearance audit (blue).
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from silkgate.risk.profiles import Effect, Hit


class Channel(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Budget:
    red: float = 0.05
    yellow: float = 0.10
    exploration: float = 0.01
    window: int = 2000  # recent decisions the thresholds are calibrated on
    aeo_factor: float = 0.5  # an AEO's score is multiplied by this

    def as_json(self) -> dict[str, Any]:
        return {
            "red_share": self.red,
            "yellow_share": self.yellow,
            "exploration_share": self.exploration,
            "window": self.window,
            "aeo_factor": self.aeo_factor,
        }


# Until this many decisions are seen, thresholds cannot be calibrated and these apply.
WARM_UP = 100
COLD_RED, COLD_YELLOW = 90.0, 70.0


@dataclass
class Calibrator:
    """The recent scores and forced channels, and the thresholds they imply. Thread-safe."""

    budget: Budget
    _scores: deque[float] = field(default_factory=deque)
    _sorted: list[float] = field(default_factory=list)
    _forced: deque[str] = field(default_factory=deque)
    # How many of the window's decisions were forced to each channel (kept as they come
    # and go: counting the window on every decision would cost as much as the decision).
    _forced_count: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, score: float, forced: str = "") -> None:
        """Remember a decision: its score, and the channel profiles or chance forced, or ""."""
        with self._lock:
            self._scores.append(score)
            bisect.insort(self._sorted, score)
            self._forced.append(forced)
            self._forced_count[forced] += 1
            while len(self._scores) > self.budget.window:
                old = self._scores.popleft()
                del self._sorted[bisect.bisect_left(self._sorted, old)]
                self._forced_count[self._forced.popleft()] -= 1

    def thresholds(self) -> tuple[float, float, bool]:
        """(red threshold, yellow threshold, calibrated?) on the 0-100 score."""
        with self._lock:
            n = len(self._sorted)
            if n < WARM_UP:
                return COLD_RED, COLD_YELLOW, False
            forced_red = self._forced_count["red"] / n
            forced_yellow = self._forced_count["yellow"] / n
            red_left = max(self.budget.red - forced_red, 0.0)
            yellow_left = max(self.budget.yellow - forced_yellow, 0.0)
            return (
                self._quantile(1 - red_left),
                self._quantile(1 - red_left - yellow_left),
                True,
            )

    def _quantile(self, q: float) -> float:
        if q >= 1:
            return float("inf")
        i = min(int(q * len(self._sorted)), len(self._sorted) - 1)
        return self._sorted[max(i, 0)]

    def __len__(self) -> int:
        return len(self._scores)


@dataclass(frozen=True)
class Decision:
    channel: Channel
    score: float  # 0-100
    model_score: float | None  # probability from the model, if one is active
    exploration: bool
    sps: bool  # quarantine (SPS) inspection required by a profile
    reasons: list[str]
    hits: list[Hit]
    contributions: list[dict[str, Any]]
    model_item: int | None = None  # the item whose model score is the declaration's
    sps_requirements: tuple[dict[str, Any], ...] = ()  # quarantine controls that apply
    prohibited: bool = False

    @property
    def forced(self) -> str:
        if self.exploration:
            return "red"
        effects = {h.profile.effect for h in self.hits}
        if Effect.RED in effects or self.prohibited:
            return "red"
        return "yellow" if Effect.YELLOW in effects else ""

    def as_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel.value,
            "score": round(self.score, 3),
            "model_score": None if self.model_score is None else round(self.model_score, 6),
            "exploration": self.exploration,
            "sps": self.sps,
            "reasons": self.reasons,
            "profiles": [h.as_json() for h in self.hits],
            "top_features": self.contributions,
            "model_item": self.model_item,
            "sps_requirements": list(self.sps_requirements),
        }


def decide(
    hits: list[Hit],
    model_score: float | None,
    contributions: list[dict[str, Any]],
    *,
    aeo: bool,
    aeo_source: str = "",
    budget: Budget,
    calibrator: Calibrator,
    draw: float,
    model_item: int | None = None,
    sps_requirements: Sequence[Any] = (),
) -> Decision:
    """The channel of one declaration. ``draw`` is a uniform random number in [0, 1)."""
    reasons: list[str] = []
    score = _score(hits, model_score, aeo, aeo_source, budget, reasons)
    effects = {h.profile.effect for h in hits}
    sps = Effect.SPS in effects or bool(sps_requirements)
    if Effect.SPS in effects:
        names = ", ".join(h.profile.name for h in hits if h.profile.effect is Effect.SPS)
        reasons.append(f"quarantine inspection required by {names}")
    reasons.extend(f"SPS requirement, {a.reason()}" for a in sps_requirements)
    for h in hits:
        if h.profile.effect is Effect.VERIFY:
            reasons.append(f"verification of origin of item {h.item_seq} asked by {h.profile.name}")
    prohibited = any(a.requirement.control.value == "prohibited" for a in sps_requirements)
    t_red, t_yellow, calibrated = calibrator.thresholds()
    channel, exploration = _channel(
        hits,
        score,
        prohibited=prohibited,
        draw=draw,
        budget=budget,
        thresholds=(t_red, t_yellow),
        reasons=reasons,
    )
    if channel is Channel.YELLOW and aeo and Effect.YELLOW not in effects:
        channel = Channel.BLUE
        reasons.append("AEO: documentary check replaced by post-clearance audit")
    if not calibrated:
        reasons.append("thresholds not yet calibrated (fewer than 100 recent declarations)")
    decision = Decision(
        channel,
        score,
        model_score,
        exploration,
        sps,
        reasons,
        hits,
        contributions,
        model_item,
        tuple(a.as_json() for a in sps_requirements),
        prohibited,
    )
    calibrator.observe(score, decision.forced)
    return decision


def _score(
    hits: list[Hit],
    model_score: float | None,
    aeo: bool,
    aeo_source: str,
    budget: Budget,
    reasons: list[str],
) -> float:
    """The risk score (0 to 100): the model's, plus profile points, discounted for AEOs."""
    score = 0.0
    if model_score is not None:
        score = model_score * 100
        reasons.append(f"model score {score:.1f}")
    for hit in hits:
        if hit.profile.effect is Effect.SCORE:
            score += float(hit.profile.points)
            reasons.append(
                f"profile {hit.profile.name} (+{hit.profile.points}) on item {hit.item_seq}"
            )
    if aeo:
        score *= budget.aeo_factor
        reasons.append(f"AEO{aeo_source}: score x {budget.aeo_factor}")
    return min(score, 100.0)


def _channel(
    hits: list[Hit],
    score: float,
    *,
    prohibited: bool,
    draw: float,
    budget: Budget,
    thresholds: tuple[float, float],
    reasons: list[str],
) -> tuple[Channel, bool]:
    """The channel before the AEO easement, and whether it was drawn at random.

    In order of precedence: prohibited goods, a red profile, exploration, the
    red threshold, a yellow profile, the yellow threshold.
    """
    effects = {h.profile.effect for h in hits}
    t_red, t_yellow = thresholds
    if prohibited:
        reasons.append("goods prohibited by an SPS requirement")
        return Channel.RED, False
    if Effect.RED in effects:
        names = ", ".join(h.profile.name for h in hits if h.profile.effect is Effect.RED)
        reasons.append(f"red forced by {names}")
        return Channel.RED, False
    if draw < budget.exploration:
        reasons.append("selected at random (exploration)")
        return Channel.RED, True
    if score > 0 and score > t_red:
        reasons.append(f"score {score:.1f} above the red threshold {t_red:.1f}")
        return Channel.RED, False
    if Effect.YELLOW in effects:
        names = ", ".join(h.profile.name for h in hits if h.profile.effect is Effect.YELLOW)
        reasons.append(f"yellow forced by {names}")
        return Channel.YELLOW, False
    if score > 0 and score > t_yellow:
        reasons.append(f"score {score:.1f} above the yellow threshold {t_yellow:.1f}")
        return Channel.YELLOW, False
    return Channel.GREEN, False
