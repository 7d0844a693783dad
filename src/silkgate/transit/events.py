"""What happens to a transit movement, as events of the unit of work that does it.

Each step leaves a journal note (the movement's MRN, the status before and
after, why) and may carry the messages the step sends to the other nodes on
the itinerary. The exchange reacts to every :class:`TransitStep` in the same
transaction (``handlers.register_handlers``): those messages go into the
outbox, so a message exists exactly when the step that causes it committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from silkgate.kernel.events import Event, JournalNote

# (partner administration, message kind, payload)
Outgoing = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class TransitStep(Event):
    """A step of a movement on this node: lodged, released, crossed, arrived, ..."""

    mrn: str
    step: str  # lodged | accepted | released | crossed | arrived | diverted | ...
    from_status: str | None
    to_status: str | None
    reason: str | None = None
    outgoing: tuple[Outgoing, ...] = field(default=(), repr=False, compare=False)

    def note(self) -> JournalNote:
        return JournalNote(
            at=self.at,
            actor=self.actor,
            event=f"transit_{self.step}"[:32],
            mrn=self.mrn,
            from_status=self.from_status,
            to_status=self.to_status,
            reason=self.reason,
        )
