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
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

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


# One adapter per kind over a whole list: the schema runs once per request, not per line.
_ADAPTERS: dict[Kind, TypeAdapter[list[Any]]] = {
    kind: TypeAdapter(list[model])  # type: ignore[valid-type]
    for kind, model in MODELS.items()
}

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


def _finish(number: int, body: dict[str, Any], checks: Checks) -> Parsed | Refused:
    """A record that passed its schema: the code lists, then the stored form."""
    errors = _code_faults(body, checks)
    if errors:
        return Refused(number, body["id"], errors)
    _hash_people(body, checks.hasher)
    if checks.kind is Kind.PARCELS:
        body["agent"] = checks.party
    text = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    digest = hashlib.sha256(text).hexdigest()
    return Parsed(
        number, body["id"], body["platform"], body["order_no"], body, text.decode(), digest
    )


def _decoded(number: int, raw: bytes) -> dict[str, Any] | Refused:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return Refused(number, None, [FieldError("", "malformed_json", f"not JSON: {exc}")])
    if not isinstance(data, dict):
        return Refused(number, None, [FieldError("", "not_an_object", "a record is a JSON object")])
    return data


def parse_lines(lines: Sequence[bytes], checks: Checks) -> list[Parsed | Refused]:
    """Every line of a bulk list (numbered from 1), each parsed or refused on its own.

    The schema runs once over all the well-formed lines (one call into pydantic's core,
    and one to dump them); a batch with faults is validated again without the lines at
    fault, which the first pass named by their index.
    """
    out: list[Parsed | Refused | None] = [None] * len(lines)
    good: list[int] = []
    datas: list[dict[str, Any]] = []
    for i, raw in enumerate(lines):
        decoded = _decoded(i + 1, raw)
        if isinstance(decoded, Refused):
            out[i] = decoded
        else:
            good.append(i)
            datas.append(decoded)
    adapter = _ADAPTERS[checks.kind]
    try:
        records = adapter.validate_python(datas)
    except ValidationError as exc:
        faults: dict[int, list[FieldError]] = {}
        for err in exc.errors(include_url=False):
            at, *loc = err["loc"]
            faults.setdefault(int(at), []).append(_fault({**err, "loc": tuple(loc)}))
        for at, errors in faults.items():
            i = good[at]
            given = datas[at].get("id")
            out[i] = Refused(i + 1, given if isinstance(given, str) else None, errors)
        kept = [at for at in range(len(good)) if at not in faults]
        good = [good[at] for at in kept]
        records = adapter.validate_python([datas[at] for at in kept])
    bodies = adapter.dump_python(records, mode="json", exclude_none=True)
    for i, body in zip(good, bodies, strict=True):
        out[i] = _finish(i + 1, body, checks)
    return [o for o in out if o is not None]


def parse_line(number: int, raw: bytes, checks: Checks) -> Parsed | Refused:
    """Line ``number`` (from 1) of a bulk list."""
    decoded = _decoded(number, raw)
    if isinstance(decoded, Refused):
        return decoded
    record_id = decoded.get("id") if isinstance(decoded.get("id"), str) else None
    try:
        record = MODELS[checks.kind].model_validate(decoded)
    except ValidationError as exc:
        return Refused(number, record_id, _faults(exc))
    return _finish(number, record.model_dump(mode="json", exclude_none=True), checks)
