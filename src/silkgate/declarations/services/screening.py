"""A batch of prepared lodgings: their Idempotency-Keys and LRNs, screened under the lock.

A prepared :class:`Lodging` carries everything worked out before the write.
Keys used before are answered with the first response (or refused when the
body differs); LRNs the declarant has used already are refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa

from silkgate.declarations.validation import InvalidDeclaration
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import FieldError, IdempotencyKeyReused
from silkgate.store import declarations as store

REUSED = "this Idempotency-Key was already used for a different declaration"


def request_fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Lodging:
    """A validated declaration on its way to the store."""

    principal: Principal
    document: Any  # DeclarationDocument
    idempotency_key: str | None
    fingerprint: str | None
    rows: store.NewDeclaration
    assessment: Any  # tariff.assessment.Assessment
    assessment_row: dict[str, Any]
    decision: Any = None  # risk.selectivity.Decision
    decision_row: dict[str, Any] | None = None
    # The check of the items' e-CO preference claims, by item (empty: nothing checked).
    verdicts: Mapping[int, Any] = field(default_factory=dict)
    # The check of the items' required LPCOs (None: nothing required).
    lpco: Any = None


# The summary and whether it replays an earlier lodging, or the error to raise.
Outcome = tuple[dict[str, Any], bool] | Exception


def replay_of(found: tuple[str, str] | None, fingerprint: str) -> dict[str, Any] | None:
    """The stored first response for a key, given its ``(request_hash, response)``."""
    if found is None:
        return None
    request_hash, response = found
    if request_hash != fingerprint:
        raise IdempotencyKeyReused(REUSED)
    answer: dict[str, Any] = orjson.loads(response)
    return answer


def key_row(
    lodging: Lodging, declaration_id: int, result: dict[str, Any], at: dt.datetime
) -> list[dict[str, Any]]:
    if lodging.idempotency_key is None:
        return []
    return [
        {
            "principal_id": lodging.principal.id,
            "key": lodging.idempotency_key,
            "request_hash": lodging.fingerprint or "",
            "declaration_id": declaration_id,
            "response": orjson.dumps(result).decode(),
            "created_at": at,
        }
    ]


def screen_keys(
    conn: sa.Connection, lodgings: list[Lodging], outcomes: list[Outcome | None]
) -> tuple[list[int], list[tuple[int, int]]]:
    """Lodgings to store, and repeats of a key within the batch ``(index, first index)``.

    Keys used before are answered here: a replay, or a refusal when the body differs.
    """
    fresh: list[int] = []
    first_with_key: dict[tuple[int, str], int] = {}
    repeats: list[tuple[int, int]] = []
    # One query for every key of the batch (checked again under the write lock).
    used_keys = store.find_idempotent_many(
        conn, {(lg.principal.id, lg.idempotency_key) for lg in lodgings if lg.idempotency_key}
    )
    for i, lodging in enumerate(lodgings):
        key = lodging.idempotency_key
        if key is None:
            fresh.append(i)
            continue
        slot = (lodging.principal.id, key)
        if slot in first_with_key:  # the same key twice in one batch
            repeats.append((i, first_with_key[slot]))
            continue
        try:
            replay = replay_of(used_keys.get(slot), lodging.fingerprint or "")
        except IdempotencyKeyReused as exc:
            outcomes[i] = exc
            continue
        if replay is not None:
            outcomes[i] = (replay, True)
            continue
        first_with_key[slot] = i
        fresh.append(i)
    return fresh, repeats


def refuse_used_lrns(
    conn: sa.Connection,
    lodgings: list[Lodging],
    fresh: list[int],
    outcomes: list[Outcome | None],
) -> list[int]:
    """``fresh`` without lodgings whose LRN the declarant has used (their outcome: why)."""
    pairs = {(lodgings[i].document.declarant.id, lodgings[i].document.lrn) for i in fresh}
    used = store.existing_lrns(conn, pairs)
    kept: list[int] = []
    for i in fresh:
        pair = (lodgings[i].document.declarant.id, lodgings[i].document.lrn)
        if pair in used:
            where = f"as declaration {used[pair]}" if used[pair] else "by another request"
            outcomes[i] = InvalidDeclaration(
                [
                    FieldError(
                        "/lrn",
                        "lrn_already_used",
                        f"{pair[1]!r} was already lodged {where}; "
                        "use a new LRN, or amend that declaration",
                    )
                ]
            )
        else:
            used[pair] = ""  # taken by this batch
            kept.append(i)
    return kept
