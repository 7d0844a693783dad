"""RFC 9457 problem details: every error the API returns has this shape.

``errors`` lists each field error with the RFC 6901 JSON pointer of the field,
so a client can put the message next to the right input.

The ``title`` and the ``detail`` (the problem's and each field error's) are in the
request's language, translated here, at the edge (:mod:`silkgate.i18n.sentences`);
``type``, ``status``, the pointers and the codes are the same in every language.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from silkgate.declarations.states import IllegalTransition
from silkgate.i18n import ngettext
from silkgate.i18n.sentences import say
from silkgate.kernel import wording
from silkgate.kernel.errors import (
    Conflict,
    Forbidden,
    Gone,
    IdempotencyKeyReused,
    InvalidRequest,
    NotFound,
    PreconditionFailed,
    Unpaid,
    pointer,
)
from silkgate.origin.services import RulesNotLoaded
from silkgate.tariff.services import TariffNotLoaded

log = logging.getLogger("silkgate.api")

MEDIA_TYPE = "application/problem+json"

# A route's ``responses`` entry for an error it answers (the schema is added once, for all
# routes, by :mod:`silkgate.api.openapi`).
PROBLEM: dict[str, Any] = {"content": {MEDIA_TYPE: {}}}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses`` entries for the errors ``statuses``."""
    return dict.fromkeys(statuses, PROBLEM)


class Problem(Exception):
    """An HTTP error to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.kind = kind or title.lower().replace(" ", "-")


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    kind: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> Response:
    body: dict[str, Any] = {"type": f"/problems/{kind}", "title": say(title), "status": status}
    if detail:
        body["detail"] = say(detail)
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = [{**e, "detail": say(e["detail"])} if "detail" in e else e for e in errors]
    return Response(orjson.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into problem documents."""
    # The decorator form keeps each handler's narrower exception type.
    app.exception_handler(Problem)(_problem)
    app.exception_handler(InvalidRequest)(_invalid_request)
    for exc_type in _SIMPLE:
        app.add_exception_handler(exc_type, _simple)
    app.exception_handler(RequestValidationError)(_invalid_parameters)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(Exception)(_unexpected)


# Service errors that map one to one onto an HTTP status: (status, title, kind).
_SIMPLE: dict[type[Exception], tuple[int, str, str]] = {
    NotFound: (404, "Not found", "not-found"),
    Forbidden: (403, "Forbidden", "forbidden"),
    Gone: (410, "Gone", "gone"),
    IllegalTransition: (409, "Action not allowed in this status", "illegal-transition"),
    PreconditionFailed: (412, "Precondition failed", "version-mismatch"),
    IdempotencyKeyReused: (422, "Idempotency-Key reused", "idempotency-key-reused"),
    Unpaid: (409, "Duties and taxes unpaid", "unpaid-duties"),
    Conflict: (409, "Conflict", "conflict"),
    TariffNotLoaded: (503, "No tariff loaded", "tariff-not-loaded"),
    RulesNotLoaded: (503, "No rules of origin loaded", "rules-not-loaded"),
}


async def _problem(request: Request, exc: Problem) -> Response:
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        kind=exc.kind,
        errors=exc.errors,
        headers=exc.headers,
        instance=request.url.path,
    )


# Methods that only read: their refusals have nothing to say about storing.
_READING = frozenset({"GET", "HEAD", "OPTIONS"})


def _count(errors: list[Any], changing: bool = False) -> str:
    """How many errors (in the request's language), and, for a change, that nothing was stored."""
    if not changing:
        return ngettext("%(num)d error", "%(num)d errors", len(errors)) % {"num": len(errors)}
    return ngettext(
        "%(num)d error; nothing was stored", "%(num)d errors; nothing was stored", len(errors)
    ) % {"num": len(errors)}


async def _invalid_request(request: Request, exc: InvalidRequest) -> Response:
    return problem_response(
        422,
        exc.title,
        _count(exc.errors, changing=request.method not in _READING),
        kind="invalid-" + ("declaration" if "declaration" in exc.title else "request"),
        errors=[e.as_dict() for e in exc.errors],
        instance=request.url.path,
    )


async def _simple(request: Request, exc: Exception) -> Response:
    status, title, kind = _SIMPLE[type(exc)]
    return problem_response(status, title, str(exc), kind=kind, instance=request.url.path)


async def _invalid_parameters(request: Request, exc: RequestValidationError) -> Response:
    """FastAPI's own validation of the path, query, headers and body, as a problem."""
    if any(err.get("type") == "json_invalid" for err in exc.errors()):
        return problem_response(
            400,
            "Malformed request",
            "the body is not valid JSON",
            kind="malformed-json",
            instance=request.url.path,
        )
    errors = [_field_error(err) for err in exc.errors()]
    return problem_response(
        422,
        "The request is invalid",
        _count(errors),
        kind="invalid-request",
        errors=errors,
        instance=request.url.path,
    )


def _field_error(err: dict[str, Any]) -> dict[str, str]:
    """One FastAPI validation error as a field error; ``in`` names a non-body location."""
    loc = list(err.get("loc", ()))
    where = loc.pop(0) if loc and loc[0] in ("query", "path", "header", "body") else None
    entry = {
        "pointer": pointer(*loc),
        "code": wording.named_code(err) or str(err.get("type", "invalid")),
        "detail": wording.explain(err),
    }
    if where and where != "body":
        entry["in"] = where
    return entry


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized"}
    title = titles.get(exc.status_code, "HTTP error")
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request)) or headers.get("Allow", "")
    return problem_response(
        exc.status_code,
        title,
        str(exc.detail) if exc.detail else None,
        kind=title.lower().replace(" ", "-"),
        headers=headers or None,
        instance=request.url.path,
    )


def allowed_methods(request: Request) -> list[str]:
    """Every method the API documents at the request's path (for ``Allow`` on a 405).

    Starlette names only the methods of the first route whose path matched; a
    resource served by several routes (``GET`` and ``PUT``) needs them all.
    """
    path = request.url.path
    methods: set[str] = set()
    for template, item in request.app.openapi().get("paths", {}).items():
        if _template(template).fullmatch(path):
            methods |= {m.upper() for m in item if m in _METHODS}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@functools.cache
def _template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)))


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Log the cause for the operator; tell the client nothing about the internals.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "Internal error",
        "the node could not complete the request",
        kind="internal-error",
        instance=request.url.path,
    )
