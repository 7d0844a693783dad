"""Certificates of origin in the console: applying, the origin officer's queue, the printable
certificate with its QR code, and the public page that checks a certificate.

An exporter pastes its application as JSON (or uploads the file) and follows
it; an origin officer reads each line's determination and its explanation,
approves or refuses, cancels or replaces a certificate and reads the
importing side's answer (box 4). Anyone with a certificate's number (the QR
code on the printout points at it) sees its status and hash, nothing else.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

import orjson
import segno
from fastapi import File, Form, Path, Query, Request, UploadFile
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.params import RowId
from silkgate.i18n import _
from silkgate.kernel.actors import Principal
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.origin.application import Approval, Cancellation, Decision
from silkgate.web.pages import clock_of, node_of, redirect, refusal, render, templates
from silkgate.web.routing import console_router, field_errors, returning_to
from silkgate.web.session import FormPrincipal, OptionalPrincipal, PagePrincipal

router = console_router()

NUMBER = r"^[A-Z]{2}-E-[0-9]{4}-[0-9]{6}$"
Number = Annotated[str, Path(pattern=NUMBER)]
QUEUE = "/console/origin/applications"


def _application_url(application_id: int) -> str:
    return f"{QUEUE}/{application_id}"


def _certificate_url(number: str) -> str:
    return f"/console/origin/certificates/{quote(number)}"


# -- the list: the exporter's applications, the officer's queue -------------------------------


def _queue(request: Request, principal: Principal, status: str) -> dict[str, Any]:
    service = node_of(request).certificates
    return {
        "applications": service.applications(principal, status or None, 200, determinations=True),
        "certificates": service.certificates(principal, None, 50),
        "chosen": status,
        "applies": principal.role.value == "declarant",
        "decides": principal.certifies_origin,
        "text": "",
        "errors": [],
    }


@router.get("/origin/applications")
async def applications_page(
    request: Request,
    principal: PagePrincipal,
    status: Annotated[str | None, Query(pattern="^(|submitted|approved|refused)$")] = None,
) -> Response:
    """The exporter's applications and its form; the origin officers' queue."""
    chosen = status if status is not None else ("submitted" if principal.certifies_origin else "")
    try:
        context = await run_in_threadpool(_queue, request, principal, chosen)
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    return render(request, "origin_applications.html", principal, **context)


async def _sent(text: str, file: UploadFile | None, limit: int) -> tuple[Any, str]:
    """The application sent, parsed, and its text: the file if one was chosen, else the text
    pasted; InvalidRequest naming the field if it is missing, too large or not JSON."""
    where = "/application"
    if file is not None and file.filename:
        data = await file.read(limit + 1)
        if len(data) > limit:
            raise InvalidRequest([FieldError("/file", "too_large", f"over {limit} bytes")])
        text, where = data.decode("utf-8-sig", errors="replace"), "/file"
    if not text.strip():
        raise InvalidRequest([FieldError(where, "missing", "the application, as JSON")])
    try:
        raw = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest([FieldError(where, "malformed", f"not JSON: {exc}")]) from None
    return raw, json.dumps(raw, indent=2, ensure_ascii=False) if where == "/file" else text


@router.post("/origin/applications")
async def apply(
    request: Request,
    principal: FormPrincipal,
    application: Annotated[str, Form(max_length=1_000_000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Apply for a certificate: the node determines each line's origin at once."""
    node = node_of(request)
    text = application
    try:
        raw, text = await _sent(application, file, node.settings.max_body_bytes)
        found = await run_in_threadpool(node.certificates.apply, principal, raw)
    except InvalidRequest as exc:
        context = await run_in_threadpool(_queue, request, principal, "")
        context.update(text=text, errors=field_errors(exc))
        return render(request, "origin_applications.html", principal, status=422, **context)
    verdict = _("every line originates") if found["originating"] else _("not every line originates")
    return redirect(
        _application_url(found["id"]),
        (
            "ok",
            _("Applied: application %(id)s (%(verdict)s); an origin officer decides.")
            % {"id": found["id"], "verdict": verdict},
        ),
    )


# -- one application: the determinations, the decision, the certificate ----------------------


