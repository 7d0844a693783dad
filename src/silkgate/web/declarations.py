"""Declarations in the console: the list, one declaration, its release note, and the
decisions taken on it (an officer's action, a payment). The outcome of a control is in
:mod:`silkgate.web.outcomes`, the declarant's amendment in :mod:`silkgate.web.amendments`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.declarations.commands import Decision, PaymentBody
from silkgate.declarations.states import Action, Status
from silkgate.i18n import _
from silkgate.kernel.actors import Principal
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import InvalidRequest, NotFound
from silkgate.node import Node
from silkgate.store.declarations import Filters
from silkgate.web.formats import money, term
from silkgate.web.pages import LOGIN, clock_of, node_of, redirect, refusal, render, templates
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal, OptionalPrincipal, PagePrincipal

router = console_router()

_RELEASED = ("released", "conditionally_released")


def _filters(request: Request) -> tuple[Filters, dict[str, str]]:
    q = request.query_params
    chosen: dict[str, str] = {}
    for name in ("status", "type", "office", "hs_code", "lrn"):
        value = (q.get(name) or "").strip()[:35]
        if value:
            chosen[name] = value
    if chosen.get("status") not in {s.value for s in Status}:
        chosen.pop("status", None)
    if chosen.get("type") not in ("IM", "EX"):
        chosen.pop("type", None)
    if not chosen.get("hs_code", "0").isdigit():
        chosen.pop("hs_code", None)
    filters = Filters(
        status=chosen.get("status"),
        type=chosen.get("type"),
        office=chosen.get("office"),
        lrn=chosen.get("lrn"),
        hs_code=chosen.get("hs_code"),
    )
    return filters, chosen


def _page(request: Request, principal: Principal) -> tuple[Any, dict[str, str]]:
    filters, chosen = _filters(request)
    cursor = request.query_params.get("cursor") or None
    try:
        page = node_of(request).declarations.search(
            principal, filters, limit=50, cursor=cursor, names=True
        )
    except InvalidRequest:  # a stale or forged cursor: the first page
        page = node_of(request).declarations.search(principal, filters, limit=50, names=True)
    return page, chosen


@router.get("")
async def declarations_page(request: Request, principal: PagePrincipal) -> Response:
    if not principal.reads_declarations:
        return refusal(
            request,
            principal,
            _(
                "An origin officer works on certificates of origin, not declarations: "
                "see Certificates."
            ),
        )
    page, chosen = await run_in_threadpool(_page, request, principal)
    return render(
        request,
        "list.html",
        principal,
        page=page,
        filters=chosen,
        query=urlencode(chosen),
        statuses=[s.value for s in Status],
        offices=sorted(node_of(request).codes.offices),
    )


@router.get("/rows")
async def declaration_rows(request: Request, principal: OptionalPrincipal) -> Response:
    """More rows of the list, for htmx: without a login, htmx is told to go to the login page."""
    if principal is None:
        return Response(status_code=401, headers={"HX-Redirect": LOGIN})
    page, chosen = await run_in_threadpool(_page, request, principal)
    return templates.TemplateResponse(
        request, "rows.html", {"page": page, "query": urlencode(chosen)}
    )


@router.get("/declarations/{mrn}")
async def declaration_page(request: Request, principal: PagePrincipal, mrn: str) -> Response:
    node = node_of(request)
    service = node.declarations

    def load() -> tuple[Any, Any, Any, Any, Any, Any]:
        d = service.get(principal, mrn)
        return (
            d,
            service.timeline(principal, mrn),
            service.versions(principal, mrn),
            _advance_data(node, principal, d),
            node.risk.outcomes(principal, mrn) if principal.sees_all else [],
            node.lpco.check.of_mrn(principal, mrn),
        )

    try:
        d, timeline, versions, advance, outcomes, lpcos = await run_in_threadpool(load)
    except NotFound:
        # Another trader's declaration included: a trader must not learn that it exists.
        return refusal(request, principal, _("No declaration %(mrn)s.") % {"mrn": mrn}, status=404)
    return render(
        request,
        "detail.html",
        principal,
        d=d,
        timeline=timeline,
        versions=versions,
        advance=advance,
        outcomes=outcomes,
        lpcos=lpcos,
        currency=service.currency,
    )


def _advance_data(node: Node, principal: Principal, d: dict[str, Any]) -> dict[str, Any] | None:
    """The partner's export data linked to an import, for customs staff only.

    None when there is nothing to say: a trader, an export, or no agreement with
    the country of dispatch (and nothing received).
    """
    if not principal.is_staff or d["type"] != "IM":
        return None
    from silkgate.store import declarations as declaration_store
    from silkgate.store.db import reading

    with reading(node.engine) as conn:
        stored = declaration_store.get(conn, d["mrn"])
        items = node.trade.of_declaration(conn, stored.id) if stored is not None else []
    partner = d["document"]["transport"]["dispatch_country"]
    if not items and not node.exchange.agreed(partner, "advance_export_data"):
        return None
    return {"partner": partner, "items": items}


@router.get("/declarations/{mrn}/release-note")
async def release_note(request: Request, principal: PagePrincipal, mrn: str) -> Response:
    """A printable release note for the trader (the declarant's own, or staff)."""
    node = node_of(request)
    service = node.declarations

    def load() -> tuple[Any, Any]:
        return service.get(principal, mrn), service.timeline(principal, mrn)

    try:
        d, timeline = await run_in_threadpool(load)
    except NotFound:
        return refusal(request, principal, _("No declaration %(mrn)s.") % {"mrn": mrn}, status=404)
    released = [e for e in timeline if e["to_status"] in _RELEASED]
    if d["status"] not in _RELEASED or not released:
        return redirect(
            f"/console/declarations/{mrn}", ("error", _("There is no release note: not released."))
        )
    return templates.TemplateResponse(
        request,
        "release_note.html",
        {
            "d": d,
            "doc": d["document"],
            "a": d["assessment"],
            "released": released[-1],
            "administration": node.settings.administration,
            "printed": clock_of(node)(),
            # The office's zone: a release note is read at the office, in its local time.
            "zone": node.settings.timezone,
        },
    )


# The forms on a declaration's page. Their paths come before ``/{action}``, which
# would otherwise take them.


@router.post("/declarations/{mrn}/payments")
async def record_payment(
    request: Request,
    principal: FormPrincipal,
    mrn: str,
    amount: Annotated[str, Form(max_length=30)],
    reference: Annotated[str, Form(max_length=70)],
    kind: Annotated[str, Form(max_length=10)] = "payment",
    currency: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    back = returning_to(request, f"/console/declarations/{mrn}")
    try:
        value = Decimal(amount.strip())
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return redirect(
            back, ("error", _("Amount %(amount)r is not a number.") % {"amount": amount})
        )
    service = node_of(request).declarations
    currency = currency or service.currency
    raw = {"kind": kind, "amount": value, "currency": currency, "reference": reference}
    await run_in_threadpool(lambda: service.record_payment(principal, mrn, parse(PaymentBody, raw)))
    return redirect(
        back,
        (
            "ok",
            _("Recorded: %(kind)s of %(amount)s.")
            % {"kind": term(kind), "amount": money(value, currency)},
        ),
    )


@router.post("/declarations/{mrn}/{action}")
async def act(
    request: Request,
    principal: FormPrincipal,
    mrn: str,
    action: str,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """An officer's (or the declarant's) action on the declaration: release, cancel..."""
    back = returning_to(request, f"/console/declarations/{mrn}")
    try:
        chosen = Action(action)
    except ValueError:
        return redirect(back, ("error", _("Unknown action %(action)r.") % {"action": action}))
    if chosen is Action.AMEND:  # the new document is written on a page of its own
        return redirect(f"/console/declarations/{mrn}/amend")
    decision = parse(Decision, {"reason": reason})
    await run_in_threadpool(node_of(request).declarations.act, principal, mrn, chosen, decision)
    return redirect(back, ("ok", _("Done: %(action)s.") % {"action": term(chosen.value)}))
