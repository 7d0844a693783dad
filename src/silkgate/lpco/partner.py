"""Partner LPCOs: an export licence or permit issued in a partner administration, as the
signed exchange carries it (message ``lpco``, agreement ``lpco``), pure.

The exporting node sends an LPCO of the export flow for a destination country
when it is issued and each time it changes (amended, suspended, reinstated,
revoked), as it then stands. The importing node keeps it under the number
``{administration}-{number}`` (``CN-CITES-2026-000001``), the number an import
declaration cites; it covers nothing until the agency here that the
requirements name accepts it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from silkgate.lpco.licence import Kind, Licence, Status, plain

NUMBER = r"^[A-Z][A-Z0-9]{1,9}-[0-9]{4}-[0-9]{6}$"  # the issuing node's: agency-year-sequence
Code = Field(pattern=r"^[A-Z][A-Z0-9]{1,9}$")


class PartnerLpco(BaseModel):
    """An LPCO as the partner that issued it sends it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    number: str = Field(pattern=NUMBER)
    agency: str = Code
    kind: Kind
    holder: str = Field(min_length=1, max_length=35)  # the exporter
    holder_name: str = Field(min_length=1, max_length=140)
    consignee: str | None = Field(default=None, min_length=1, max_length=35)  # the importer
    hs: str = Field(pattern=r"^[0-9]{4}([0-9]{2}){0,3}$")
    description: str = Field(min_length=1, max_length=350)
    flow: Literal["export"]
    country: str = Field(pattern=r"^[A-Z]{2}$")  # the destination
    unit: str = Field(pattern=r"^[A-Z0-9]{2,3}$")
    quantity: Decimal = Field(gt=0, max_digits=24, decimal_places=6)
    valid_from: dt.date
    valid_until: dt.date
    conditions: str = Field(default="", max_length=2000)
    status: Literal["issued", "suspended", "revoked"]
    changed_at: dt.datetime  # orders the messages of one LPCO: an older one changes nothing


def message_of(lpco: Licence, changed_at: dt.datetime) -> dict[str, Any]:
    """The ``lpco`` message's payload for an export LPCO issued here."""
    return {
        "number": lpco.number, "agency": lpco.agency, "kind": lpco.kind.value,
        "holder": lpco.holder, "holder_name": lpco.holder_name, "consignee": lpco.consignee,
        "hs": lpco.hs, "description": lpco.description, "flow": lpco.flow.value,
        "country": lpco.country, "unit": lpco.unit, "quantity": plain(lpco.quantity),
        "valid_from": lpco.valid_from.isoformat(), "valid_until": lpco.valid_until.isoformat(),
        "conditions": lpco.conditions, "status": lpco.status.value,
        "changed_at": changed_at.isoformat(),
    }  # fmt: skip


def local_number(administration: str, number: str) -> str:
    """The number a partner's LPCO is kept and cited under here."""
    return f"{administration}-{number}"


def status_after(received: PartnerLpco, now: Status | None, accepted: bool) -> Status:
    """The status here of a partner's LPCO after a message: the partner's suspension or
    revocation applies at once; an issued (or reinstated) one covers goods only once the
    agency here has accepted it (``accepted``), and a refusal here stands."""
    if received.status != Status.ISSUED.value:
        return Status(received.status)
    if now is Status.REFUSED:
        return Status.REFUSED
    return Status.ISSUED if accepted else Status.RECEIVED
