"""The OpenAPI document, completed with the answers every route shares.

Each route documents its own successful answer and the errors particular to
it (409 for a transition, 412 for a stale version). The errors that follow
from the shape of an operation are added here, once, so that no route can
forget them and a client generated from the document knows every status it
may meet:

- a request body can be malformed JSON (400), too large (413) or of another
  media type (415);
- a path parameter can name nothing (404);
- any parameter or body can be invalid (422);
- an operation that takes a token can be refused it (401, 403), and failed
  attempts are throttled (429).

Every error is an RFC 9457 problem document, ``application/problem+json``,
with one schema (``Problem``), so FastAPI's own ``HTTPValidationError`` is
replaced: the node never answers in that shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from silkgate.api.problems import MEDIA_TYPE

METHODS = ("get", "put", "post", "delete", "patch")

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document: what went wrong, and for a refused "
    "input every field error with the JSON pointer of its field.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "A URI reference naming the kind of problem"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["pointer", "code", "detail"],
                "properties": {
                    "pointer": {"type": "string", "description": "RFC 6901 JSON pointer"},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                    "in": {"type": "string", "enum": ["path", "query", "header"]},
                },
            },
        },
    },
}

# What each shared status means, as the document describes it.
DESCRIPTIONS = {
    400: "Malformed request: the body is not JSON, or not the JSON expected",
    401: "No valid token",
    403: "The token's role may not do this",
    404: "Not found (or not visible to this caller)",
    413: "The body is too large",
    415: "The body is not of a supported media type",
    422: "Invalid input: every error with the pointer of its field; nothing was stored",
    429: "Too many attempts: wait for the number of seconds in Retry-After",
}

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the completed document (built once)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the shared error answers to every operation of ``document`` (in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is not None:
                _complete_operation(op, path)
    for name in _FASTAPI_ERRORS:
        schemas.pop(name, None)
    return document


def _complete_operation(op: dict[str, Any], path: str) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    parameters = op.get("parameters", [])
    shared: set[int] = set()
    if "requestBody" in op:
        shared |= {400, 413, 415, 422}
    if parameters:
        shared.add(422)
    if "{" in path:
        shared.add(404)
    if "401" in responses:
        shared |= {403, 429}
    for code in shared:
        responses.setdefault(str(code), {"description": DESCRIPTIONS[code]})
    for status, response in responses.items():
        if status[0] in "45":
            response["content"] = {MEDIA_TYPE: {"schema": _PROBLEM_REF}}
            if response.get("description") in (None, "", "Validation Error"):
                response["description"] = DESCRIPTIONS.get(int(status), "Error")
