"""The transit movement as one aggregate: its status changes only by the transition table,
and every change is an event (:class:`~silkgate.transit.events.TransitStep`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from silkgate.transit.events import Outgoing, TransitStep
from silkgate.transit.states import Action, Status, next_status

# The part a node plays in a movement: it declared it, or an office of it is on the route.
DEPARTURE, TRANSIT, DESTINATION = "departure", "transit", "destination"


@dataclass
class Movement:
    """One node's copy of a movement (``role`` says which part the node plays)."""

    mrn: str
    role: str
    status: Status
    _events: list[TransitStep] = field(default_factory=list)

    def lodge(self, at: dt.datetime, actor: str) -> None:
        """Lodged, then accepted (the declaration passed its checks in the same use case)."""
        self._events.append(TransitStep(
            at=at, actor=actor, mrn=self.mrn, step="lodged", from_status=None,
            to_status=Status.LODGED.value,
        ))  # fmt: skip
        self.act(Action.ACCEPT, at=at, actor=actor, step="accepted")

    def act(
        self,
        action: Action,
        *,
        at: dt.datetime,
        actor: str,
        step: str,
        reason: str | None = None,
        outgoing: tuple[Outgoing, ...] = (),
    ) -> bool:
        """Do ``action`` (:class:`TransitionRefused` when the table forbids it); False when the
        step was recorded late and the status kept."""
        before = self.status
        after = next_status(before, action)
        if after is not None:
            self.status = after
        self._events.append(TransitStep(
            at=at, actor=actor, mrn=self.mrn, step=step, from_status=before.value,
            to_status=(after or before).value, reason=reason, outgoing=outgoing,
        ))  # fmt: skip
        return after is not None

    def record(
        self,
        *,
        at: dt.datetime,
        actor: str,
        step: str,
        reason: str | None = None,
        outgoing: tuple[Outgoing, ...] = (),
    ) -> None:
        """A fact about the movement that changes no status (a diversion accepted)."""
        self._events.append(TransitStep(
            at=at, actor=actor, mrn=self.mrn, step=step, from_status=self.status.value,
            to_status=self.status.value, reason=reason, outgoing=outgoing,
        ))  # fmt: skip

    def take_events(self) -> list[TransitStep]:
        events, self._events = self._events, []
        return events
