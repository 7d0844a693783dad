"""Answers of risk management and the joint inspection."""

from __future__ import annotations

from typing import Any

from silkgate.api.schemas.base import Shape


class RiskProfile(Shape):
    name: str
    version: int
    condition: str
    effect: str
    points: str | None  # a decimal, as a string
    valid_from: str | None
    valid_to: str | None
    description: str | None
    created_at: str
    created_by: str
    retired: bool


class RiskProfiles(Shape):
    items: list[RiskProfile]


class Thresholds(Shape):
    red: float | None
    yellow: float | None
    calibrated: bool
    recent_decisions: int


class Budget(Shape):
    """The selectivity budget and, once calibrated, the thresholds it implies."""

    red_share: float
    yellow_share: float
    exploration_share: float
    window: int
    aeo_factor: float
    thresholds: Thresholds | None = None


class Performance(Shape):
    channels: dict[str, Any]
    hit_rates: list[dict[str, Any]]
    history: dict[str, Any]
    models: list[Any]
    budget: dict[str, Any]


class OutcomeRecorded(Shape):
    mrn: str
    channel: str | None
    outcomes: list[dict[str, Any]]


class Check(Shape):
    seq: int
    service: str
    check: str
    item: int | None
    description: str
    status: str
    finding: dict[str, Any] | None
    recorded_by: str | None
    recorded_at: str | None


class TaskSummary(Shape):
    id: int
    mrn: str
    office: str
    status: str
    channel: str | None
    officer: str | None
    sps_inspector: str | None
    created_at: str
    started_at: str | None
    completed_at: str | None
    result: str | None


class Task(TaskSummary):
    """An inspection task with its merged customs and SPS checklist."""

    checks: list[Check]


class TaskQueue(Shape):
    items: list[TaskSummary]


class CertificateAttached(Shape):
    mrn: str
    certificate: dict[str, Any]
    matches: bool
    mismatches: list[Any]


class Certificates(Shape):
    items: list[dict[str, Any]]


class PartnerResultRecorded(Shape):
    mrn: str
    administration: str
    result: str
    satisfied_checks: list[Any]


class JournalAnchor(Shape):
    """The journal head signed with the node's Ed25519 key (``silkgate journal anchor``)."""

    format: str
    administration: str
    seq: int
    hash: str
    entry_at: str | None
    signed_at: str
    kid: str
    signature: str
