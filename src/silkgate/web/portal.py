"""The trader's declaration form in the console: lodge, check the duties, save a draft,
copy an earlier declaration, amend through the form.

Each input is named by the JSON pointer of the field it fills
(:mod:`silkgate.portal.form`), so the form posts the document the API takes
and goes through the same use cases: ``prepare`` (validation, pricing) to show
the duties, ``lodge`` and ``amend`` to send it. Errors come back with their
pointers and are shown beside their inputs; nothing is stored until it is
valid, except a draft, which is the form as it was.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.i18n import _
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.kernel.errors import PreconditionFailed as Stale
from silkgate.portal import form
from silkgate.portal.form import N_
from silkgate.web.pages import node_of, redirect, refusal, render, templates, today
from silkgate.web.portal_lists import code_lists, hs_options
from silkgate.web.routing import console_router
from silkgate.web.session import FormPrincipal, OptionalPrincipal, PagePrincipal

router = console_router()

# The portal's words on the console's shared pages (the menu, the list, a declaration's page),
# marked here for the portal's catalogue.
_SHARED = (
    N_("Lodge"), N_("Drafts"), N_("Webhook"), N_("Questions"),
    N_("Questions: what waits on whom"), N_("Lodge a declaration"),
    N_("Copy into a new declaration"), N_("Amend in the form, and see what changes"),
    N_("Declarations"),
)  # fmt: skip

FORM = "/console/lodge"
_ROW_OPS = ("add", "copy-", "remove-")
# The most inputs a form may post: every field of 999 items, and a few more.
_MAX_INPUTS = (len(form.ITEM) + 2) * form.MAX_ITEMS + 200


def _trader_only(request: Request, principal: Principal) -> Response | None:
    if principal.role is not Role.DECLARANT:
        return refusal(
            request, principal, _("Only a declarant lodges declarations through the form."), 403
        )
    return None


def _page(
    request: Request,
    principal: Principal,
    fields: dict[str, str],
    *,
    status: int = 200,
    errors: list[FieldError] | None = None,
    **context: Any,
) -> Response:
    rows = form.rows_of(fields)
    beside, apart = form.placed(errors or [], rows)
    return render(
        request, "portal_form.html", principal, status=status,
        fields=fields, rows=rows, sections=form.SECTIONS, item_fields=form.ITEM,
        beside=beside, apart=apart, error_count=len(errors or []),
        lists=code_lists(node_of(request)), party_id=principal.party_id,
        label_of=form.label_of, **context,
    )  # fmt: skip


def _start(node: Any, principal: Principal, q: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """The form's first fields: a draft's, a copy of a declaration, or the current version to
    amend; else a new import with the trader's declarant filled in."""
    if q.get("draft", "").isdigit():
        found = node.portal.drafts.get(principal, int(q["draft"]))
        return found["fields"], {"draft_id": found["id"]}
    if q.get("amend"):
        d = node.declarations.get(principal, q["amend"][:40])
        if "amend" not in d["allowed_actions"]:
            raise Forbidden(
                _("Declaration {mrn} cannot be amended now (it is {status}).").format(
                    mrn=d["mrn"], status=d["status"].replace("_", " ")
                )
            )
        return form.fields_of(d["document"]), {"amend": d["mrn"], "version": d["version"]}
    if q.get("copy"):
        d = node.declarations.get(principal, q["copy"][:40])
        fields = form.fields_of(d["document"])
        for blank in ("/lrn", "/transport/arrival_date"):  # this shipment's own
            fields.pop(blank, None)
        return fields, {"copied": d["mrn"]}
    return {"/type": "IM", "/declarant/role": "self", "/items/0/description": ""}, {}


@router.get("/lodge")
async def lodge_page(request: Request, principal: PagePrincipal) -> Response:
    """A new declaration, a draft to finish (``?draft=``), a copy (``?copy=MRN``) or an
    amendment (``?amend=MRN``)."""
    refused = _trader_only(request, principal)
    if refused:
        return refused
    node = node_of(request)
    try:
        fields, context = await run_in_threadpool(_start, node, principal, request.query_params)
    except NotFound as exc:
        return refusal(request, principal, _("Not found: {what}.").format(what=exc), 404)
    except Forbidden as exc:
        return refusal(request, principal, str(exc), 409)
    return _page(request, principal, fields, **context)


@router.post("/lodge")
async def lodge_form(request: Request, principal: FormPrincipal) -> Response:
    """The form posted: a row added, copied or removed; the duties checked; a draft saved;
    the declaration lodged or amended."""
    refused = _trader_only(request, principal)
    if refused:
        return refused
    posted = await request.form(max_fields=_MAX_INPUTS, max_files=0)
    raw = {k: v for k, v in posted.items() if isinstance(v, str)}
    op = raw.get("op", "check")
    fields = form.kept(raw)
    context: dict[str, Any] = {
        "draft_id": int(raw["draft_id"]) if raw.get("draft_id", "").isdigit() else None,
        "amend": raw.get("amend") or None,
        "version": int(raw["version"]) if raw.get("version", "").isdigit() else None,
        "reason": raw.get("reason", "")[:1000],
    }
    if op.startswith(_ROW_OPS):
        return _page(request, principal, form.edited(fields, op), **context)
    if op == "save":
        return await _save(request, principal, fields, context)
    return await _send(request, principal, fields, op, context)


