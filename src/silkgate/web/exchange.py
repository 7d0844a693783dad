"""Console pages for the exchange with partner administrations.

The administrator's view of the exchange (this node's card, partners, the
outbox and what came in or was refused), the AEO register, and mutual
assistance cases. The same services as ``/v1/exchange``, ``/v1/aeo`` and
``/v1/assistance``, with the same access rules.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Form, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.exchange.aeo import TRANSITIONS, AeoAction, AeoStatus
from silkgate.exchange.commands import AssistanceCase, AssistanceReply, aeo_command
from silkgate.exchange.services.assistance import KINDS
from silkgate.i18n import N_, _
from silkgate.kernel.actors import Principal
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Forbidden, InvalidRequest, NotFound
from silkgate.web.formats import term
from silkgate.web.pages import node_of, redirect, refusal, render
from silkgate.web.routing import console_router, field_errors, returning_to
from silkgate.web.session import FormPrincipal, PagePrincipal

router = console_router()

# What an officer does to an operator in each state (re-applying uses the application form).
AEO_ACTIONS: dict[str, list[str]] = {
    s.value: [a.value for (f, a) in TRANSITIONS if f is s and a is not AeoAction.APPLY]
    for s in AeoStatus
}
_DONE = {
    "apply": N_("Registered the application of %(name)s (%(party)s): now %(status)s."),
    "validate": N_("Validated %(name)s (%(party)s): now %(status)s."),
    "grant": N_("Granted AEO status to %(name)s (%(party)s): now %(status)s."),
    "suspend": N_("Suspended %(name)s (%(party)s): now %(status)s."),
    "reinstate": N_("Reinstated %(name)s (%(party)s): now %(status)s."),
    "revoke": N_("Revoked %(name)s (%(party)s): now %(status)s."),
    "refuse": N_("Refused %(name)s (%(party)s): now %(status)s."),
}


# -- the exchange (administrators) -------------------------------------------------------------


@router.get("/exchange")
async def exchange_page(request: Request, principal: PagePrincipal) -> Response:
    service = node_of(request).exchange

    def load() -> dict[str, Any]:
        return {
            "overview": service.status(principal),
            "parked": service.outbox(principal, "parked", 100)["messages"],
            "outgoing": service.outbox(principal, None, 20)["messages"],
            "received": service.inbox(principal, 20)["messages"],
            "refusals": service.refusals(principal, 20),
            "refusal_window": node_of(request).settings.inbox_window_seconds,
        }

    try:
        context = await run_in_threadpool(load)
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    return render(request, "exchange.html", principal, **context)


@router.post("/exchange/outbox/{message_id}/retry")
async def retry_message(request: Request, principal: FormPrincipal, message_id: str) -> Response:
    back = returning_to(request, "/console/exchange")
    sent = await run_in_threadpool(node_of(request).exchange.retry, principal, message_id)
    return redirect(
        back,
        (
            "ok",
            _("Sent again: %(message)s %(subject)s to %(partner)s.")
            % {
                "message": term(sent["type"]),
                "subject": sent["subject"],
                "partner": sent["partner"],
            },
        ),
    )


# -- the AEO register --------------------------------------------------------------------------


def _aeo_context(request: Request, principal: Principal) -> dict[str, Any]:
    node = node_of(request)
    return {
        "register": node.aeo.register(principal),
        "partner_operators": node.aeo.partner_operators(principal),
        "can_edit": principal.is_staff,
        "actions": AEO_ACTIONS,
        "today": node.declarations.today(node.declarations.clock()).isoformat(),
        "form": {},
        "errors": [],
        "target": None,
    }


@router.get("/aeo")
async def aeo_page(request: Request, principal: PagePrincipal) -> Response:
    try:
        context = await run_in_threadpool(_aeo_context, request, principal)
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    return render(request, "aeo.html", principal, **context)


@router.get("/aeo/{party_id}")
async def aeo_operator_page(request: Request, principal: PagePrincipal, party_id: str) -> Response:
    try:
        operator = await run_in_threadpool(node_of(request).aeo.operator, principal, party_id)
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    except NotFound as exc:
        return refusal(request, principal, str(exc), status=404)
    return render(request, "aeo_operator.html", principal, o=operator)


async def _aeo_act(
    request: Request,
    principal: Principal,
    party_id: str,
    action: str,
    raw: dict[str, Any],
    target: str,
) -> Response:
    """The action on the register; an invalid one shows the form again with its errors."""
    back = returning_to(request, "/console/aeo")
    aeo = node_of(request).aeo
    try:
        command = parse(aeo_command(AeoAction(action)), raw)
        done = await run_in_threadpool(aeo.act, principal, party_id, action, command)
    except InvalidRequest as exc:
        try:
            context = await run_in_threadpool(_aeo_context, request, principal)
        except Forbidden as refused:
            return refusal(request, principal, str(refused))
        context.update(form={**raw, "party_id": party_id}, errors=field_errors(exc), target=target)
        return render(request, "aeo.html", principal, status=422, **context)
    return redirect(
        back,
        (
            "ok",
            _(_DONE[action])
            % {"name": done["name"], "party": done["party_id"], "status": term(done["status"])},
        ),
    )


@router.post("/aeo")
async def aeo_apply(
    request: Request,
    principal: FormPrincipal,
    party_id: Annotated[str, Form(max_length=35)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    return await _aeo_act(request, principal, party_id.strip(), "apply", {"name": name}, "new")


@router.post("/aeo/{party_id}/{action}")
async def aeo_action(
    request: Request,
    principal: FormPrincipal,
    party_id: str,
    action: str,
    reason: Annotated[str, Form(max_length=1000)] = "",
    valid_from: Annotated[str, Form(max_length=10)] = "",
    valid_to: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if action not in _DONE or action == "apply":
        return redirect(
            "/console/aeo", ("error", _("Unknown AEO action %(action)r.") % {"action": action})
        )
    raw: dict[str, Any] = {}
    if action == "grant":
        raw = {"valid_from": valid_from, "valid_to": valid_to}
    elif action in ("suspend", "revoke", "refuse"):
        raw = {"reason": reason}
    return await _aeo_act(request, principal, party_id, action, raw, party_id)


# -- mutual administrative assistance ---------------------------------------------------------


def _cases_context(request: Request, principal: Principal, status: str) -> dict[str, Any]:
    node = node_of(request)
    return {
        "cases": node.assistance.cases(principal, status or None),
        "partners": node.exchange.partners_with("mutual_assistance"),
        "kinds": KINDS,
        "case_status": status,
        "form": {},
        "errors": [],
    }


@router.get("/assistance")
async def assistance_page(
    request: Request,
    principal: PagePrincipal,
    status: Annotated[str, Query(pattern="^(|open|answered|closed)$")] = "",
) -> Response:
    try:
        context = await run_in_threadpool(_cases_context, request, principal, status)
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    return render(request, "assistance.html", principal, **context)


@router.post("/assistance")
async def open_case(
    request: Request,
    principal: FormPrincipal,
    partner: Annotated[str, Form(max_length=2)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    subject: Annotated[str, Form(max_length=300)] = "",
    body: Annotated[str, Form(max_length=10_000)] = "",
    mrn: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    returning_to(request, "/console/assistance")
    node = node_of(request)
    raw = {"partner": partner, "kind": kind, "subject": subject, "body": body}
    if mrn.strip():
        raw["mrn"] = mrn.strip()
    try:
        case = await run_in_threadpool(node.assistance.open, principal, parse(AssistanceCase, raw))
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    except InvalidRequest as exc:
        context = await run_in_threadpool(_cases_context, request, principal, "")
        context.update(form=raw, errors=field_errors(exc))
        return render(request, "assistance.html", principal, status=422, **context)
    reference = case["reference"]
    return redirect(
        f"/console/assistance/{quote(reference)}",
        (
            "ok",
            _("Opened: case %(reference)s with %(partner)s.")
            % {"reference": reference, "partner": case["partner"]},
        ),
    )


@router.get("/assistance/{reference}")
async def case_page(request: Request, principal: PagePrincipal, reference: str) -> Response:
    try:
        case = await run_in_threadpool(node_of(request).assistance.case, principal, reference)
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    except NotFound as exc:
        return refusal(request, principal, str(exc), status=404)
    return render(request, "case.html", principal, c=case, kinds=KINDS)


@router.post("/assistance/{reference}/messages")
async def reply(
    request: Request,
    principal: FormPrincipal,
    reference: str,
    body: Annotated[str, Form(max_length=10_000)] = "",
    close: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    back = returning_to(request, f"/console/assistance/{quote(reference)}")
    closing = close == "on"
    message = parse(AssistanceReply, {"body": body, "close": closing})
    await run_in_threadpool(node_of(request).assistance.reply, principal, reference, message)
    return redirect(
        back,
        (
            "ok",
            _("Closed: case %(reference)s.") % {"reference": reference}
            if closing
            else _("Sent: your reply."),
        ),
    )


# -- advance export data (officers) --------------------------------------------------------------


@router.get("/advance-data")
async def advance_data_page(
    request: Request,
    principal: PagePrincipal,
    linked: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    """What partners sent ahead of the goods, and the imports it was matched with."""
    if not principal.is_staff:
        return refusal(request, principal, "advance export data is for customs officers")
    choice = {"yes": True, "no": False}.get(linked or "")
    items = await run_in_threadpool(node_of(request).trade.listing, choice, 200)
    return render(request, "advance_data.html", principal, items=items, linked=linked or "")
