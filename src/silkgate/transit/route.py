"""The itinerary drawn as a route diagram: the offices in the order passed, which the goods
have passed, where they are, and where something happened.

A pure layout (positions and states) the console renders as SVG on the
server; nothing is computed in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STEP_X = 170  # the distance between two offices on the diagram
MARGIN = 70


@dataclass(frozen=True)
class Stop:
    code: str
    role: str  # departure | transit | destination | diversion
    name: str
    state: str  # passed | here | ahead | skipped
    x: int
    incident: bool = False


@dataclass(frozen=True)
class Diagram:
    stops: tuple[Stop, ...]
    width: int

    @property
    def legs(self) -> list[tuple[int, int, str]]:
        """Each leg between two stops: from x, to x, and passed or ahead."""
        return [
            (a.x, b.x, "passed" if b.state in ("passed", "here") else "ahead")
            for a, b in zip(self.stops, self.stops[1:], strict=False)
        ]


def diagram(movement: dict[str, Any], names: dict[str, str]) -> Diagram:
    """The route of ``movement`` (as the services show it, with its steps)."""
    it = movement["itinerary"]
    steps = movement.get("steps") or []
    seen = {s["office"] for s in steps if s["step"] in ("crossed", "arrived") and s["office"]}
    incidents = {s["office"] for s in steps if s["step"].startswith("incident") and s["office"]}
    arrival = movement.get("arrival_office")
    released = movement["status"] not in ("lodged", "accepted", "cancelled")

    plan = [(it["departure"], "departure")] + [(c, "transit") for c in it["transit"]]
    plan.append((it["destination"], "destination"))
    if arrival and arrival not in (c for c, _ in plan):
        plan.append((arrival, "diversion"))
    passed = [c for c, role in plan if c in seen or (role == "departure" and released)]
    here = arrival or (passed[-1] if passed else None)
    states = [
        "here" if code == here
        else "passed" if code in passed
        else "skipped" if role == "destination" and arrival  # the goods went elsewhere
        else "ahead"
        for code, role in plan
    ]  # fmt: skip
    stops = tuple(
        Stop(code, role, names.get(code, code), state, MARGIN + i * STEP_X, code in incidents)
        for i, ((code, role), state) in enumerate(zip(plan, states, strict=True))
    )
    return Diagram(stops, 2 * MARGIN + (len(stops) - 1) * STEP_X)
