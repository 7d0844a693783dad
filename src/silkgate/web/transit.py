"""Transit in the console: an office's movements and what waits on it, a movement with its
route drawn as a diagram and the steps this node may record, and a guarantee's balance.

An officer picks one of this node's offices and a list (expected arrivals,
en route, arrived, overdue, under enquiry, discharged); each row says what
waits on this node. The movement's page shows the itinerary as a server-drawn
SVG route, the steps, and the forms of the steps this node's officers record
(release, a crossing, the arrival, the control results, an incident, a
diversion accepted, cancellation before release). A holder sees its own
movements and its guarantees' balances. The forms call the same services as
the API (``api/transit.py``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.params import MRN
from silkgate.i18n import _
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.commands import parse
from silkgate.node import Node
from silkgate.transit.document import (
    Arrival,
    Cancellation,
    ControlResults,
    Crossing,
    Incident,
    Release,
)
from silkgate.transit.route import diagram
from silkgate.web.pages import node_of, redirect, render
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal, PagePrincipal

router = console_router()
PAGE = "/console/transit"
MrnPath = Annotated[str, Path(pattern=MRN)]
VIEWS = ("expected", "en_route", "arrived", "overdue", "enquiry", "discharged", "all")
Field = Annotated[str, Form(max_length=500)]


def _own_offices(node: Node) -> list[dict[str, Any]]:
    admin = node.transit.node.administration
    return [o for o in node.transit.offices() if o["administration"] == admin]


def waiting(m: dict[str, Any]) -> str:
    """What waits on this node for a movement, in a few words ("" when nothing does)."""
    role, status = m["role"], m["status"]
    if role == "departure":
        if status == "accepted":
            return _("release for transit")
        if m["diverted"] and not m["diversion_accepted"] and status != "discharged":
            return _("accept the diversion")
        if status == "enquiry":
            return _("enquiry: answer due %(due)s") % {"due": (m["enquiry_due"] or "")[:10]}
        return ""
    if role == "transit" and status == "released":
        return _("record the crossing")
    if role == "destination" and status in ("released", "en_route"):
        return _("expected: record the arrival")
    if role == "destination" and status == "arrived":
        if m["control_required"]:
            return _("examine the goods (incident en route), then the control results")
        return _("record the control results")
    return ""


@router.get("/transit")
async def transit_page(
    request: Request,
    principal: PagePrincipal,
    office: Annotated[str, Query(pattern=r"^([A-Z]{2}[A-Z2-9]{3})?$")] = "",
    view: Annotated[str, Query(pattern="^(" + "|".join(VIEWS) + ")?$")] = "",
) -> Response:
    """An office's movements (an officer), or the holder's movements and guarantees."""
    node = node_of(request)
    offices = _own_offices(node)
    holder = principal.role is Role.DECLARANT
    if holder:
        items = await run_in_threadpool(node.transit.listing, principal, limit=200)
        guarantees = await run_in_threadpool(node.transit.guarantees.listing, principal)
    else:
        office = office or (offices[0]["code"] if offices else "")
        items = await run_in_threadpool(
            node.transit.listing, principal, office=office or None, view=view or "all", limit=200
        )
        guarantees = []
    rows = [{**m, "waiting": waiting(m)} for m in items]
    return render(
        request, "transit.html", principal, rows=rows, offices=offices, office=office,
        view=view or "all", views=VIEWS, holder=holder, guarantees=guarantees,
    )  # fmt: skip


@router.get("/transit/movements/{mrn}")
async def movement_page(request: Request, principal: PagePrincipal, mrn: MrnPath) -> Response:
    """One movement: its route as a diagram, its steps, and this node's forms."""
    node = node_of(request)
    found = await run_in_threadpool(node.transit.show, principal, mrn)
    names = {str(o["code"]): str(o["name"]) for o in node.transit.offices()}
    own = _own_offices(node)
    return render(
        request, "transit_movement.html", principal, m=found, route=diagram(found, names),
        waiting=waiting(found), staff=principal.is_staff, own=own,
        transit_here=[c for c in found["itinerary"]["transit"] if c in {o["code"] for o in own}],
    )  # fmt: skip


