"""What each reader of a declaration is shown of its journal and of its versions.

The journal keeps every reason verbatim: it is the record, hash-chained. Read
back, a declarant learns what happened to its goods and an SPS inspector what
the quarantine side needs, but neither reads customs' risk intelligence
(profiles, scores, control outcomes, partners' export data), and a declarant
does not read officers' internal notes on their findings. Those parts are cut
here, on reading, by the entry's event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from silkgate.declarations.aggregate import QUARANTINE_HOLD
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.events import public_part

Reducer = Callable[[str], str | None]


def channel_shown(reason: str) -> str:
    """The channel a reason names first ("red: ..." -> "red"), not why it was chosen; and
    when the quarantine service holds the goods, the published SPS requirements that do.

    The part before the first colon is the channel's and the hold's
    (:meth:`~silkgate.declarations.aggregate.Selection.reason` writes it so).
    """
    head = reason.split(":", 1)[0]
    channel = head.split(" ", 1)[0].rstrip(";")
    held = head.find(QUARANTINE_HOLD)
    return channel if held < 0 else f"{channel}; {head[held:]}"


def _withheld(reason: str) -> None:
    return None


def _correction(reason: str) -> str:
    """A correction's version: that it followed an inspection finding, not the note (also in
    versions made before notes were set apart: "inspection finding: <note>")."""
    return public_part(reason).split(":", 1)[0]


@dataclass(frozen=True)
class JournalView:
    """The entries a reader is not shown (``hidden``) and the reasons it is shown in part;
    ``versions``: the same for the reasons of versions, by the event that made them."""

    hidden: frozenset[str] = frozenset()
    reasons: Mapping[str, Reducer] = field(default_factory=lambda: MappingProxyType({}))
    versions: Mapping[str, Reducer] = field(default_factory=lambda: MappingProxyType({}))

    def shows(self, event: str) -> bool:
        return event not in self.hidden

    def reason(self, event: str, reason: str | None) -> str | None:
        """The reason of an ``event`` entry as this reader is shown it."""
        reduce = self.reasons.get(event)
        if reduce is None or reason is None:
            return reason
        return reduce(reason)

    def version_reason(self, made_by: str | None, reason: str | None) -> str | None:
        """The reason of a version made by a ``made_by`` event, as this reader is shown it."""
        reduce = self.versions.get(made_by or "")
        if reduce is None or reason is None:
            return reason
        return reduce(reason)


FULL = JournalView()

# A trader learns the channel, that a check was recorded and its result, what a
# correction changed; never the profiles, scores, outcomes or officers' notes.
DECLARANT = JournalView(
    hidden=frozenset({"advance_data", "partner_result", "origin_verification"}),
    reasons=MappingProxyType(
        {
            "channel": channel_shown,
            "outcome": _withheld,
            "outcome_corrected": _withheld,
            "inspection_check": public_part,
            "corrected": public_part,
        }
    ),
    versions=MappingProxyType({"corrected": _correction}),
)

# The quarantine service works the joint inspection (findings included) but
# reads no customs risk intelligence.
SPS_INSPECTOR = JournalView(
    hidden=frozenset({"advance_data", "origin_verification"}),
    reasons=MappingProxyType(
        {"channel": channel_shown, "outcome": _withheld, "outcome_corrected": _withheld}
    ),
)


def journal_view(principal: Principal) -> JournalView:
    """What ``principal`` is shown of a declaration's journal."""
    if principal.role is Role.DECLARANT:
        return DECLARANT
    if principal.role is Role.SPS_INSPECTOR:
        return SPS_INSPECTOR
    return FULL
