"""Overdue movements: when the office of departure opens an enquiry, and when an unanswered
enquiry turns into recovery.

As in NCTS, a movement whose end is not proven (no arrival, or no control
results) by its time limit plus a grace period is put under **enquiry**: the
departure asks the office of destination (IE142) and tells the holder, who
sees it among its movements. The destination answers (IE143) with what it
knows. If the answer does not prove the end of the movement by the deadline,
customs **recovers** the duties: the amount reserved on the guarantee is kept
(a debt the guarantee pays) instead of being freed, and the movement ends as
not discharged. Control results found unsatisfactory open the enquiry at once.

The periods here are the node's defaults (NCTS leaves them to each
administration; the EU gives the holder and the destination 28 days to
answer).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from silkgate.transit.states import Status

# The statuses of a movement whose end is not yet proven at departure. ``under_control`` at
# departure means satisfactory results that wait on the departure's own officer (a
# diversion to accept): no enquiry is sent for that.
UNPROVEN = (Status.RELEASED.value, Status.EN_ROUTE.value, Status.ARRIVED.value)


@dataclass(frozen=True)
class EnquiryTerms:
    """How long past the time limit the departure waits before the enquiry, and how long the
    enquiry waits for an answer before recovery."""

    grace_days: int = 7
    answer_days: int = 28

    def opens_before(self, today: dt.date) -> dt.date:
        """A movement whose time limit is before this date is overdue for an enquiry."""
        return today - dt.timedelta(days=self.grace_days)

    def answer_due(self, opened_at: dt.datetime) -> dt.datetime:
        return opened_at + dt.timedelta(days=self.answer_days)


def proves_the_end(arrived: bool, control_result: str | None) -> bool:
    """Whether an answer to the enquiry ends the movement: the goods arrived and their control
    results were satisfactory."""
    return arrived and control_result == "satisfactory"
