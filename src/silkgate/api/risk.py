"""``/v1/risk``: profiles, the selectivity budget, performance; control outcomes.

Profiles and the budget are managed by risk analysts (and admins); officers
read them and record the outcome of each control. Traders and the quarantine
service's inspectors see none of it (``docs/roles.md``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.api.bodies import json_body, json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.params import CheckedRoute, MrnPath
from silkgate.api.problems import PROBLEM, problems
from silkgate.api.schemas import operations as out
from silkgate.api.schemas.base import answer, parse, request_body
from silkgate.risk.commands import (
    BudgetCommand,
    ControlOutcome,
    OutcomeCorrection,
    RiskProfileCommand,
)

router = APIRouter(tags=["risk"], route_class=CheckedRoute)
_ERRORS = problems(401, 403, 404, 422)
_OUTCOME_ERRORS: dict[int | str, dict[str, Any]] = {**_ERRORS, 409: PROBLEM}

ProfileName = Annotated[str, Path(min_length=1, max_length=80)]


_json = json_response


async def _body(request: Request) -> Any:
    raw, _ = await json_body(request)
    return raw


@router.get("/v1/risk/profiles", responses={200: answer(out.RiskProfiles), **_ERRORS})
def list_profiles(node: NodeDep, principal: PrincipalDep, retired: bool = False) -> Response:
    """The newest version of each risk profile."""
    node.risk.require_reader(principal)
    return _json({"items": node.risk.list_profiles(include_retired=retired)})


@router.post(
    "/v1/risk/profiles",
    status_code=201,
    openapi_extra=request_body(RiskProfileCommand),
    responses={201: answer(out.RiskProfile), **_ERRORS},
)
async def save_profile(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Create a profile, or a new version of the one with the same name (analyst).

    Body: ``{"name", "condition", "effect": "score|yellow|red|sps", "points",
    "valid_from", "valid_to", "description"}``. A condition with a syntax or
    type error is refused with its position.
    """
    command = parse(RiskProfileCommand, await _body(request))
    return _json(await run_in_threadpool(node.risk.save_profile, principal, command), 201)


@router.get(
    "/v1/risk/profiles/{name}",
    responses={200: answer(out.RiskProfiles), 410: PROBLEM, **_ERRORS},
)
def profile_versions(node: NodeDep, principal: PrincipalDep, name: ProfileName) -> Response:
    """Every version of a profile, oldest first; 410 Gone once it is retired (its versions
    are then listed by `/v1/risk/profiles?retired=true`)."""
    node.risk.require_reader(principal)
    return _json({"items": node.risk.profile_history(name)})


@router.delete(
    "/v1/risk/profiles/{name}",
    status_code=204,
    responses={204: {"description": "Retired"}, **_ERRORS},
)
def retire_profile(node: NodeDep, principal: PrincipalDep, name: ProfileName) -> Response:
    """Retire a profile: it stops applying; its versions are kept (analyst)."""
    node.risk.retire_profile(principal, name)
    return Response(status_code=204)


@router.get("/v1/risk/budget", responses={200: answer(out.Budget), **_ERRORS})
def budget(node: NodeDep, principal: PrincipalDep) -> Response:
    """The selectivity budget and the thresholds it currently implies."""
    node.risk.require_reader(principal)
    return _json(_budget_json(node))


@router.put(
    "/v1/risk/budget",
    openapi_extra=request_body(BudgetCommand),
    responses={200: answer(out.Budget), **_ERRORS},
)
async def set_budget(request: Request, node: NodeDep, principal: PrincipalDep) -> Response:
    """Change the budget: any of red_share, yellow_share, exploration_share, window, aeo_factor."""
    command = parse(BudgetCommand, await _body(request))
    await run_in_threadpool(node.risk.set_budget, principal, command)
    return _json(_budget_json(node))


def _budget_json(node: NodeDep) -> dict[str, Any]:
    out = node.risk.budget().as_json()
    calibrator = node.risk.calibrator
    if calibrator is not None:
        red, yellow, calibrated = calibrator.thresholds()
        out["thresholds"] = {
            "red": red if red != float("inf") else None,
            "yellow": yellow if yellow != float("inf") else None,
            "calibrated": calibrated,
            "recent_decisions": len(calibrator),
        }
    return out


@router.get("/v1/risk/performance", responses={200: answer(out.Performance), **_ERRORS})
def performance(node: NodeDep, principal: PrincipalDep) -> Response:
    """Channel shares, hit rates by month (selected vs random), history and models."""
    node.risk.require_reader(principal)
    return _json(node.risk.performance())


@router.post(
    "/v1/declarations/{mrn}/outcome",
    status_code=201,
    openapi_extra=request_body(ControlOutcome),
    responses={201: answer(out.OutcomeRecorded), **_OUTCOME_ERRORS},
)
async def record_outcome(
    request: Request, node: NodeDep, principal: PrincipalDep, mrn: MrnPath
) -> Response:
    """Record the outcome of a control (officer): one per control.

    Body: ``{"fraud": bool, "critical": bool, "revenue_recovered": "0.00", "note": "..."}``.
    A control that has its outcome already answers 409: correct it instead
    (``POST /v1/declarations/{mrn}/outcome/correction``).
    """
    outcome = parse(ControlOutcome, await _body(request))
    return _json(await run_in_threadpool(node.risk.record_outcome, principal, mrn, outcome), 201)


@router.post(
    "/v1/declarations/{mrn}/outcome/correction",
    status_code=201,
    openapi_extra=request_body(OutcomeCorrection),
    responses={201: answer(out.OutcomeRecorded), **_OUTCOME_ERRORS},
)
async def correct_outcome(
    request: Request, node: NodeDep, principal: PrincipalDep, mrn: MrnPath
) -> Response:
    """Correct the outcome of a control (officer), saying why: it replaces the one in force.

    Body: the outcome's fields and ``"reason"`` (required). 409 if the control
    has no outcome yet.
    """
    correction = parse(OutcomeCorrection, await _body(request))
    return _json(
        await run_in_threadpool(node.risk.correct_outcome, principal, mrn, correction), 201
    )
