"""The declaration lifecycle as an explicit state machine.

::

    lodged ──control──▶ under_control ──release──▶ released
      │  ╲                 │     ▲
      │   ╲──hold──▶ held ─┘     │ (resume)
      │                  │
      └─ reject / cancel ┴──▶ rejected / cancelled

Later stages (assessment, risk, inspection) insert states between ``lodged``
and ``released``; they only add rows to ``TRANSITIONS``.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    LODGED = "lodged"
    UNDER_CONTROL = "under_control"
    HELD = "held"
    RELEASED = "released"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL


FINAL = frozenset({Status.RELEASED, Status.REJECTED, Status.CANCELLED})


class Action(StrEnum):
    """What an actor can do to a lodged declaration."""

    AMEND = "amend"
    CONTROL = "control"  # an officer takes the declaration under control
    HOLD = "hold"
    RESUME = "resume"  # back under control after a hold is lifted
    RELEASE = "release"
    REJECT = "reject"
    CANCEL = "cancel"


# The officer's decisions; a declarant may only amend and cancel.
OFFICER_ACTIONS = frozenset(
    {Action.CONTROL, Action.HOLD, Action.RESUME, Action.RELEASE, Action.REJECT}
)
# A hold, a rejection or a cancellation must say why: the trader and the auditor read it.
REASON_REQUIRED = frozenset({Action.HOLD, Action.REJECT, Action.CANCEL})

_OPEN = (Status.LODGED, Status.UNDER_CONTROL, Status.HELD)

TRANSITIONS: dict[tuple[Status, Action], Status] = {
    **{(s, Action.AMEND): Status.LODGED for s in _OPEN},
    (Status.LODGED, Action.CONTROL): Status.UNDER_CONTROL,
    (Status.LODGED, Action.HOLD): Status.HELD,
    (Status.UNDER_CONTROL, Action.HOLD): Status.HELD,
    (Status.HELD, Action.RESUME): Status.UNDER_CONTROL,
    **{(s, Action.RELEASE): Status.RELEASED for s in (Status.LODGED, Status.UNDER_CONTROL)},
    **{(s, Action.REJECT): Status.REJECTED for s in _OPEN},
    **{(s, Action.CANCEL): Status.CANCELLED for s in _OPEN},
}


class IllegalTransition(Exception):
    """``action`` is not allowed while the declaration is in ``status``."""

    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(status, action)
        self.status = status
        self.action = action

    def __str__(self) -> str:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is self.status)
        if self.status.is_final:
            return f"the declaration is {self.status.value}; no further action is possible"
        if self.status is Status.HELD and self.action is Action.RELEASE:
            return "the declaration is held; lift the hold (resume) before releasing it"
        return (
            f"cannot {self.action.value} a declaration that is {self.status.value}; "
            f"allowed: {', '.join(allowed)}"
        )


def next_status(status: Status, action: Action) -> Status:
    """The status after ``action``, or :class:`IllegalTransition`."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None


def allowed_actions(status: Status) -> list[Action]:
    return [a for (s, a) in TRANSITIONS if s is status]
