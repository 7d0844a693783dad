"""Questions and answers, documents and live updates on a declaration's page.

The declaration's page loads a panel of its own (htmx): the questions asked
and answered, the documents, and the forms to ask, answer and upload. The
panel polls ``/console/live`` and the page reloads itself when the
declaration changes (a channel, a question, an answer, a document, a release).
``/console/questions`` lists what waits on whom: the trader's questions to
answer, the officer's answers to read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Any

from fastapi import File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.i18n import _
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import FieldError, InvalidRequest, NotFound
from silkgate.portal import uploads
from silkgate.portal.form import N_
from silkgate.store.declarations import Filters
from silkgate.web.pages import node_of, redirect, refusal, render, templates, today
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal, OptionalPrincipal, PagePrincipal

router = console_router()

# Words the panel translates from data (the kinds of document, of payment, a claim's status),
# marked here for the portal's catalogue.
_WORDS = (
    N_("invoice"), N_("packing list"), N_("certificate"), N_("photo"),
    N_("transport document"), N_("other"), N_("payment"), N_("guarantee"),
    N_("claimed"), N_("confirmed"), N_("refused"),
)  # fmt: skip


def _panel(request: Request, principal: Principal, mrn: str) -> dict[str, Any]:
    node = node_of(request)
    d = node.declarations.get(principal, mrn)
    questions = node.portal.questions.of_declaration(principal, mrn)
    documents = node.portal.documents.listed(principal, mrn)
    claims = node.portal.payments.of_declaration(principal, mrn)
    return {
        "d": d,
        "questions": questions,
        "documents": documents,
        "kinds": uploads.KINDS,
        "today": today(node).isoformat(),
        "claims": claims,
        "confirmed": node.settings.portal_payments_confirmed,
        "stamp": _stamp_of(d, questions, documents + [c["status"] for c in claims]),
        "limit": node.settings.upload_limit(),
    }


def _stamp_of(d: dict[str, Any], questions: list[Any], documents: list[Any]) -> str:
    """What the page shows that may change: a new stamp, and the page is out of date."""
    said = [d["status"], d.get("channel") or "", str(d["version"]), d["updated_at"]]
    said += [f"{q['id']}:{q['answered_at'] is not None}" for q in questions]
    said += [str(len(documents))]
    return hashlib.sha256("|".join(said).encode()).hexdigest()[:16]


@router.get("/declarations/{mrn}/portal")
async def portal_panel(request: Request, principal: PagePrincipal, mrn: str) -> Response:
    """The panel of questions, documents and their forms (htmx, on the declaration's page)."""
    try:
        context = await run_in_threadpool(_panel, request, principal, mrn)
    except NotFound:
        return Response(status_code=404)
    return templates.TemplateResponse(
        request, "portal_panel.html", {"principal": principal, **context}
    )


def _list_stamp(request: Request, principal: Principal) -> str:
    node = node_of(request)
    page = node.declarations.search(principal, Filters(), limit=50)
    said = [f"{d['mrn']}:{d['status']}:{d.get('channel')}:{d['version']}" for d in page.items]
    said += [
        f"{q['id']}:{q['answered_at'] is not None}" for q in node.portal.questions.listed(principal)
    ]
    return hashlib.sha256("|".join(said).encode()).hexdigest()[:16]


@router.get("/live")
async def live(
    request: Request,
    principal: OptionalPrincipal,
    mrn: Annotated[str, Query(max_length=40)] = "",
    stamp: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """Whether the page (a declaration's, or the list) is out of date: htmx polls this and
    reloads the page when it is (``HX-Refresh``). Without a stamp: the poller, stamped now."""
    if principal is None:
        return Response(status_code=401)
    try:
        if mrn:
            now = (await run_in_threadpool(_panel, request, principal, mrn))["stamp"]
        else:
            now = await run_in_threadpool(_list_stamp, request, principal)
    except NotFound:
        return Response(status_code=404)
    if not stamp:
        return templates.TemplateResponse(request, "portal_live.html", {"mrn": mrn, "stamp": now})
    if stamp != now:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return Response(status_code=204)


@router.get("/questions")
async def questions_page(request: Request, principal: PagePrincipal) -> Response:
    """What waits on whom: a trader's questions, or every question for customs."""
    if principal.role is not Role.DECLARANT and not principal.is_staff:
        return refusal(request, principal, _("Questions are the trader's and customs'."), 403)
    node = node_of(request)
    found = await run_in_threadpool(node.portal.questions.listed, principal)
    on = today(node)
    return render(
        request, "portal_questions.html", principal,
        questions=found, overdue={q["id"] for q in found if node.portal.questions.overdue(q, on)},
    )  # fmt: skip


@router.post("/declarations/{mrn}/request_information")
async def request_information(
    request: Request,
    principal: FormPrincipal,
    mrn: str,
    question: Annotated[str, Form(max_length=1000)] = "",
    deadline: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    back = returning_to(request, f"/console/declarations/{mrn}")
    by = None
    if deadline.strip():
        try:
            by = dt.date.fromisoformat(deadline.strip())
        except ValueError:
            raise InvalidRequest(
                [FieldError("/deadline", "invalid", _("a date such as 2026-12-31"))]
            ) from None
    service = node_of(request).declarations.information
    await run_in_threadpool(service.request, principal, mrn, question, by)
    return redirect(back, ("ok", _("Question sent: the declaration waits for the answer.")))


def _upload_words(code: str, limit: int) -> str | None:
    """Why an upload was refused, in the reader's language (by the refusal's code)."""
    words = {
        "type": _("only PDF, PNG, JPEG and XML documents are accepted"),
        "mismatch": _(
            "the file's content does not match its name: name it for what it is "
            "(.pdf, .png, .jpg or .xml)"
        ),
        "too_large": _("the file is over the limit of {n} bytes").format(n=f"{limit:,}"),
        "empty": _("the file is empty"),
        "name": _("the file needs a plain name of at most 200 characters"),
        "kind": _("choose the kind of document"),
    }
    return words.get(code)


def _in_words(exc: InvalidRequest, limit: int) -> InvalidRequest:
    return InvalidRequest(
        [
            FieldError(e.pointer, e.code, _upload_words(e.code, limit) or e.detail)
            if e.pointer == "/file"
            else e
            for e in exc.errors
        ]
    )


async def _read(file: UploadFile | None, limit: int) -> tuple[str, bytes] | None:
    if file is None or not file.filename:
        return None
    return file.filename, await file.read(limit + 1)


@router.post("/declarations/{mrn}/answer")
async def answer(
    request: Request,
    principal: FormPrincipal,
    mrn: str,
    text: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=20)] = "other",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The trader's answer, with a document if one is chosen: the document is checked first,
    so a refused one leaves the question unanswered and nothing stored."""
    back = returning_to(request, f"/console/declarations/{mrn}")
    node = node_of(request)
    sent = await _read(file, node.settings.upload_limit())
    limit = node.settings.upload_limit()
    if sent is not None:
        try:
            uploads.accepted(kind, sent[0], sent[1], limit)
        except uploads.Refused as exc:
            words = _upload_words(exc.code, limit) or str(exc)
            raise InvalidRequest([FieldError("/file", exc.code, words)]) from None
    await run_in_threadpool(node.declarations.information.answer, principal, mrn, text)
    if sent is not None:
        await run_in_threadpool(
            node.portal.documents.upload, principal, mrn, kind, sent[0], sent[1]
        )
    return redirect(back, ("ok", _("Answer sent: customs will resume the declaration.")))


@router.post("/declarations/{mrn}/documents")
async def upload(
    request: Request,
    principal: FormPrincipal,
    mrn: str,
    kind: Annotated[str, Form(max_length=20)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    back = returning_to(request, f"/console/declarations/{mrn}")
    node = node_of(request)
    sent = await _read(file, node.settings.upload_limit())
    if sent is None:
        raise InvalidRequest([FieldError("/file", "missing", _("choose a file to upload"))])
    try:
        done = await run_in_threadpool(
            node.portal.documents.upload, principal, mrn, kind, sent[0], sent[1]
        )
    except InvalidRequest as exc:
        raise _in_words(exc, node.settings.upload_limit()) from None
    return redirect(
        back, ("ok", _("Uploaded: {name} ({kind}).").format(name=done.filename, kind=done.kind))
    )


@router.get("/declarations/{mrn}/documents/{document_id}")
async def download(
    request: Request, principal: PagePrincipal, mrn: str, document_id: int
) -> Response:
    """A document as it was uploaded (its declaration's readers only)."""
    try:
        found, data = await run_in_threadpool(
            node_of(request).portal.documents.read, principal, mrn, document_id
        )
    except NotFound:
        return Response(_("No such document."), status_code=404, media_type="text/plain")
    name = found["filename"].encode("ascii", "replace").decode().replace('"', "'")
    return Response(
        data,
        media_type=found["media_type"],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