async def _save(
    request: Request, principal: Principal, fields: dict[str, str], context: dict[str, Any]
) -> Response:
    title = " · ".join(
        v
        for v in (
            fields.get("/lrn"),
            fields.get("/exporter/name"),
            fields.get("/items/0/description"),
        )
        if v
    ) or _("Untitled")
    try:
        draft_id = await run_in_threadpool(
            node_of(request).portal.drafts.save, principal, context["draft_id"], title, fields
        )
    except NotFound:
        # Another trader's draft (or one deleted meanwhile): nothing is stored.
        return _page(
            request, principal, fields, status=404, **{**context, "draft_id": None},
            flash={"kind": "error", "text": _("No such draft of yours: nothing was saved.")},
        )  # fmt: skip
    return redirect(
        f"{FORM}?draft={draft_id}", ("ok", _("Draft saved: finish it when you are ready."))
    )


async def _send(
    request: Request, principal: Principal, fields: dict[str, str], op: str, ctx: dict[str, Any]
) -> Response:
    """Check (validate and price, nothing stored), lodge, or amend."""
    node = node_of(request)
    service = node.declarations
    raw = form.document(fields, party_id=principal.party_id)
    amending = ctx.get("amend")
    before: dict[str, str] | None = None
    try:
        if amending:
            current = await run_in_threadpool(service.get, principal, amending)
            before = form.fields_of(current["document"])
        if op == "lodge" and not amending:
            result, _replayed = await run_in_threadpool(service.lodge, principal, raw)
            if ctx["draft_id"] is not None:
                await run_in_threadpool(node.portal.drafts.delete, principal, ctx["draft_id"])
            return redirect(
                f"/console/declarations/{result['mrn']}",
                ("ok", _("Lodged: {mrn}.").format(mrn=result["mrn"])),
            )
        if op == "amend" and amending:
            result = await run_in_threadpool(
                lambda: service.amend(
                    principal, amending, raw, if_match=ctx["version"], reason=ctx["reason"] or None
                )
            )
            return redirect(
                f"/console/declarations/{amending}",
                ("ok", _("Amended: version {v}.").format(v=result["version"])),
            )
        prepared = await run_in_threadpool(_checked, service, principal, raw, amending)
    except InvalidRequest as exc:
        return _page(
            request, principal, fields, status=422, errors=exc.errors,
            changes=_changes(before, fields), **ctx,
        )  # fmt: skip
    except (Stale, Forbidden) as exc:
        return _page(
            request, principal, fields, status=409, changes=_changes(before, fields), **ctx,
            flash={"kind": "error", "text": str(exc)},
        )  # fmt: skip
    return _page(
        request, principal, fields, assessment=prepared, changes=_changes(before, fields), **ctx
    )


def _checked(service: Any, principal: Principal, raw: dict[str, Any], amending: str | None) -> Any:
    """The duties and taxes of the form as lodging would assess them (nothing is stored).

    An amendment keeps its LRN, which lodging would refuse as used: it is
    priced under a reference of its own."""
    if amending:
        raw = {**raw, "lrn": raw.get("lrn") or "AMENDMENT"}
    return service.prepare(principal, raw).assessment.as_json()


def _changes(before: dict[str, str] | None, after: dict[str, str]) -> list[Any] | None:
    return None if before is None else form.changes(before, after)


@router.get("/lodge/codes")
async def code_options(
    request: Request,
    principal: OptionalPrincipal,
    list_: Annotated[str, Query(alias="list", max_length=20)] = "",
    q: Annotated[str, Query(max_length=70)] = "",
) -> Response:
    """The options of a code list matching what the trader typed, for a ``<datalist>`` (htmx).

    htmx sends the input's value under the input's name (its pointer): that
    is the query when no ``q`` is given."""
    if principal is None:
        return Response(status_code=401)
    if principal.role is not Role.DECLARANT:
        return Response(status_code=403)
    typed = q or next((v for k, v in request.query_params.items() if k.startswith("/")), "")[:70]
    if not list_:
        return templates.TemplateResponse(request, "portal_options.html", {"options": []})
    try:
        if list_ == "hs":
            options = await run_in_threadpool(
                hs_options, node_of(request), typed, today(node_of(request))
            )
        else:
            options = await run_in_threadpool(node_of(request).portal.codes, list_, typed)
    except InvalidRequest:
        return Response(status_code=404)
    return templates.TemplateResponse(request, "portal_options.html", {"options": options})


@router.get("/drafts")
async def drafts_page(request: Request, principal: PagePrincipal) -> Response:
    refused = _trader_only(request, principal)
    if refused:
        return refused
    drafts = await run_in_threadpool(node_of(request).portal.drafts.mine, principal)
    return render(request, "portal_drafts.html", principal, drafts=drafts)


@router.post("/drafts/{draft_id}/delete")
async def delete_draft(request: Request, principal: FormPrincipal, draft_id: int) -> Response:
    refused = _trader_only(request, principal)
    if refused:
        return refused
    try:
        await run_in_threadpool(node_of(request).portal.drafts.delete, principal, draft_id)
    except NotFound:
        return redirect("/console/drafts", ("error", _("No such draft of yours.")))
    return redirect("/console/drafts", ("ok", _("Draft deleted.")))