@router.get("/origin/applications/{application_id}")
async def application_page(
    request: Request, principal: PagePrincipal, application_id: RowId
) -> Response:
    """An application's boxes, each line's determination and why, its decision."""
    service = node_of(request).certificates
    try:
        a = await run_in_threadpool(service.application, principal, application_id)
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    except NotFound as exc:
        return refusal(request, principal, str(exc), status=404)
    return render(
        request,
        "origin_application.html",
        principal,
        a=a,
        app=a["application"],
        lines=list(zip(a["application"]["lines"], a["determinations"], strict=True)),
        c=a["certificate"],
        decides=principal.certifies_origin,
    )


@router.post("/origin/applications/{application_id}/approve")
async def approve(
    request: Request,
    principal: FormPrincipal,
    application_id: RowId,
    place: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    back = returning_to(request, _application_url(application_id))
    approval = parse(Approval, {"place": place.strip() or None})
    found = await run_in_threadpool(
        node_of(request).certificates.approve, principal, application_id, approval
    )
    return redirect(
        back, ("ok", _("Approved: certificate %(number)s issued.") % {"number": found["number"]})
    )


@router.post("/origin/applications/{application_id}/refuse")
async def refuse(
    request: Request,
    principal: FormPrincipal,
    application_id: RowId,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    back = returning_to(request, _application_url(application_id))
    decision = parse(Decision, {"reason": reason})
    await run_in_threadpool(
        node_of(request).certificates.refuse, principal, application_id, decision
    )
    return redirect(back, ("ok", _("Refused: application %(id)s.") % {"id": application_id}))


@router.post("/origin/certificates/{number}/cancel")
async def cancel(
    request: Request,
    principal: FormPrincipal,
    number: Number,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    service = node_of(request).certificates
    found = await run_in_threadpool(service.certificate, principal, number)
    back = returning_to(request, _application_url(found["application_id"]))
    cancellation = parse(Cancellation, {"reason": reason})
    await run_in_threadpool(service.cancel, principal, number, cancellation)
    return redirect(back, ("ok", _("Cancelled: certificate %(number)s.") % {"number": number}))


@router.post("/origin/certificates/{number}/replace")
async def replace(
    request: Request,
    principal: FormPrincipal,
    number: Number,
    application: Annotated[str, Form(max_length=1_000_000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    node = node_of(request)
    found = await run_in_threadpool(node.certificates.certificate, principal, number)
    returning_to(request, _application_url(found["application_id"]))
    raw, _name = await _sent(application, file, node.settings.max_body_bytes)
    new = await run_in_threadpool(node.certificates.replace, principal, number, raw)
    return redirect(
        _application_url(new["application_id"]),
        (
            "ok",
            _("Replaced: certificate %(new)s replaces %(old)s.")
            % {"new": new["number"], "old": number},
        ),
    )


# -- the certificate: public check, printable copy ---------------------------------------------


@router.get("/origin/certificates/{number}")
async def public_page(request: Request, principal: OptionalPrincipal, number: Number) -> Response:
    """Whether a certificate is genuine and in force: status, dates, hash, signature."""
    node = node_of(request)
    try:
        found = await run_in_threadpool(lambda: node.certificates.lookup(number, signature=True))
    except NotFound:
        return render(request, "origin_certificate.html", principal, status=404, c=None,
                      number=number)  # fmt: skip
    expired = found["valid_until"] < node.origin.today().isoformat()
    return render(
        request, "origin_certificate.html", principal, c=found, number=number, expired=expired
    )


def qr_code(url: str) -> Markup:
    """An inline SVG QR code of ``url`` (no style attribute: the console's policy refuses
    inline styles)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=3, border=2, svgclass="qr", lineclass=None, title=_("Check this certificate")
    )
    # segno's own markup, of a URL this node built: nothing a user wrote goes in unescaped.
    return Markup(svg)


@router.get("/origin/certificates/{number}/print")
async def print_page(request: Request, principal: PagePrincipal, number: Number) -> Response:
    """The printable certificate (the exporter's own, or any for origin officers), with a QR
    code that points at the public page."""
    node = node_of(request)
    try:
        c = await run_in_threadpool(node.certificates.certificate, principal, number)
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    except NotFound as exc:
        return refusal(request, principal, str(exc), status=404)
    public = node.exchange.endpoint + _certificate_url(number)
    return templates.TemplateResponse(
        request,
        "origin_certificate_print.html",
        {
            "c": c,
            "doc": c["document"],
            "public": public,
            "qr": qr_code(public),
            "officer_view": principal.certifies_origin,
            "printed": clock_of(node)().strftime("%Y-%m-%d %H:%M"),
        },
    )
