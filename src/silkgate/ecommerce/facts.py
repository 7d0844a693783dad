"""The risk profiles over parcels: each goods line of a parcel as item facts.

The analysts' profiles are written over the declaration's vocabulary
(``risk/facts.py``); a parcel fills the facts it has (the goods line's HS code,
origin, description, value, quantity; the parcel's agent, currency, value and
tax) and leaves the rest absent, so a profile about something a parcel does not
carry never selects it. ``declaration.procedure`` is ``9610`` and
``declaration.declarant_role`` is ``platform``, so a profile can aim at parcels
alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from silkgate.ecommerce.clearance import Outcome
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
