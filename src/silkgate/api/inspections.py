"""``/v1/inspections``: the joint inspection queue, tasks, check results, completion."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.params import CheckedRoute, MrnPath, RowId
from silkgate.api.problems import PROBLEM, Problem, problems
from silkgate.api.schemas import operations as out
from silkgate.api.schemas.base import answer, parse, request_body
from silkgate.inspection.commands import Assignment, CheckResult, PartnerInspectionResult

router = APIRouter(prefix="/v1/inspections", tags=["inspections"], route_class=CheckedRoute)
_ERRORS = problems(401, 403, 404, 409, 422)
TaskId = RowId


_json = json_response


async def _body(request: Request) -> Any:
    raw, _ = await json_body(request)
    return raw


@router.get("", responses={200: answer(out.TaskQueue), **_ERRORS})
def queue(
    node: NodeDep,
    principal: PrincipalDep,
    office: Annotated[str | None, Query(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$")] = None,
    status: Annotated[str | None, Query(pattern="^(open|completed)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """The inspection tasks of an office, newest first (officers and SPS inspectors)."""
    return _json(
        {"items": node.inspections.queue(principal, office=office, status=status, limit=limit)}
    )


@router.get("/{task_id}", responses={200: answer(out.Task), **_ERRORS})
def task(node: NodeDep, principal: PrincipalDep, task_id: TaskId) -> Response:
    """One task with its merged customs and SPS checklist."""
    return _json(node.inspections.get(principal, task_id))


@router.post(
    "/{task_id}/assign",
    openapi_extra=request_body(Assignment),
    responses={200: answer(out.Task), **_ERRORS},
)
async def assign(
    request: Request, node: NodeDep, principal: PrincipalDep, task_id: TaskId
) -> Response:
    """Assign the task: ``{"officer": "officer.li", "sps_inspector": "inspector.chen"}``.

    Customs staff assign either service; an SPS inspector, the quarantine side only.
    """
    assignment = parse(Assignment, await _body(request))
    return _json(await run_in_threadpool(node.inspections.assign, principal, task_id, assignment))


@router.post("/{task_id}/start", responses={200: answer(out.Task), **_ERRORS})
def start(node: NodeDep, principal: PrincipalDep, task_id: TaskId) -> Response:
    """Start the inspection (the goods are opened): the declarant can no longer amend.

    Recording the first result starts it too; starting twice is refused (409).
    """
    return _json(node.inspections.start(principal, task_id))


@router.post(
    "/{task_id}/checks/{seq}",
    openapi_extra=request_body(CheckResult),
    responses={200: answer(out.Task), **_ERRORS},
)
async def record(
    request: Request,
    node: NodeDep,
    principal: PrincipalDep,
    task_id: TaskId,
    seq: Annotated[int, Path(ge=1, le=10_000)],
) -> Response:
    """Record one check: ``{"status": "compliant|non_compliant", "finding": {"note": "..."}}``.

    Customs checks are recorded by officers, SPS checks by SPS inspectors.
    """
    result = parse(CheckResult, await _body(request))
    return _json(await run_in_threadpool(node.inspections.record, principal, task_id, seq, result))


@router.post("/{task_id}/complete", responses={200: answer(out.Task), **_ERRORS})
def complete(node: NodeDep, principal: PrincipalDep, task_id: TaskId) -> Response:
    """Complete the task once every check has a result (customs); the officer then decides."""
    return _json(node.inspections.complete(principal, task_id))


certificates = APIRouter(prefix="/v1/declarations", tags=["inspections"], route_class=CheckedRoute)


@certificates.post(
    "/{mrn}/ephyto",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "description": "SPSCertificate XML"}}
                for media in ("application/xml", "text/xml")
            },
        }
    },
    responses={201: answer(out.CertificateAttached), **_ERRORS, 415: PROBLEM},
)
async def attach_ephyto(
    request: Request,
    node: NodeDep,
    principal: PrincipalDep,
    mrn: MrnPath,
) -> Response:
    """Attach an ePhyto certificate (UN/CEFACT SPSCertificate XML) and match it.

    The answer lists the mismatches; each becomes an open SPS check of the
    joint inspection. Malformed XML, a DTD or entities are refused (422).
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("application/xml", "text/xml"):
        raise Problem(
            415,
            "Unsupported media type",
            "send the certificate as application/xml",
            kind="unsupported-media-type",
        )
    data = await request.body()
    result = await run_in_threadpool(node.inspections.attach_ephyto, principal, mrn, data)
    return _json(result, 201)


@certificates.get("/{mrn}/ephyto", responses={200: answer(out.Certificates), **_ERRORS})
def list_ephyto(
    node: NodeDep,
    principal: PrincipalDep,
    mrn: MrnPath,
) -> Response:
    """The ePhyto certificates attached to a declaration, with their mismatches."""
    return _json({"items": node.inspections.certificates(principal, mrn)})


@certificates.post(
    "/{mrn}/partner-results",
    status_code=201,
    openapi_extra=request_body(PartnerInspectionResult),
    responses={201: answer(out.PartnerResultRecorded), **_ERRORS},
)
async def partner_result(
    request: Request,
    node: NodeDep,
    principal: PrincipalDep,
    mrn: MrnPath,
) -> Response:
    """Record a partner administration's inspection result.

    Body: ``{"administration": "VN", "reference": "...", "inspected_on": "2026-11-20",
    "result": "compliant", "checks": ["pests", "treatment"], "note": "..."}``. Under a
    recognition arrangement, a compliant result satisfies the matching open checks.
    """
    command = parse(PartnerInspectionResult, await _body(request))
    result = await run_in_threadpool(node.inspections.partner_result, principal, mrn, command)
    return _json(result, 201)
