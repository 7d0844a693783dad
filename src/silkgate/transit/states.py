"""The transit movement's lifecycle as an explicit transition table.

::

    lodged ─accept─▶ accepted ─release─▶ released ─cross─▶ en_route ─arrive─▶ arrived
      │                 │                   │                 │                  │
      └─cancel──────────┴─▶ cancelled       └──────arrive─────┴──────────────────┤
                                                                                 ▼
    discharged ◀─discharge─ under_control ◀─control─ arrived          (at destination)
        ▲                        │
        └──discharge── enquiry ◀─┴─enquire (unsatisfactory results, overdue) ─recover─▶ recovered

Every node on the itinerary keeps its own copy of a movement and moves it by
the same table: the departure's copy from the messages of the offices of
transit and destination, theirs from what their officers record and from
the departure's write-off. Messages from different nodes travel separately,
so a step may be learnt after a later one (a crossing after the arrival):
it is then recorded without moving the status back (``None`` below).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    LODGED = "lodged"
    ACCEPTED = "accepted"
    RELEASED = "released"  # released for transit (at the other nodes: the record anticipated)
    EN_ROUTE = "en_route"  # crossing frontiers: at least one office of transit passed
    ARRIVED = "arrived"  # presented at the office of destination (or another: a diversion)
    UNDER_CONTROL = "under_control"  # the destination's control under way or its results sent
    DISCHARGED = "discharged"  # written off at departure; the guarantee freed
    ENQUIRY = "enquiry"  # the end is not proven: enquiry to the holder and destination
    RECOVERED = "recovered"  # not discharged: the duty recovered from the guarantee
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL


FINAL = frozenset({Status.DISCHARGED, Status.RECOVERED, Status.CANCELLED})
ON_THE_ROAD = frozenset({Status.RELEASED, Status.EN_ROUTE})
AFTER_RELEASE = frozenset(
    {Status.RELEASED, Status.EN_ROUTE, Status.ARRIVED, Status.UNDER_CONTROL, Status.ENQUIRY}
)


class Action(StrEnum):
    ACCEPT = "accept"
    RELEASE = "release"
    CROSS = "cross"  # an office of transit records the crossing (NCTS IE118)
    ARRIVE = "arrive"  # the office of destination records the arrival (IE006)
    CONTROL = "control"  # the destination's control results (IE018)
    DISCHARGE = "discharge"  # the write-off at departure (IE045)
    ENQUIRE = "enquire"  # the end not proven (IE142)
    RECOVER = "recover"
    CANCEL = "cancel"


# Action -> (the statuses it may start from, the status it leads to).
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.ACCEPT: (frozenset({Status.LODGED}), Status.ACCEPTED),
    Action.RELEASE: (frozenset({Status.ACCEPTED}), Status.RELEASED),
    Action.CROSS: (ON_THE_ROAD, Status.EN_ROUTE),
    Action.ARRIVE: (ON_THE_ROAD, Status.ARRIVED),
    Action.CONTROL: (ON_THE_ROAD | {Status.ARRIVED}, Status.UNDER_CONTROL),
    Action.DISCHARGE: (AFTER_RELEASE, Status.DISCHARGED),
    Action.ENQUIRE: (AFTER_RELEASE - {Status.ENQUIRY}, Status.ENQUIRY),
    Action.RECOVER: (frozenset({Status.ENQUIRY}), Status.RECOVERED),
    Action.CANCEL: (frozenset({Status.LODGED, Status.ACCEPTED}), Status.CANCELLED),
}

# A step learnt late (its message overtaken by a later one's): recorded, the status kept.
LATE: dict[Action, frozenset[Status]] = {
    Action.CROSS: frozenset({Status.ARRIVED, Status.UNDER_CONTROL, Status.ENQUIRY}),
    Action.ARRIVE: frozenset({Status.UNDER_CONTROL, Status.ENQUIRY}),
}


class TransitionRefused(ValueError):
    """The action is not possible from the movement's status."""

    def __init__(self, action: Action, status: Status) -> None:
        super().__init__(f"a movement {status.value} cannot be {_PAST[action]}")
        self.action, self.status = action, status


_PAST = {
    Action.ACCEPT: "accepted",
    Action.RELEASE: "released",
    Action.CROSS: "recorded crossing a frontier",
    Action.ARRIVE: "recorded as arrived",
    Action.CONTROL: "given control results",
    Action.DISCHARGE: "discharged",
    Action.ENQUIRE: "put under enquiry",
    Action.RECOVER: "recovered",
    Action.CANCEL: "cancelled",
}


def next_status(status: Status, action: Action) -> Status | None:
    """The status ``action`` leads to from ``status``; None: recorded late, the status kept.

    :class:`TransitionRefused` when the table does not allow it.
    """
    allowed, to = TRANSITIONS[action]
    if status in allowed:
        return to
    if status in LATE.get(action, frozenset()):
        return None
    raise TransitionRefused(action, status)
