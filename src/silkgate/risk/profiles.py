"""Risk profiles: an analyst's condition and what follows when a declaration meets it.

A profile is a condition over item facts (see :mod:`facts`) and an effect:

* ``score``: add points (0-100) to the declaration's risk score;
* ``yellow`` / ``red``: force at least that channel (documentary or physical control);
* ``sps``: require inspection by the quarantine (SPS) service;
* ``verify``: ask the issuer of the certificate of origin that the item's
  preference claim rests on to verify it (retroactive verification: the
  goods are not held for it; the preference is withdrawn if the issuer does
  not confirm, :mod:`silkgate.origin.services.verification`).

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

from silkgate.kernel.errors import FieldError, InvalidRequest
from silkgate.risk.expressions import Condition, ExpressionError, compile_condition
from silkgate.risk.facts import SCHEMA


class Effect(StrEnum):
    SCORE = "score"
    YELLOW = "yellow"
    RED = "red"
    SPS = "sps"
    VERIFY = "verify"  # the origin of the item's preference claim


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


def compile_rule(
    text: str, effect: Effect, points: Decimal | float | None
) -> tuple[Condition, Decimal]:
    """A profile's condition, compiled, and the points it adds (0 unless a score profile).

    :class:`InvalidRequest` names a condition with a syntax or type error (with
    its position) and a score profile without points, together.
    """
    errors: list[FieldError] = []
    condition = None
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
    if effect is Effect.SCORE and points is None:
        errors.append(FieldError("/points", "invalid", "a score profile adds 0 < points <= 100"))
    if errors:
        raise InvalidRequest(errors)
    assert condition is not None
    return condition, Decimal(str(points)) if effect is Effect.SCORE else Decimal(0)


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