@router.get("/transit/guarantees/{reference}")
async def guarantee_page(
    request: Request,
    principal: PagePrincipal,
    reference: Annotated[str, Path(pattern=r"^[0-9A-Z-]{1,24}$")],
) -> Response:
    """A guarantee's balance: reference amount, reserved, recovered, per movement."""
    found = await run_in_threadpool(
        node_of(request).transit.guarantees.balance, principal, reference
    )
    return render(request, "transit_guarantee.html", principal, g=found)


@router.post("/transit/sweep")
async def sweep(request: Request, principal: FormPrincipal) -> Response:
    back = returning_to(request, PAGE + "?view=enquiry")
    done = await run_in_threadpool(node_of(request).transit.enquiries.sweep, principal)
    text = _("Sweep: %(opened)s enquiries opened, %(recovered)s recovered.") % {
        "opened": len(done["enquiries"]), "recovered": len(done["recovered"]),
    }  # fmt: skip
    return redirect(back, ("ok", text))


@router.post("/transit/movements/{mrn}/{action}")
async def act(
    request: Request,
    principal: FormPrincipal,
    mrn: MrnPath,
    action: Annotated[
        str, Path(pattern="^(release|crossing|arrival|control|incident|diversion|cancel)$")
    ],
    office: Annotated[str, Form(max_length=5)] = "",
    note: Field = "",
    reason: Field = "",
    result: Annotated[str, Form(max_length=16)] = "",
    kind: Annotated[str, Form(max_length=16)] = "",
    new_seals: Field = "",
    seals_checked: Annotated[str, Form(max_length=3)] = "",
    seals_broken: Annotated[str, Form(max_length=3)] = "",
    examined: Annotated[str, Form(max_length=3)] = "",
    vehicle: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """A step of the movement recorded from its page (the services decide who may)."""
    back = returning_to(request, f"{PAGE}/movements/{mrn}")
    t = node_of(request).transit
    extra = {"note": note} if note else {}
    call: Any
    if action == "release":
        call = (
            t.departure.release,
            parse(Release, {"seals_checked": bool(seals_checked), **extra}),
        )
    elif action == "crossing":
        body = {"office": office, "seals_intact": not seals_broken, **extra}
        call = (t.journey.cross, parse(Crossing, body))
    elif action == "arrival":
        call = (t.journey.arrive, parse(Arrival, {"office": office, **extra}))
    elif action == "control":
        body = {"result": result, "examined": bool(examined), "seals_intact": not seals_broken}
        call = (t.journey.control, parse(ControlResults, {**body, **extra}))
    elif action == "incident":
        seals = [s.strip() for s in new_seals.replace(";", ",").split(",") if s.strip()]
        body = {"office": office, "kind": kind, "note": note, "new_seals": seals}
        if vehicle:  # after a transhipment: MODE:IDENTITY:NATIONALITY
            mode, _sep, rest = vehicle.partition(":")
            identity, _sep, nationality = rest.rpartition(":")
            body["transport"] = {"mode": mode, "identity": identity, "nationality": nationality}
        call = (t.incidents.record, parse(Incident, body))
    elif action == "cancel":
        call = (t.departure.cancel, parse(Cancellation, {"reason": reason}))
    else:
        return await _accept_diversion(request, principal, mrn, back)
    found = await run_in_threadpool(call[0], principal, mrn, call[1])
    return redirect(back, ("ok", _("Done: %(mrn)s is %(status)s.") % _said(found)))


async def _accept_diversion(
    request: Request, principal: Principal, mrn: str, back: str
) -> Response:
    found = await run_in_threadpool(
        node_of(request).transit.departure.accept_diversion, principal, mrn
    )
    return redirect(back, ("ok", _("Done: %(mrn)s is %(status)s.") % _said(found)))


def _said(found: dict[str, Any]) -> dict[str, str]:
    return {"mrn": found["mrn"], "status": _(found["status"].replace("_", " "))}
