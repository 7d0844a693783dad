"""Answers of ``/v1/declarations``: summaries, documents, versions, journal, money."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from silkgate.api.schemas.base import Shape


class Links(Shape):
    self: str
    journal: str | None = None
    versions: str | None = None


class AssessmentTotals(Shape):
    currency: str
    customs_value: str
    duty: str
    excise: str
    vat: str
    total: str
    duty_forgone: str | None = None
    preference_withheld: str | None = Field(
        default=None,
        description="What a preference claimed would save, assessed until its e-CO matches",
    )
    preferences: list[dict[str, Any]] | None = Field(
        default=None,
        description="Each e-CO claim checked: certificate, origin_proof, treatment, reason",
    )
    links: Links | None = None


class _Heading(Shape):
    mrn: str
    type: str
    status: str
    version: int
    office: str
    declarant_id: str
    lrn: str
    currency: str | None = None
    invoice_amount: str | None = None
    item_count: int | None = None
    channel: str | None = None
    arrival_date: str | None = None
    lodged_at: str
    updated_at: str
    links: Links


class DeclarationSummary(_Heading):
    """A declaration as listed, and as answered after lodging, amending or a decision."""

    assessment: AssessmentTotals | None = None


class DeclarationPage(Shape):
    items: list[DeclarationSummary]
    next_cursor: str | None


class VersionEntry(Shape):
    version: int
    created_at: str
    created_by: str
    reason: str | None
    links: Links


class Versions(Shape):
    items: list[VersionEntry]


class DocumentVersion(Shape):
    mrn: str
    version: int
    document: dict[str, Any]


class JournalEntry(Shape):
    seq: int
    at: str
    actor: str
    event: str
    version: int | None
    from_status: str | None
    to_status: str | None
    reason: str | None
    elapsed_seconds: float | None = None


class Timeline(Shape):
    items: list[JournalEntry]


class Assessment(Shape):
    """Per item the customs value, duty, excise and VAT; the totals; notes."""

    date: str
    currency: str
    tariff_version: int | None = None
    exchange_rate: dict[str, Any] | None = None
    valuation: dict[str, Any] | None = None
    items: list[dict[str, Any]]
    totals: dict[str, Any]
    notes: list[Any]
    mrn: str | None = None
    assessed_at: str | None = None
    version: int | None = None


class Payment(Shape):
    kind: str
    amount: str
    currency: str
    reference: str
    recorded_at: str
    recorded_by: str


class Money(Shape):
    """What is assessed, paid, guaranteed and still due on a declaration."""

    currency: str
    assessed: str
    paid: str
    guaranteed: str
    due: str
    unsecured: str
    payments: list[Payment]
    preference_withheld: str | None = Field(
        default=None,
        description="Of what is assessed: what preferences claimed would save, "
        "secured until their e-CO matches",
    )


class Account(Money):
    """The declaration's account, with its number and status."""

    mrn: str
    status: str


class Declaration(_Heading):
    """One declaration: its current document, assessment, account, risk, inspection, actions."""

    document: dict[str, Any]
    assessment: Assessment | None = None
    account: Money | None = None
    risk: dict[str, Any] | None = None
    inspection: dict[str, Any] | None = None
    allowed_actions: list[str] = Field(default_factory=list)
