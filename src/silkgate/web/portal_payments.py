"""Paying in the console: the trader records the payment it made, or the guarantee it draws
on, for what is due; an officer confirms (or refuses) it where the administration requires
(:mod:`silkgate.portal.services.payments`). The forms are on the declaration's panel. And the
trader's webhook, for its own systems (:mod:`silkgate.portal.services.notifications`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.i18n import _
from silkgate.kernel.actors import Role
from silkgate.web.pages import node_of, redirect, refusal, render
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal, PagePrincipal

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


@router.get("/webhook")
async def webhook_page(request: Request, principal: PagePrincipal) -> Response:
    """The trader's webhook: where its notifications go, and the latest ones sent."""
    if principal.role is not Role.DECLARANT:
        return refusal(request, principal, _("Only a trader has a webhook."), 403)
    found, sent = await run_in_threadpool(node_of(request).portal.webhooks.of, principal)
    return render(request, "portal_webhook.html", principal, webhook=found, sent=sent)


@router.post("/webhook")
async def set_webhook(
    request: Request, principal: FormPrincipal, url: Annotated[str, Form(max_length=500)] = ""
) -> Response:
    returning_to(request, "/console/webhook")
    secret = await run_in_threadpool(node_of(request).portal.webhooks.set, principal, url)
    found, sent = await run_in_threadpool(node_of(request).portal.webhooks.of, principal)
    said = _("Saved. Keep this secret: it is shown once.") if secret else _("No webhook.")
    return render(
        request, "portal_webhook.html", principal, webhook=found, sent=sent, secret=secret,
        flash={"kind": "ok", "text": said},
    )  # fmt: skip
