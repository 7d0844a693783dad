"""The declaration as an aggregate: every change of status or channel goes through it.

Each method checks the transition table (``states.py``) and the facts the
caller gathered (what is still unpaid, what blocks release), changes the
declaration in memory and records domain events (``events.py``). The
repository (``store/declarations.py``) is the only code that writes a status;
the unit of work journals the events and runs their handlers.

There is one release path, :meth:`Declaration._release`, taken at lodging
(nothing due), on payment (green or blue, now secured) and on an officer's
decision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from silkgate.declarations import events as ev
from silkgate.declarations.states import Action, Status, next_status
from silkgate.kernel.actors import SYSTEM
from silkgate.kernel.errors import Conflict, Unpaid
from silkgate.kernel.events import Event

# From the kindest channel to the strictest: an amendment or a signal never makes it kinder.
STRICTNESS = ("green", "blue", "yellow", "red")
CONTROLLED = frozenset({"yellow", "red"})
RELEASED_AT_ONCE = frozenset({"green", "blue"})


@dataclass(frozen=True)
class DeclarationState:
    """A declaration's columns as stored (the repository reads and writes these)."""

    id: int
    mrn: str
    type: str
    status: str
    version: int
    office: str
    declarant_id: str
    lrn: str
    currency: str
    invoice_amount: Any
    item_count: int
    arrival_date: dt.date | None
    lodged_at: dt.datetime
    updated_at: dt.datetime
    channel: str | None = None


@dataclass(frozen=True)
class Selection:
    """What selectivity decided, as far as the declaration's lifecycle is concerned."""

    channel: str
    reasons: tuple[str, ...] = ()
    # Quarantine requirements that apply (the joint inspection's SPS checks).
    sps_requirements: tuple[dict[str, Any], ...] = ()
    # The quarantine service inspects the goods: they are held whatever the channel.
    quarantine: bool = False
    # (item, why): items whose preference claim's proof of origin is to be verified.
    verify_origin: tuple[tuple[int, str], ...] = ()

    def reason(self, channel: str | None = None) -> str:
        """The channel's journal entry: ``channel[; quarantine hold]: reasons``.

        What comes before the first colon every reader is shown (see
        :func:`~silkgate.declarations.disclosure.channel_shown`); the reasons after it
        are customs' risk intelligence.
        """
        because = "; ".join(self.reasons or ("no risk found",))
        shown = channel or self.channel
        head = shown
        if shown != self.channel:
            head = f"{shown} (kept from before the amendment; now {self.channel})"
        if self.quarantine:
            head += f"; {quarantine_hold(self.sps_requirements)}"
        return f"{head}: {because}"


QUARANTINE_HOLD = "held for quarantine inspection"


def quarantine_hold(requirements: tuple[dict[str, Any], ...]) -> str:
    """Why the quarantine service holds the goods: the SPS requirements, by item.

    The requirements are published data, so the trader may read them; the text
    has no colon, as the trader's part of the entry ends at the first one.
    """
    named = []
    for r in requirements:
        control = str(r.get("control", "")).replace("_", " ")
        document = f" {r['document']}" if r.get("document") else ""
        scope = f"HS {r.get('hs_prefix', '')}" + (f" from {r['origin']}" if r.get("origin") else "")
        named.append(f"item {r.get('item')} {control}{document} ({scope})".replace(":", " "))
    if not named:
        return QUARANTINE_HOLD
    return f"{QUARANTINE_HOLD} (SPS requirements {', '.join(named)})"


@dataclass(frozen=True)
class ReleaseFacts:
    """What the node knows, at the moment of a decision, that may stand in release's way."""

    unsecured: Decimal  # duties and taxes neither paid nor guaranteed
    currency: str
    blocked: str | None = None  # why another service holds the goods (an open inspection...)


def stricter(a: str | None, b: str | None) -> str | None:
    """The stricter of two channels (None is no channel)."""
    if a is None or b is None:
        return a or b
    return a if STRICTNESS.index(a) >= STRICTNESS.index(b) else b


