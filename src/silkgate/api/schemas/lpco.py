"""Answers about the single window's LPCOs (licences, permits, certificates and others)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from silkgate.api.schemas.base import Shape


class Lpco(Shape):
    """One LPCO as it stands; ``history`` and ``drawdowns`` when it is read by number."""

    number: str = Field(examples=["CHEM-2026-000001"])
    agency: str = Field(examples=["CHEM"])
    kind: str = Field(examples=["import_licence", "permit", "conformity_certificate"])
    holder: str
    holder_name: str
    hs: str
    description: str
    flow: str = Field(examples=["import", "export", "transit"])
    country: str | None
    office: str | None
    unit: str = Field(examples=["KGM", "NAR", "USD"])
    quantity: str
    balance: str
    drawn: str
    valid_from: str
    valid_until: str
    conditions: str
    status: str = Field(examples=["issued", "suspended", "revoked", "received", "refused"])
    examine: bool = False  # the agency examines the goods at the border
    consignee: str | None = None  # an export LPCO's importer abroad; a partner's: the importer
    # A partner's LPCO: the administration that issued it, the agency here that accepts it.
    administration: str | None = None
    acceptor: str | None = None
    history: list[dict[str, Any]] | None = None
    drawdowns: list[dict[str, Any]] | None = None


class LpcoRequirements(Shape):
    """Which LPCOs goods of an HS code need, from or to a country, in a flow, on a date."""

    hs: str
    country: str | None
    flow: str | None
    date: str
    requirements: list[dict[str, Any]]


class DeclarationLpcos(Shape):
    """The check of each item's required LPCOs on the declaration's latest version."""

    mrn: str
    items: list[dict[str, Any]]
