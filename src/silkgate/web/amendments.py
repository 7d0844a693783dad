"""The declarant's amendment in the console: the whole document again, as a new version.

The page shows the current document as JSON to edit, or takes a file to
upload, and sends it to the same use case as ``PUT /v1/declarations/{mrn}``,
with the version it was read at (a change made meanwhile is refused, not
overwritten). A document that does not validate is shown again with every
error and the field it is about; nothing is changed.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import orjson
from fastapi import File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.declarations.commands import Decision
from silkgate.i18n import _
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.kernel.errors import PreconditionFailed as Stale
from silkgate.web.formats import term
from silkgate.web.pages import node_of, redirect, refusal, render
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal, PagePrincipal

router = console_router()


def _page(
    request: Request,
    principal: Principal,
    d: dict[str, Any],
    *,
    text: str,
    reason: str = "",
    errors: list[FieldError] | None = None,
    status: int = 200,
    flash: dict[str, str] | None = None,
) -> Response:
    return render(
        request, "amend.html", principal, status=status,
        d=d, text=text, reason=reason, errors=errors or [], flash=flash,
    )  # fmt: skip


@router.get("/declarations/{mrn}/amend")
async def amend_page(request: Request, principal: PagePrincipal, mrn: str) -> Response:
    """The current document, to edit or replace by a file (the declarant, while it may)."""
    if principal.role is not Role.DECLARANT:
        return refusal(
            request, principal, _("Only the declarant amends a declaration."), status=403
        )
    try:
        d = await run_in_threadpool(node_of(request).declarations.get, principal, mrn)
    except (NotFound, Forbidden):
        return refusal(
            request, principal, _("No declaration %(mrn)s of yours.") % {"mrn": mrn}, status=404
        )
    if "amend" not in d["allowed_actions"]:
        return refusal(
            request,
            principal,
            _(
                "Declaration %(mrn)s cannot be amended: only its declarant amends it, while it "
                "is lodged, under control or held (it is %(status)s)."
            )
            % {"mrn": mrn, "status": term(d["status"])},
            status=409,
        )
    text = json.dumps(d["document"], indent=2, ensure_ascii=False)
    return _page(request, principal, d, text=text)


async def _sent(document: str, file: UploadFile | None, limit: int) -> tuple[str, str]:
    """The JSON text sent, and the field it came in: the file if one was chosen, else the
    text; InvalidRequest if there is none or it is too large."""
    if file is None or not file.filename:
        return document, "/document"
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise InvalidRequest([FieldError("/file", "too_large", f"over {limit} bytes")])
    return data.decode("utf-8-sig", errors="replace"), "/file"


def _parsed(text: str, where: str) -> Any:
    if not text.strip():
        raise InvalidRequest([FieldError(where, "missing", "the document, as JSON")])
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest([FieldError(where, "malformed", f"not JSON: {exc}")]) from None


@router.post("/declarations/{mrn}/amend")
async def amend(
    request: Request,
    principal: FormPrincipal,
    mrn: str,
    document: Annotated[str, Form(max_length=1_000_000)] = "",
    file: Annotated[UploadFile | None, File()] = None,
    reason: Annotated[str, Form(max_length=1000)] = "",
    version: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Send the amended document: a new version, assessed and selected again."""
    returning_to(request, f"/console/declarations/{mrn}/amend")
    node = node_of(request)
    service = node.declarations
    d = await run_in_threadpool(service.get, principal, mrn)
    text = document
    try:
        text, where = await _sent(document, file, node.settings.max_body_bytes)
        raw = _parsed(text, where)
        said = parse(Decision, {"reason": reason}).reason  # text, as any reason
        if where == "/file":  # shown again to correct, as it would be to edit
            text = json.dumps(raw, indent=2, ensure_ascii=False)
        result = await run_in_threadpool(
            lambda: service.amend(
                principal, mrn, raw,
                if_match=int(version) if version.isdigit() else None,
                reason=said,
            )
        )  # fmt: skip
    except InvalidRequest as exc:
        return _page(request, principal, d, text=text, reason=reason, errors=exc.errors, status=422)
    except Stale as exc:
        said = _("Not amended: %(why)s. Someone changed it meanwhile; reload to start again.") % {
            "why": exc
        }
        return _page(
            request, principal, d, text=text, reason=reason, status=412,
            flash={"kind": "error", "text": said},
        )  # fmt: skip
    return redirect(
        f"/console/declarations/{mrn}",
        ("ok", _("Amended: version %(version)s.") % {"version": result["version"]}),
    )