class Declaration:
    """One declaration's lifecycle; methods return nothing, events are taken after storing."""

    def __init__(self, state: DeclarationState) -> None:
        self.state = state
        self.status = Status(state.status)
        self.channel = state.channel
        self.version = state.version
        self._raised: list[tuple[type[ev.DeclarationEvent], int, dict[str, Any]]] = []

    # -- reading -------------------------------------------------------------------------

    @property
    def changed(self) -> bool:
        """Whether status or channel differ from what is stored."""
        return self.status.value != self.state.status or self.channel != self.state.channel

    def stored(self, state: DeclarationState) -> None:
        """The repository wrote the declaration: ``state`` is what the database now holds."""
        self.state = state
        self.version = state.version

    def take_events(self) -> list[Event]:
        """The events raised since the last call, bound to the stored declaration."""
        s = self.state
        out: list[Event] = [
            kind(
                declaration_id=s.id, mrn=s.mrn, type=s.type, office=s.office, version=version, **kw
            )
            for kind, version, kw in self._raised
        ]
        self._raised.clear()
        return out

    def _raise(self, event_type: type[ev.DeclarationEvent], /, **kw: Any) -> None:
        self._raised.append((event_type, self.version, kw))

    def _move(self, action: Action) -> tuple[str, str]:
        before = self.status
        self.status = next_status(before, action)
        return before.value, self.status.value

    # -- lodging and selectivity ---------------------------------------------------------

    @classmethod
    def lodge(
        cls,
        draft: DeclarationState,
        *,
        actor: str,
        at: dt.datetime,
        document: Any,
        assessed: str,
        total_due: Decimal,
        selection: Selection | None,
    ) -> Declaration:
        """A new declaration (not yet stored): lodged, assessed, and routed by selectivity.

        Red and yellow (and goods held for quarantine) go under control; green
        and blue wait for their duties to be secured, and are released at once
        when nothing is due.
        """
        d = cls(dataclasses.replace(draft, status=Status.LODGED.value, channel=None, version=1))
        d._raise(ev.Lodged, at=at, actor=actor, to_status=Status.LODGED.value, document=document)
        d._raise(ev.Assessed, at=at, actor=SYSTEM, reason=assessed)
        if selection is not None:
            d.select(selection, at)
            if d.status is Status.LODGED and total_due <= 0:
                d._release(at, SYSTEM, f"{selection.channel} channel, nothing due", document)
        return d

    def select(self, selection: Selection, at: dt.datetime, *, kept: str | None = None) -> None:
        """Put the declaration in ``selection``'s channel (or the stricter ``kept`` one)."""
        channel = stricter(kept, selection.channel) or selection.channel
        self.channel = channel
        moves: tuple[str | None, str | None] = (None, None)
        if (channel in CONTROLLED or selection.quarantine) and self.status is Status.LODGED:
            moves = self._move(Action.CONTROL)
        self._raise(
            ev.ChannelAssigned,
            at=at,
            actor=SYSTEM,
            channel=channel,
            sps_requirements=selection.sps_requirements,
            verify_origin=selection.verify_origin,
            from_status=moves[0],
            to_status=moves[1],
            reason=selection.reason(channel)[:1000],
        )

    def escalate(self, channel: str, reason: str, at: dt.datetime) -> None:
        """A risk signal after lodging (a partner's data does not match): at least ``channel``.

        Goods not yet released go under control; the channel's journal entry is
        written only when the status changes (the signal has its own entry).
        """
        if self.status not in (Status.LODGED, Status.UNDER_CONTROL):
            return
        self.channel = stricter(self.channel or "green", channel)
        moves: tuple[str | None, str | None] = (None, None)
        if self.status is Status.LODGED:
            moves = self._move(Action.CONTROL)
        self._raise(
            ev.ChannelAssigned if moves[0] else _QuietChannel,
            at=at,
            actor=SYSTEM,
            channel=self.channel,
            from_status=moves[0],
            to_status=moves[1],
            reason=f"{self.channel}: {reason}"[:1000],
        )

    # -- changes by the declarant and the officers ----------------------------------------

    def amend(self, *, at: dt.datetime, actor: str, reason: str | None, document: Any) -> None:
        """A new version from the declarant; the goods go back to ``lodged`` for selection."""
        before, after = self._move(Action.AMEND)
        self.version += 1
        self._raise(
            ev.Amended,
            at=at,
            actor=actor,
            from_status=before,
            to_status=after,
            reason=reason,
            document=document,
        )

    def correct(self, *, at: dt.datetime, actor: str, reason: str) -> None:
        """An officer's correction after inspection: a new version, the status unchanged."""
        if self.status.is_final:
            raise Conflict(f"the declaration is {self.status.value}")
        self.version += 1
        self._raise(ev.Corrected, at=at, actor=actor, reason=reason)

    def withdraw_preference(self, *, at: dt.datetime, actor: str, reason: str) -> None:
        """A preference withdrawn after a verification of its proof of origin: a new version,
        assessed again, in any status (after release too: post-clearance recovery)."""
        self.version += 1
        self._raise(ev.PreferenceWithdrawn, at=at, actor=actor, reason=reason)

    def assessed(self, reason: str, at: dt.datetime) -> None:
        """Duties and taxes were assessed on the current version."""
        self._raise(ev.Assessed, at=at, actor=SYSTEM, reason=reason)

    def paid(self, *, kind: str, at: dt.datetime, actor: str, reason: str) -> None:
        """A payment or guarantee was recorded."""
        self._raise(ev.PaymentRecorded, at=at, actor=actor, kind=kind, reason=reason)

    def settle(self, unsecured: Decimal, at: dt.datetime) -> None:
        """Green or blue goods whose duties are now secured are released by the node itself."""
        if self.status is Status.LODGED and self.channel in RELEASED_AT_ONCE and unsecured <= 0:
            self._release(
                at, SYSTEM, f"{self.channel} channel, duties and taxes paid or guaranteed"
            )

    def decide(
        self,
        action: Action,
        *,
        at: dt.datetime,
        actor: str,
        reason: str | None,
        facts: ReleaseFacts | None = None,
    ) -> None:
        """An officer's decision, or a cancellation; release needs ``facts`` to allow it."""
        if action is Action.AMEND:
            raise ValueError("amend() amends")
        target = next_status(self.status, action)  # IllegalTransition first: it says most
        if action is Action.REQUEST_INFORMATION:
            self.request_information(at=at, actor=actor, question=reason or "", deadline=None)
            return
        if action in (Action.RELEASE, Action.CONDITIONAL_RELEASE):
            assert facts is not None, "release needs the facts that may stand in its way"
            if facts.blocked:
                raise Conflict(facts.blocked)
            if facts.unsecured > 0:
                raise Unpaid(
                    f"duties and taxes of {facts.unsecured} {facts.currency} are neither paid "
                    "nor guaranteed; record a payment or a guarantee before release"
                )
            self._release(at, actor, reason, conditional=action is Action.CONDITIONAL_RELEASE)
            return
        before = self.status.value
        self.status = target
        self._raise(
            ev.Decided,
            at=at,
            actor=actor,
            action=action.value,
            from_status=before,
            to_status=target.value,
            reason=reason,
        )

    def request_information(
        self, *, at: dt.datetime, actor: str, question: str, deadline: dt.date | None
    ) -> None:
        """An officer asks the trader ``question`` (by ``deadline``, if given): it waits."""
        before, after = self._move(Action.REQUEST_INFORMATION)
        self._raise(
            ev.InformationRequested,
            at=at,
            actor=actor,
            from_status=before,
            to_status=after,
            reason=question,
            deadline=deadline,
        )

    def provide_information(self, *, at: dt.datetime, actor: str, answer: str) -> None:
        """The trader answers the question it was asked; the officer resumes when satisfied."""
        if self.status is not Status.AWAITING_INFORMATION:
            raise Conflict(
                f"no question waits for an answer: the declaration is "
                f"{self.status.value.replace('_', ' ')}"
            )
        self._raise(ev.InformationProvided, at=at, actor=actor, reason=answer)

    def attach(self, *, at: dt.datetime, actor: str, document: dict[str, Any]) -> None:
        """A document was uploaded to the declaration (any status: a document may follow
        release, for a post-clearance audit)."""
        note = (
            f"{document['kind']} {document['filename']} ({document['media_type']}, "
            f"{document['size']} bytes, sha256 {document['sha256']})"
        )
        self._raise(ev.DocumentAttached, at=at, actor=actor, reason=note[:1000], **document)

    def _release(
        self,
        at: dt.datetime,
        actor: str,
        reason: str | None,
        document: Any = None,
        *,
        conditional: bool = False,
    ) -> None:
        """The one release path."""
        before, after = self._move(Action.CONDITIONAL_RELEASE if conditional else Action.RELEASE)
        self._raise(
            ev.Released,
            at=at,
            actor=actor,
            conditional=conditional,
            from_status=before,
            to_status=after,
            reason=reason,
            document=document,
        )


@dataclass(frozen=True, kw_only=True)
class _QuietChannel(ev.ChannelAssigned):
    """A stricter channel without a change of status: planned for, not journaled again."""

    def note(self) -> None:
        return None
