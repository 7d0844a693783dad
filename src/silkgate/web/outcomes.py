"""The outcome of a control in the console: recorded once, then corrected with a reason.

The forms are on the declaration's page, under its risk card; their outcome is
shown there. A second plain outcome is refused (the service's 409, shown as the
page's message), as through the API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.i18n import _
from silkgate.kernel.commands import parse
from silkgate.risk.commands import ControlOutcome, OutcomeCorrection
from silkgate.web.pages import node_of, redirect
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal

router = console_router()

Flag = Annotated[str, Form(max_length=5)]
Amount = Annotated[str, Form(max_length=20)]
Note = Annotated[str, Form(max_length=1000)]


def _fields(fraud: str, critical: str, revenue_recovered: str, note: str) -> dict[str, Any]:
    """The form's fields as the command's: a ticked box is "on", a blank amount is none."""
    return {
        "fraud": fraud == "on",
        "critical": critical == "on",
        "revenue_recovered": revenue_recovered.strip() or "0",
        "note": note.strip() or None,
    }


@router.post("/declarations/{mrn}/outcome")
async def record_outcome(
    request: Request,
    principal: FormPrincipal,
    mrn: str,
    fraud: Flag = "",
    critical: Flag = "",
    revenue_recovered: Amount = "0",
    note: Note = "",
) -> Response:
    """The outcome of a control, for the risk engine to learn from: one per control."""
    back = returning_to(request, f"/console/declarations/{mrn}")
    outcome = parse(ControlOutcome, _fields(fraud, critical, revenue_recovered, note))
    await run_in_threadpool(node_of(request).risk.record_outcome, principal, mrn, outcome)
    return redirect(back, ("ok", _("Recorded: outcome of the control.")))


@router.post("/declarations/{mrn}/outcome/correction")
async def correct_outcome(
    request: Request,
    principal: FormPrincipal,
    mrn: str,
    fraud: Flag = "",
    critical: Flag = "",
    revenue_recovered: Amount = "0",
    note: Note = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """A corrected outcome, replacing the one in force; the reason is required."""
    back = returning_to(request, f"/console/declarations/{mrn}")
    raw = {**_fields(fraud, critical, revenue_recovered, note), "reason": reason}
    correction = parse(OutcomeCorrection, raw)
    await run_in_threadpool(node_of(request).risk.correct_outcome, principal, mrn, correction)
    return redirect(back, ("ok", _("Corrected: outcome of the control.")))
