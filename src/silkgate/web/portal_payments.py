"""Paying in the console: the trader records the payment it made, or the guarantee it draws
on, for what is due; an officer confirms (or refuses) it where the administration requires
(:mod:`silkgate.portal.services.payments`). The forms are on the declaration's panel."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.i18n import _
from silkgate.web.pages import node_of, redirect
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal

router = console_router()


@router.post("/declarations/{mrn}/payment-claims")
async def claim(
    request: Request,
    principal: FormPrincipal,
    mrn: str,
    kind: Annotated[str, Form(max_length=10)] = "payment",
    reference: Annotated[str, Form(max_length=70)] = "",
) -> Response:
    back = returning_to(request, f"/console/declarations/{mrn}")
    payments = node_of(request).portal.payments
    done = await run_in_threadpool(payments.claim, principal, mrn, kind, reference)
    if done["status"] == "confirmed":
        return redirect(back, ("ok", _("Recorded: the declaration's account is up to date.")))
    return redirect(back, ("ok", _("Recorded: customs will confirm it.")))


@router.post("/payment-claims/{claim_id}/{decision}")
async def decide(
    request: Request,
    principal: FormPrincipal,
    claim_id: int,
    decision: str,
    mrn: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    back = returning_to(request, f"/console/declarations/{mrn}" if mrn else "/console")
    payments = node_of(request).portal.payments
    if decision == "confirm":
        await run_in_threadpool(payments.confirm, principal, claim_id)
        return redirect(back, ("ok", _("Confirmed and recorded.")))
    if decision == "refuse":
        await run_in_threadpool(payments.refuse, principal, claim_id)
        return redirect(back, ("ok", _("Refused: the trader is shown it.")))
    return redirect(back, ("error", _("Unknown decision.")))
