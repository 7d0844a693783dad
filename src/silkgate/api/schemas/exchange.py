"""Answers of partner exchange, the AEO register and mutual assistance."""

from __future__ import annotations

from typing import Any

from silkgate.api.schemas.base import Shape


class PublicKey(Shape):
    kid: str
    jwk: dict[str, Any] | None = None
    valid_from: str
    valid_to: str | None


class Card(Shape):
    """A node's partner card: administration, endpoint and public keys (no secret)."""

    format: str
    administration: str
    name: str
    endpoint: str
    keys: list[PublicKey]
    agreements: list[str]


class Partner(Shape):
    administration: str
    name: str
    endpoint: str
    agreements: list[str]
    registered_at: str
    updated_at: str
    keys: list[PublicKey]


class Partners(Shape):
    items: list[Partner]


class Overview(Shape):
    card: Card | None
    partners: list[Partner]
    outbox: dict[str, Any]
    inbox: dict[str, Any]


class Messages(Shape):
    """Counts by status and the messages, newest first."""

    counts: dict[str, Any]
    messages: list[dict[str, Any]]


class Retried(Shape):
    retried: int


class BatchResult(Shape):
    status: str
    code: str | None = None
    detail: str | None = None


class BatchAnswer(Shape):
    """One result per message, in order, and one signed receipt (compact JWS)."""

    results: list[BatchResult]
    receipt: str | None = None


class OutgoingMessage(Shape):
    message_id: str
    partner: str
    type: str
    subject: str | None
    status: str
    attempts: int
    created_at: str
    next_attempt_at: str | None
    delivered_at: str | None
    last_error: str | None
    receipt: str | None


class AdvanceData(Shape):
    mrn: str
    items: list[dict[str, Any]]


class Operator(Shape):
    party_id: str
    name: str
    administration: str
    status: str
    valid_from: str | None
    valid_to: str | None
    history: list[dict[str, Any]] | None = None


class Operators(Shape):
    items: list[Operator]


class AssistanceCase(Shape):
    """A case and, when read one by one, its thread."""

    reference: str
    partner: str
    direction: str
    kind: str
    subject: str
    status: str
    mrn: str | None
    opened_at: str
    opened_by: str
    updated_at: str
    thread: list[dict[str, Any]] | None = None


class AssistanceCases(Shape):
    items: list[AssistanceCase]
