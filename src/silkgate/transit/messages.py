"""The payloads of the transit messages between nodes, named after their NCTS counterparts.

============================  ======  ==========================================
kind                          NCTS    from → to
============================  ======  ==========================================
``transit_record``            IE050   departure → each office of transit's node
``transit_arrival_record``    IE001   departure → the office of destination's node
``transit_crossing``          IE118   office of transit → departure
``transit_arrival``           IE006   office of destination → departure
``transit_control``           IE018   office of destination → departure
``transit_write_off``         IE045   departure → the other nodes on the itinerary
``transit_enquiry``           IE142   departure → the office of destination's node
``transit_enquiry_answer``    IE143   office of destination → departure
============================  ======  ==========================================

All travel under the ``transit`` agreement. Unknown fields are refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RECORD = "transit_record"
ARRIVAL_RECORD = "transit_arrival_record"
CROSSING = "transit_crossing"
ARRIVAL = "transit_arrival"
CONTROL = "transit_control"
WRITE_OFF = "transit_write_off"
ENQUIRY = "transit_enquiry"
INCIDENT = "transit_incident"
ENQUIRY_ANSWER = "transit_enquiry_answer"
KINDS = (
    RECORD, ARRIVAL_RECORD, CROSSING, ARRIVAL, CONTROL, WRITE_OFF, ENQUIRY, ENQUIRY_ANSWER,
    INCIDENT,
)  # fmt: skip
AGREEMENT = "transit"

Mrn = Annotated[str, Field(pattern=r"^[0-9]{2}[A-Z]{2}T[0-9A-Z]{13}$")]
Office = Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")]
Note = Annotated[str, Field(max_length=500)]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MovementRecord(_Closed):
    """IE050 / IE001: the movement as released, for the offices that will see it."""

    mrn: Mrn
    declaration: dict[str, Any]  # the transit declaration, as lodged
    released_at: dt.datetime
    channel: str = Field(max_length=8)


class CrossingNotice(_Closed):
    """IE118: the goods crossed into this node's country at ``office``."""

    mrn: Mrn
    office: Office
    at: dt.datetime
    seals_intact: bool = True
    note: Note | None = None


class ArrivalAdvice(_Closed):
    """IE006: the goods presented at ``office``; ``diverted`` when not the declared one."""

    mrn: Mrn
    office: Office
    at: dt.datetime
    diverted: bool = False
    note: Note | None = None


class ControlResult(_Closed):
    """IE018: the destination's control results."""

    mrn: Mrn
    office: Office
    at: dt.datetime
    result: Literal["satisfactory", "unsatisfactory"]
    seals_intact: bool = True
    examined: bool = False
    note: Note | None = None


class IncidentNotice(_Closed):
    """IE180: an incident recorded at ``office`` (the ``number``-th at its node), with the
    seals now on the goods and the new means of transport, if they changed."""

    mrn: Mrn
    office: Office
    at: dt.datetime
    number: int = Field(ge=1, le=99)
    kind: Literal["seals_broken", "transhipment", "accident"]
    note: Note
    new_seals: list[Annotated[str, Field(pattern=r"^[0-9A-Z-]{1,20}$")]] = Field(max_length=99)
    transport: dict[str, str] | None = None


class WriteOff(_Closed):
    """IE045: the movement discharged at departure (or ended otherwise)."""

    mrn: Mrn
    at: dt.datetime
    status: Literal["discharged", "recovered"]


class Enquiry(_Closed):
    """IE142: the departure asks whether the goods arrived."""

    mrn: Mrn
    at: dt.datetime
    reason: Note


class EnquiryAnswer(_Closed):
    """IE143: what the destination knows of the movement: whether the goods arrived, where
    and when, and the control results if any."""

    mrn: Mrn
    at: dt.datetime
    arrived: bool
    office: Office | None = None
    arrived_at: dt.datetime | None = None
    control_result: Literal["satisfactory", "unsatisfactory"] | None = None
    note: Note | None = None


MODELS: dict[str, type[BaseModel]] = {
    RECORD: MovementRecord,
    ARRIVAL_RECORD: MovementRecord,
    CROSSING: CrossingNotice,
    ARRIVAL: ArrivalAdvice,
    CONTROL: ControlResult,
    WRITE_OFF: WriteOff,
    ENQUIRY: Enquiry,
    ENQUIRY_ANSWER: EnquiryAnswer,
    INCIDENT: IncidentNotice,
}
