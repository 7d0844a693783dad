"""The single window in the console: the agencies' LPCOs and the public requirements.

An agency officer lists its agency's LPCOs with their balances, issues one,
and on an LPCO's page amends, suspends, reinstates or revokes it and reads its
journal and draw-downs; customs staff read every LPCO, a declarant those it
holds. Anyone looks up which LPCOs goods need (``/console/requirements``, beside
the tariff).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Form, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.lpco import NUMBER
from silkgate.i18n import _
from silkgate.kernel.commands import parse
from silkgate.lpco.commands import AmendLpco, IssueLpco, LpcoDecision
from silkgate.lpco.licence import DOCUMENT_CODES, Flow, Kind
from silkgate.web.pages import node_of, redirect, render, today
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal, OptionalPrincipal, PagePrincipal

router = console_router()
PAGE = "/console/lpcos"
Number = Annotated[str, Path(pattern=NUMBER)]


@router.get("/requirements")
async def requirements_page(
    request: Request,
    principal: OptionalPrincipal,
    hs: Annotated[str, Query(pattern=r"^[0-9]{0,10}$")] = "",
    country: Annotated[str, Query(pattern=r"^([A-Z]{2})?$")] = "",
    flow: Annotated[str, Query(pattern=r"^(import|export|transit)?$")] = "",
) -> Response:
    """Which licences, permits and certificates goods need; no login needed."""
    node = node_of(request)
    found: list[dict[str, Any]] | None = None
    if len(hs) >= 2:
        chosen = Flow(flow) if flow else None
        found = node.lpco.requirements.lookup(hs, country or None, chosen, today(node))
    return render(
        request, "requirements.html", principal, hs=hs, country=country, flow=flow,
        found=found, flows=[f.value for f in Flow],
    )  # fmt: skip


@router.get("/lpcos")
async def lpcos_page(request: Request, principal: PagePrincipal) -> Response:
    """The LPCOs the user reads, with balances; an agency officer's form to issue one."""
    node = node_of(request)
    items = await run_in_threadpool(node.lpco.register.listing, principal)
    issues = principal.agency is not None
    start = today(node)
    return render(
        request, "lpcos.html", principal, items=items, issues=issues,
        kinds=[(k.value, k.words, DOCUMENT_CODES[k]) for k in Kind],
        flows=[f.value for f in Flow], start=start.isoformat(),
        end=(start + dt.timedelta(days=365)).isoformat(),
    )  # fmt: skip


@router.post("/lpcos")
async def issue(
    request: Request,
    principal: FormPrincipal,
    kind: Annotated[str, Form(max_length=30)] = "",
    holder: Annotated[str, Form(max_length=40)] = "",
    holder_name: Annotated[str, Form(max_length=200)] = "",
    hs: Annotated[str, Form(max_length=12)] = "",
    description: Annotated[str, Form(max_length=400)] = "",
    flow: Annotated[str, Form(max_length=10)] = "",
    country: Annotated[str, Form(max_length=2)] = "",
    office: Annotated[str, Form(max_length=5)] = "",
    quantity: Annotated[str, Form(max_length=30)] = "",
    unit: Annotated[str, Form(max_length=3)] = "",
    valid_from: Annotated[str, Form(max_length=10)] = "",
    valid_until: Annotated[str, Form(max_length=10)] = "",
    conditions: Annotated[str, Form(max_length=2000)] = "",
    examine: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    body: dict[str, Any] = {
        "kind": kind, "holder": holder, "holder_name": holder_name, "hs": hs,
        "description": description, "flow": flow, "quantity": quantity, "unit": unit,
        "valid_from": valid_from, "valid_until": valid_until, "conditions": conditions,
        "examine": examine == "on",
    }  # fmt: skip
    if country:
        body["country"] = country
    if office:
        body["office"] = office
    command = parse(IssueLpco, body)
    found = await run_in_threadpool(node_of(request).lpco.register.issue, principal, command)
    return redirect(
        f"{PAGE}/{found['number']}",
        (
            "ok",
            _("Issued: %(number)s for %(quantity)s %(unit)s.")
            % {"number": found["number"], "quantity": found["quantity"], "unit": found["unit"]},
        ),
    )


@router.get("/lpcos/{number}")
async def lpco_page(request: Request, principal: PagePrincipal, number: Number) -> Response:
    """One LPCO: its terms, balance, journal of changes and draw-downs."""
    found = await run_in_threadpool(node_of(request).lpco.register.get, principal, number)
    partner = found.get("administration") is not None
    own = principal.agency is not None
    return render(
        request, "lpco.html", principal, lpco=found,
        manages=own and not partner and principal.agency == found["agency"],
        accepts=own and partner and principal.agency == found.get("acceptor")
        and found["status"] == "received",
    )  # fmt: skip


@router.post("/lpcos/{number}/amend")
async def amend(
    request: Request,
    principal: FormPrincipal,
    number: Number,
    reason: Annotated[str, Form(max_length=1000)] = "",
    quantity: Annotated[str, Form(max_length=30)] = "",
    valid_until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    back = returning_to(request, f"{PAGE}/{number}")
    body: dict[str, Any] = {"reason": reason}
    if quantity:
        body["quantity"] = quantity
    if valid_until:
        body["valid_until"] = valid_until
    command = parse(AmendLpco, body)
    found = await run_in_threadpool(
        node_of(request).lpco.register.amend, principal, number, command
    )
    return redirect(
        back,
        (
            "ok",
            _("Amended: %(number)s, %(balance)s left.")
            % {"number": found["number"], "balance": found["balance"]},
        ),
    )


@router.post("/lpcos/{number}/{action}")
async def decide(
    request: Request,
    principal: FormPrincipal,
    number: Number,
    action: Annotated[str, Path(pattern="^(suspend|reinstate|revoke|accept|refuse)$")],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    back = returning_to(request, f"{PAGE}/{number}")
    command = parse(LpcoDecision, {"reason": reason})
    found = await run_in_threadpool(
        node_of(request).lpco.register.decide, principal, number, action, command
    )
    return redirect(back, ("ok", f"{found['number']} is {found['status']}."))
