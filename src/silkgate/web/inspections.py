"""Joint inspections in the console: the queue per office, and the inspection's forms.

The forms are on the declaration's page; their outcome is shown there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Form, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.params import RowId
from silkgate.i18n import _
from silkgate.inspection.commands import CheckResult
from silkgate.kernel.actors import Principal
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Forbidden
from silkgate.web.pages import node_of, redirect, refusal, render
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal, PagePrincipal

router = console_router()


@router.get("/inspections")
async def inspections_page(
    request: Request,
    principal: PagePrincipal,
    office: Annotated[str, Query(max_length=5)] = "",
    status: Annotated[str, Query(pattern="^(open|completed)$")] = "open",
) -> Response:
    """The queue of joint inspections, per office (officers and SPS inspectors); an agency
    officer's is the tasks its agency examines in, with its checks and their forms (it
    reads no declaration)."""
    node = node_of(request)
    try:
        tasks = await run_in_threadpool(
            lambda: node.inspections.queue(
                principal, office=office or None, status=status, limit=200
            )
        )
        if principal.agency is not None:
            tasks = await run_in_threadpool(
                lambda: [node.inspections.get(principal, t["id"]) for t in tasks[:50]]
            )
    except Forbidden as exc:
        return refusal(request, principal, str(exc))
    return render(
        request, "inspections.html", principal, tasks=tasks, office=office, task_status=status
    )


@router.post("/inspections/{task_id}/checks/{seq}")
async def record_check(
    request: Request,
    principal: FormPrincipal,
    task_id: RowId,
    seq: Annotated[int, Path(ge=1, le=10_000)],
    status: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=500)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    pest: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    node = node_of(request)
    finding: dict[str, Any] = {}
    if kind:
        finding["kind"] = kind
    if note.strip():
        finding["note"] = note.strip()
    if pest.strip():
        finding["pest"] = {"scientific_name": pest.strip()}
    raw = {"status": status, "finding": finding or None}
    return await _inspection_step(
        request,
        principal,
        task_id,
        lambda: node.inspections.record(principal, task_id, seq, parse(CheckResult, raw)),
        _("Recorded: check %(seq)s.") % {"seq": seq},
    )


@router.post("/inspections/{task_id}/complete")
async def complete_inspection(
    request: Request, principal: FormPrincipal, task_id: RowId
) -> Response:
    node = node_of(request)
    return await _inspection_step(
        request,
        principal,
        task_id,
        lambda: node.inspections.complete(principal, task_id),
        _("Done: inspection completed."),
    )


async def _inspection_step(
    request: Request, principal: Principal, task_id: int, step: Callable[[], Any], done: str
) -> Response:
    """Take ``step`` on the task and go back to its declaration (to the list, if no such task)."""
    returning_to(request, "/console")
    task = await run_in_threadpool(node_of(request).inspections.get, principal, task_id)
    # An agency officer reads no declaration: its forms are on its inspections page.
    page = "/console/inspections" if principal.agency else f"/console/declarations/{task['mrn']}"
    back = returning_to(request, page)
    await run_in_threadpool(step)
    return redirect(back, ("ok", done))
