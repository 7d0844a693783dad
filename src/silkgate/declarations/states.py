"""The declaration lifecycle as an explicit state machine.

::

    lodged ──control──▶ under_control ──release──▶ released
      │  ╲                 │     ▲   ╲
      │   ╲──hold──▶ held ─┘     │    ╲─conditional_release─▶ conditionally_released ─release─▶
      │                  │  (resume)
      └─ reject / cancel ┴──▶ rejected / cancelled
    lodged, under_control, held ──request_information──▶ awaiting_information ──resume──▶
                                                         under_control (or reject / cancel)
    under_control, held, conditionally_released ──return / destroy / seize──▶
                                                        returned / destroyed / seized

Selectivity sends red and yellow declarations (and goods held for
quarantine) straight to ``under_control``; release also needs the duties
secured and the joint inspection complete (see ``service.py``).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    LODGED = "lodged"
    UNDER_CONTROL = "under_control"
    HELD = "held"
    CONDITIONALLY_RELEASED = "conditionally_released"  # goods out, a condition pending
    RELEASED = "released"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    RETURNED = "returned"  # entry refused: the goods go back (re-exported)
    DESTROYED = "destroyed"  # destroyed under customs or quarantine supervision
    SEIZED = "seized"  # seized; an enforcement case is opened
    # An officer asked the trader a question: the declaration waits for the answer, and
    # for the officer to resume once it is given.
    AWAITING_INFORMATION = "awaiting_information"

    @property
    def is_final(self) -> bool:
        return self in FINAL


FINAL = frozenset(
    {
        Status.RELEASED,
        Status.REJECTED,
        Status.CANCELLED,
        Status.RETURNED,
        Status.DESTROYED,
        Status.SEIZED,
    }
)


class Action(StrEnum):
    """What an actor can do to a lodged declaration."""

    AMEND = "amend"
    CONTROL = "control"  # an officer takes the declaration under control
    HOLD = "hold"
    RESUME = "resume"  # back under control after a hold is lifted
    RELEASE = "release"
    CONDITIONAL_RELEASE = "conditional_release"  # release now; the reason states the condition
    REJECT = "reject"
    CANCEL = "cancel"
    RETURN = "return"
    DESTROY = "destroy"
    SEIZE = "seize"
    REQUEST_INFORMATION = "request_information"  # ask the trader; the declaration waits


# The officer's decisions; a declarant may only amend and cancel.
OFFICER_ACTIONS = frozenset(
    {
        Action.CONTROL,
        Action.HOLD,
        Action.RESUME,
        Action.RELEASE,
        Action.CONDITIONAL_RELEASE,
        Action.REJECT,
        Action.RETURN,
        Action.DESTROY,
        Action.SEIZE,
        Action.REQUEST_INFORMATION,
    }
)
# These must say why (or on what condition): the trader and the auditor read it.
REASON_REQUIRED = frozenset(
    {
        Action.HOLD,
        Action.REJECT,
        Action.CANCEL,
        Action.CONDITIONAL_RELEASE,
        Action.RETURN,
        Action.DESTROY,
        Action.SEIZE,
        Action.REQUEST_INFORMATION,  # the reason is the question
    }
)
# Decisions on goods found wanting: refused entry, destroyed, or seized.
_GOODS_HELD = (Status.UNDER_CONTROL, Status.HELD, Status.CONDITIONALLY_RELEASED)

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
    **{
        (s, Action.CONDITIONAL_RELEASE): Status.CONDITIONALLY_RELEASED
        for s in (Status.LODGED, Status.UNDER_CONTROL)
    },
    (Status.CONDITIONALLY_RELEASED, Action.RELEASE): Status.RELEASED,
    **{(s, Action.RETURN): Status.RETURNED for s in _GOODS_HELD},
    **{(s, Action.DESTROY): Status.DESTROYED for s in _GOODS_HELD},
    **{(s, Action.SEIZE): Status.SEIZED for s in _GOODS_HELD},
    **{(s, Action.REQUEST_INFORMATION): Status.AWAITING_INFORMATION for s in _OPEN},
    (Status.AWAITING_INFORMATION, Action.RESUME): Status.UNDER_CONTROL,
    (Status.AWAITING_INFORMATION, Action.REJECT): Status.REJECTED,
    (Status.AWAITING_INFORMATION, Action.CANCEL): Status.CANCELLED,
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
