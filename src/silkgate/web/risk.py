"""Risk management in the console: how selectivity performs, and the risk profiles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.i18n import _
from silkgate.kernel.actors import Principal
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import InvalidRequest
from silkgate.node import Node
from silkgate.risk.commands import RiskProfileCommand
from silkgate.web.pages import node_of, redirect, refusal, render
from silkgate.web.routing import console_router, returning_to
from silkgate.web.session import FormPrincipal, PagePrincipal

router = console_router()

_RISK = "/console/risk"


def _threshold(score: float) -> str:
    return f"{score:.1f}" if score != float("inf") else "none"


def _risk_context(node: Node, principal: Principal) -> dict[str, Any]:
    from silkgate.risk.facts import SCHEMA

    calibrator = node.risk.calibrator
    thresholds = None
    perf = node.risk.performance()
    if calibrator is not None:
        red, yellow, calibrated = calibrator.thresholds()
        thresholds = {
            "red": _threshold(red),
            "yellow": _threshold(yellow),
            "calibrated": calibrated,
        }
    return {
        "perf": perf,
        "thresholds": thresholds,
        "profiles": node.risk.list_profiles(),
        "can_edit": principal.role.value in ("analyst", "admin"),
        "currency": node.declarations.currency,
        "fields": sorted(SCHEMA),
        "form": {},
        "errors": [],
    }


@router.get("/risk")
async def risk_page(request: Request, principal: PagePrincipal) -> Response:
    if not principal.reads_risk:
        return refusal(request, principal, _("Risk management is for customs staff."))
    context = await run_in_threadpool(_risk_context, node_of(request), principal)
    return render(request, "risk.html", principal, **context)


@router.post("/risk/profiles")
async def save_profile(
    request: Request,
    principal: FormPrincipal,
    name: Annotated[str, Form(max_length=80)],
    condition: Annotated[str, Form(max_length=4000)],
    effect: Annotated[str, Form(max_length=10)] = "score",
    points: Annotated[str, Form(max_length=10)] = "",
    valid_from: Annotated[str, Form(max_length=10)] = "",
    valid_to: Annotated[str, Form(max_length=10)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """A new profile, or a new version of one; an invalid one is shown again with its errors."""
    back = returning_to(request, _RISK)
    node = node_of(request)
    form = {
        "name": name,
        "condition": condition,
        "effect": effect,
        "points": points or None,
        "valid_from": valid_from or None,
        "valid_to": valid_to or None,
        "description": description,
    }
    try:
        command = parse(RiskProfileCommand, form)
        saved = await run_in_threadpool(node.risk.save_profile, principal, command)
    except InvalidRequest as exc:
        context = await run_in_threadpool(_risk_context, node, principal)
        context.update(form=form, errors=exc.errors)
        return render(request, "risk.html", principal, status=422, **context)
    return redirect(
        back,
        (
            "ok",
            _("Saved: profile %(name)s version %(version)s.")
            % {"name": saved["name"], "version": saved["version"]},
        ),
    )


@router.post("/risk/profiles/{name}/retire")
async def retire_profile(request: Request, principal: FormPrincipal, name: str) -> Response:
    back = returning_to(request, _RISK)
    await run_in_threadpool(node_of(request).risk.retire_profile, principal, name)
    return redirect(back, ("ok", _("Retired: profile %(name)s.") % {"name": name}))
