"""Risk at the office of departure: which movements the officer must look at before release.

Sensitive goods (those NCTS lists for a higher guarantee and a binding
itinerary: spirits, tobacco, fuels; the list here is ILLUSTRATIVE) go to the
red channel: the officer checks the seals before releasing, and the
itinerary is binding (an arrival elsewhere is a diversion the departure must
accept). Goods without seals go to yellow: the officer checks the load. The
rest is green.
"""

from __future__ import annotations

from dataclasses import dataclass

from silkgate.transit.document import TransitDeclaration

# HS prefixes of sensitive goods (illustrative).
SENSITIVE = ("2203", "2204", "2208", "2402", "2403", "2710")


@dataclass(frozen=True)
class Selection:
    channel: str  # green | yellow | red
    reasons: tuple[str, ...]

    @property
    def seal_check(self) -> bool:
        return self.channel != "green"


def select(declaration: TransitDeclaration) -> Selection:
    reasons = [
        f"goods {g.hs_code} are sensitive: seal check, binding itinerary"
        for g in declaration.goods
        if g.hs_code.startswith(SENSITIVE)
    ]
    if reasons:
        return Selection("red", tuple(dict.fromkeys(reasons)))
    if not declaration.seals:
        return Selection("yellow", ("no seals: the officer checks the load",))
    return Selection("green", ())
