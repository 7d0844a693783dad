"""Risk profiles: an analyst's condition and what follows when a declaration meets it.

A profile is a condition over item facts (see :mod:`facts`) and an effect:

* ``score``: add points (0-100) to the declaration's risk score;
* ``yellow`` / ``red``: force at least that channel (documentary or physical control);
* ``sps``: require inspection by the quarantine (SPS) service.

Profiles are versioned (a change is a new version of the same name; earlier
versions are kept for audit) and valid over dates. A profile with a syntax or
type error is refused, with the position of the error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from silkgate.kernel.errors import FieldError
from silkgate.risk.expressions import Condition, ExpressionError, compile_condition
from silkgate.risk.facts import SCHEMA


class Effect(StrEnum):
    SCORE = "score"
    YELLOW = "yellow"
    RED = "red"
    SPS = "sps"


@dataclass(frozen=True)
class Profile:
    id: int
    name: str
    version: int
    condition: Condition
    effect: Effect
    points: Decimal  # for Effect.SCORE
    valid_from: dt.date
    valid_to: dt.date | None
    description: str = ""

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


@dataclass(frozen=True)
class Hit:
    """A profile a declaration met, and on which item."""

    profile: Profile
    item_seq: int

    def as_json(self) -> dict[str, Any]:
        p = self.profile
        return {
            "profile": p.name,
            "version": p.version,
            "effect": p.effect.value,
            "points": format(p.points, "f") if p.effect is Effect.SCORE else None,
            "item": self.item_seq,
        }


def _effect(value: Any) -> Effect | None:
    """The effect ``value`` names; None if it names none."""
    try:
        return Effect(value)
    except ValueError:
        return None


def check(raw: dict[str, Any]) -> tuple[Condition, Effect, Decimal, dt.date, dt.date | None]:
    """Validate a profile definition; :class:`InvalidRequest` listing every error."""
    from silkgate.kernel.errors import InvalidRequest

    errors: list[FieldError] = []
    condition = None
    text = raw.get("condition")
    if not isinstance(text, str) or not text.strip():
        errors.append(FieldError("/condition", "missing", "is required"))
    else:
        try:
            condition = compile_condition(text, SCHEMA)
        except ExpressionError as exc:
            errors.append(
                FieldError(
                    "/condition",
                    "invalid_expression",
                    f"{exc.message} at position {exc.position}: "
                    f"{text[: exc.position]}⟨here⟩{text[exc.position :]}",
                )
            )
    effect = _effect(raw.get("effect"))
    if effect is None:
        errors.append(
            FieldError("/effect", "invalid", f"must be one of {', '.join(e.value for e in Effect)}")
        )
    points = Decimal(0)
    if effect is Effect.SCORE:
        try:
            points = Decimal(str(raw.get("points")))
            if not points.is_finite() or not 0 < points <= 100:
                raise ValueError
        except (ValueError, ArithmeticError):
            errors.append(
                FieldError("/points", "invalid", "a score profile adds 0 < points <= 100")
            )
    dates: list[dt.date | None] = []
    for name in ("valid_from", "valid_to"):
        value = raw.get(name)
        try:
            dates.append(dt.date.fromisoformat(value) if value else None)
        except (TypeError, ValueError):
            dates.append(None)
            errors.append(FieldError(f"/{name}", "invalid", "must be a date (YYYY-MM-DD)"))
    valid_from, valid_to = dates
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(FieldError("/valid_to", "before_start", "is before valid_from"))
    if errors:
        raise InvalidRequest(errors)
    assert condition is not None and effect is not None
    return condition, effect, points, valid_from or dt.date.min, valid_to


def evaluate(profiles: Iterable[Profile], facts: list[dict[str, Any]], on: dt.date) -> list[Hit]:
    """The profiles met by any item (one hit per profile: the first item that meets it)."""
    hits = []
    for profile in profiles:
        if not profile.in_force(on):
            continue
        for item in facts:
            if profile.condition(item):
                hits.append(Hit(profile, int(item["item.seq"])))
                break
    return hits
