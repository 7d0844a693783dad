"""``/v1/origin/applications`` and ``/v1/origin/certificates``: issuing certificates of origin.

An exporter (a declarant) applies; an origin officer approves or refuses,
cancels and replaces. A certificate's status and hash are public, so that
anyone holding a printout can check it; its document is the exporter's and
the officers'.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api import links
from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.params import CheckedRoute, limit
from silkgate.api.problems import PROBLEM, problems
from silkgate.api.schemas import origin as out
from silkgate.api.schemas.base import answer, parse, request_body
from silkgate.origin.application import Application, Approval, Cancellation, Decision

router = APIRouter(tags=["origin certificates"], route_class=CheckedRoute)
_ERRORS = problems(401, 403, 404, 422)
_DECIDING = problems(401, 403, 404, 409, 422, 503)

ApplicationId = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="The application's number on this node")
]
Number = Annotated[
    str,
    Path(pattern=r"^[A-Z]{2}-E-[0-9]{4}-[0-9]{6}$", examples=["CN-E-2026-000123"]),
]
Status = Annotated[str | None, Query(pattern=r"^[a-z]{1,12}$")]
Limit = Annotated[int, limit(500)]


async def _optional_body(request: Request) -> Any:
    """The JSON body, or an empty object when none was sent."""
    if not await request.body():
        return {}
    raw, _ = await json_body(request)
    return raw


def _created(answer: dict[str, Any], location: str) -> Response:
    return json_response(answer, 201, {"Location": location})


# -- applications ------------------------------------------------------------------------------


@router.post(
    "/v1/origin/applications",
    status_code=201,
    openapi_extra=request_body(Application),
    responses={201: answer(out.Application), **_ERRORS, 503: PROBLEM},
)
async def apply(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Apply for a certificate of origin (Form E) for your own exports (declarant).

    Every box of the form, each line with the bill of materials that supports
    it; the node determines each line's origin (the answer's
    ``determinations``) and keeps the application for an origin officer.
    Every fault is answered at once, 422 with the pointer of each field.
    """
    raw, _ = await json_body(request)
    found = await run_in_threadpool(node.certificates.apply, principal, raw)
    links.application(found)
    return _created(found, found["links"]["self"])


@router.get("/v1/origin/applications", responses={200: answer(out.Applications), **_ERRORS})
def applications(
    node: NodeDep, principal: PrincipalDep, status: Status = None, limit: Limit = 100
) -> Response:
    """Applications: a declarant's own; every one for origin officers (``status=submitted``:
    the queue, oldest first)."""
    items = node.certificates.applications(principal, status, limit)
    return json_response({"items": [links.application(a) for a in items]})


@router.get(
    "/v1/origin/applications/{application_id}",
    responses={200: answer(out.Application), **_ERRORS},
)
def application(node: NodeDep, principal: PrincipalDep, application_id: ApplicationId) -> Response:
    """One application with each line's determination, its decision and its certificate."""
    return json_response(
        links.application(node.certificates.application(principal, application_id))
    )


@router.post(
    "/v1/origin/applications/{application_id}/approve",
    status_code=201,
    openapi_extra=request_body(Approval, required=False),
    responses={201: answer(out.Certificate), **_DECIDING},
)
async def approve(
    request: Request, node: NodeDep, principal: PrincipalDep, application_id: ApplicationId
) -> Response:
    """Approve an application and issue its certificate (origin officer).

    Refused (409, with each line's explanation) when a line does not
    originate, or when the application was already decided. The certificate
    is queued for the importing partner in the same transaction.
    """
    approval = parse(Approval, await _optional_body(request))
    found = await run_in_threadpool(node.certificates.approve, principal, application_id, approval)
    links.certificate(found)
    return _created(found, found["links"]["self"])


@router.post(
    "/v1/origin/applications/{application_id}/refuse",
    openapi_extra=request_body(Decision),
    responses={200: answer(out.Application), **_DECIDING},
)
async def refuse(
    request: Request, node: NodeDep, principal: PrincipalDep, application_id: ApplicationId
) -> Response:
    """Refuse an application, with the reason the exporter is shown (origin officer)."""
    raw, _ = await json_body(request)
    decision = parse(Decision, raw)
    found = await run_in_threadpool(node.certificates.refuse, principal, application_id, decision)
    return json_response(links.application(found))


# -- certificates ------------------------------------------------------------------------------


@router.get("/v1/origin/certificates", responses={200: answer(out.Certificates), **_ERRORS})
def certificates(
    node: NodeDep, principal: PrincipalDep, status: Status = None, limit: Limit = 100
) -> Response:
    """Certificates issued: a declarant's own; every one for origin officers."""
    items = node.certificates.certificates(principal, status, limit)
    return json_response({"items": [links.certificate(c) for c in items]})


@router.get(
    "/v1/origin/certificates/{number}",
    responses={200: answer(out.CertificateStatus), 404: PROBLEM, 422: PROBLEM},
)
def certificate_status(node: NodeDep, number: Number) -> Response:
    """Whether a certificate of this node is genuine and in force (public, no token).

    Its status, dates and hash; nothing commercial. Compare the hash with the
    one printed on the certificate.
    """
    return Response(
        orjson.dumps(node.certificates.lookup(number)),
        media_type="application/json",
        headers={"Cache-Control": "no-cache"},
    )


@router.get(
    "/v1/origin/certificates/{number}/document",
    responses={200: answer(out.Certificate), **_ERRORS},
)
def certificate(node: NodeDep, principal: PrincipalDep, number: Number) -> Response:
    """A certificate whole: the document, its signature, the importing side's treatment
    (box 4, for origin officers). The exporter's own, or any for origin officers."""
    return json_response(links.certificate(node.certificates.certificate(principal, number)))


@router.post(
    "/v1/origin/certificates/{number}/cancel",
    openapi_extra=request_body(Cancellation),
    responses={200: answer(out.Certificate), **_DECIDING},
)
async def cancel(
    request: Request, node: NodeDep, principal: PrincipalDep, number: Number
) -> Response:
    """Cancel a certificate, with the reason (origin officer); the partner is told."""
    raw, _ = await json_body(request)
    cancellation = parse(Cancellation, raw)
    found = await run_in_threadpool(node.certificates.cancel, principal, number, cancellation)
    return json_response(links.certificate(found))


@router.post(
    "/v1/origin/certificates/{number}/replace",
    status_code=201,
    openapi_extra=request_body(Application),
    responses={201: answer(out.Certificate), **_DECIDING},
)
async def replace(
    request: Request, node: NodeDep, principal: PrincipalDep, number: Number
) -> Response:
    """Replace a certificate with one issued from the corrected application (origin officer).

    The body is the whole application, corrected; the exporter stays the
    same. The new certificate ``replaces`` the old, which becomes ``replaced``;
    both are sent to the importing partner.
    """
    raw, _ = await json_body(request)
    found = await run_in_threadpool(node.certificates.replace, principal, number, raw)
    links.certificate(found)
    return _created(found, found["links"]["self"])
