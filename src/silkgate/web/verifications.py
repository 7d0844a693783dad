"""Retroactive verification in the console: customs asks the issuer of a certificate
received (from the list of requests, or from the received certificate's number) and follows
its requests, the overdue ones first; the issuing node's origin officers answer theirs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.params import RowId
from silkgate.i18n import _
from silkgate.kernel.commands import parse
from silkgate.origin.verification import DOCUMENTS, VerificationAnswer, VerificationRequest
from silkgate.web.formats import term
from silkgate.web.pages import node_of, redirect, render
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal, PagePrincipal

router = console_router()
PAGE = "/console/origin/verifications"


@router.get("/origin/verifications")
async def verifications_page(
    request: Request,
    principal: PagePrincipal,
    overdue: Annotated[bool, Query()] = False,
    number: Annotated[str, Query(pattern=r"^([A-Z]{2}-E-[0-9]{4}-[0-9]{6})?$")] = "",
) -> Response:
    """Customs: the requests sent, and the form to ask (``?number=`` fills it in); origin
    officers: the requests received, each with its answer form."""
    node = node_of(request)
    items = await run_in_threadpool(node.verifications.listing, principal, None, overdue=overdue)
    return render(
        request, "origin_verifications.html", principal, items=items, overdue=overdue,
        number=number, documents=DOCUMENTS, asks=principal.is_staff,
    )  # fmt: skip


@router.post("/origin/verifications")
async def ask(
    request: Request,
    principal: FormPrincipal,
    number: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
    documents: Annotated[list[str] | None, Form()] = None,
    deadline: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    back = returning_to(request, PAGE)
    body = {"number": number, "reason": reason, "documents": documents or []}
    if deadline:
        body["deadline"] = deadline
    command = parse(VerificationRequest, body)
    found = await run_in_threadpool(node_of(request).verifications.open, principal, command)
    return redirect(
        back,
        (
            "ok",
            _("Asked: verification %(reference)s sent to %(issuer)s.")
            % {"reference": found["reference"], "issuer": found["issuer"]},
        ),
    )


@router.post("/origin/verifications/{verification_id}/answer")
async def answer(
    request: Request,
    principal: FormPrincipal,
    verification_id: RowId,
    result: Annotated[str, Form(max_length=20)] = "",
    findings: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    back = returning_to(request, PAGE)
    command = parse(VerificationAnswer, {"result": result, "findings": findings})
    found = await run_in_threadpool(
        node_of(request).verifications.answer, principal, verification_id, command
    )
    return redirect(
        back,
        (
            "ok",
            _("Answered: verification %(reference)s %(status)s.")
            % {"reference": found["reference"], "status": term(found["status"])},
        ),
    )
