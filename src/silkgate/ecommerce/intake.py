"""One NDJSON line of a bulk list: parsed, checked and put in the form the node stores.

A line is refused on its own (the other lines of the request still go through)
with every fault as an RFC 6901 pointer into the record: a line that is not a
JSON object, a field missing or malformed, a negative amount, an unknown
currency or HS code, an order sent under another platform's id. A line that
passes becomes the stored body: the record as parsed, the identity numbers
replaced by their keyed hashes, the list entry stamped with the agent that sent
it; its digest (SHA-256 of the canonical JSON) tells a re-sent record from a
different one under the same id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from silkgate.ecommerce.records import MODELS, Kind
from silkgate.kernel import wording
from silkgate.kernel.errors import FieldError, pointer

HsProblem = Callable[[str], str | None]  # why an HS code cannot be used, or None


@dataclass(frozen=True)
class Parsed:
    line: int
    record_id: str
    platform: str
    order_no: str
    body: dict[str, Any]
    text: str  # canonical JSON, as stored
    digest: str


@dataclass(frozen=True)
class Refused:
    line: int
    record_id: str | None
    errors: list[FieldError]


@dataclass(frozen=True)
class Checks:
    """What a line is checked against: the sender, the code lists, the hashing of identities."""

    kind: Kind
    party: str  # the sender's party id
    currencies: Collection[str]
    hs_problem: HsProblem
    hasher: Callable[[str], str]


_CODES = {"greater_than_equal": "negative_amount", "missing": "missing"}


def _fault(err: Any) -> FieldError:
    where = pointer(*err["loc"])
    value = err.get("input")
    if err["type"] == "string_pattern_mismatch" and isinstance(value, str) and value[:1] == "-":
        return FieldError(where, "negative_amount", f"{value} is negative: an amount is 0 or more")
    code = _CODES.get(err["type"], wording.named_code(err) or "invalid")
    return FieldError(where, code, wording.explain(err))


def _faults(exc: ValidationError) -> list[FieldError]:
    return [_fault(err) for err in exc.errors(include_url=False)]


def _hash_people(body: dict[str, Any], hasher: Callable[[str], str]) -> None:
    for key in ("consumer", "payer"):
        person = body.get(key)
        if person is not None:
            person["id_hash"] = hasher(person.pop("id_number"))


def _code_faults(body: dict[str, Any], checks: Checks) -> list[FieldError]:
    errors = []
    if "currency" in body and body["currency"] not in checks.currencies:
        errors.append(
            FieldError(
                "/currency", "unknown_code", f"{body['currency']} is not an ISO 4217 currency"
            )
        )
    for i, goods in enumerate(body.get("goods", ())):
        code = goods.get("hs_code")
        if code is None:
            continue
        problem = checks.hs_problem(code)
        if problem is not None:
            errors.append(FieldError(pointer("goods", i, "hs_code"), "unknown_code", problem))
    if checks.kind is Kind.ORDERS and body["platform"] != checks.party:
        errors.append(
            FieldError("/platform", "not_yours", "a platform sends orders under its own party id")
        )
    return errors


def parse_line(number: int, raw: bytes, checks: Checks) -> Parsed | Refused:
    """Line ``number`` (from 1) of a bulk list."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Refused(number, None, [FieldError("", "malformed_json", f"not JSON: {exc}")])
    if not isinstance(data, dict):
        return Refused(number, None, [FieldError("", "not_an_object", "a record is a JSON object")])
    record_id = data.get("id") if isinstance(data.get("id"), str) else None
    try:
        record = MODELS[checks.kind].model_validate(data)
    except ValidationError as exc:
        return Refused(number, record_id, _faults(exc))
    body = record.model_dump(mode="json", exclude_none=True)
    errors = _code_faults(body, checks)
    if errors:
        return Refused(number, record.id, errors)
    _hash_people(body, checks.hasher)
    if checks.kind is Kind.PARCELS:
        body["agent"] = checks.party
    text = orjson.dumps(body, option=orjson.OPT_SORT_KEYS).decode()
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Parsed(number, record.id, record.platform, record.order_no, body, text, digest)
