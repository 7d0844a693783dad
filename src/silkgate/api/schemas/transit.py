"""Answers of the transit routes: a movement, a guarantee and its balance, an office."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from silkgate.api.schemas.base import Shape


class Movement(Shape):
    """One node's copy of a transit movement (``steps`` and ``declaration`` when one is read)."""

    mrn: str = Field(examples=["26CNT0A1B2C3D4E5F6"])
    lrn: str
    role: str = Field(description="departure, transit or destination: this node's part")
    status: str
    channel: str | None
    holder: str
    departure: str
    itinerary: dict[str, Any]
    time_limit: str
    guarantee: str | None
    reserved: str = Field(description="What the movement holds of its guarantee")
    diverted: bool


class Guarantee(Shape):
    reference: str
    holder: str
    kind: str = Field(examples=["comprehensive", "individual", "tir"])
    carnet: str | None = Field(default=None, description="A TIR carnet's number (kind tir)")
    vouchers: int | None = None
    currency: str
    reference_amount: str
    balance: str
    reserved: str
    recovered: str = Field(description="What customs kept of it for movements not discharged")
    movements: list[dict[str, Any]]


class Sweep(Shape):
    """What one sweep did: the MRNs put under enquiry, and those whose duty was recovered."""

    at: str
    enquiries: list[str]
    recovered: list[str]
