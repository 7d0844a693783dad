"""Routes of the web console under ``/console``.

Log in with an API token; it is kept in an HttpOnly, SameSite=Strict cookie,
and every state-changing form also checks that it was posted from this
origin. Pages reuse the same services as the API, with the same access rules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from silkgate.declarations.states import Action, IllegalTransition, Status
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import Conflict, Forbidden, InvalidRequest, NotFound, Unpaid
from silkgate.node import Node
from silkgate.store.declarations import Filters
from silkgate.tariff.service import TariffNotLoaded

COOKIE = "sg_token"


def _cookie(request: Request) -> str:
    """The login cookie's name, per node: two nodes on one host (a partner pair on two
    ports) share cookies, and one's token must not log out of, or be sent to, the other."""
    return f"{COOKIE}_{_node(request).settings.administration.lower()}"


FLASH = "sg_flash"

templates = Jinja2Templates(directory=str(files("silkgate.web") / "templates"))


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s} s"
    hours, m = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {m} min"
    return f"{hours // 24} d {hours % 24} h"


# UN/ECE Recommendation 19 modes of transport.
_MODES = {
    1: "sea",
    2: "rail",
    3: "road",
    4: "air",
    5: "post",
    7: "fixed installation",
    8: "inland waterway",
    9: "own propulsion",
}

templates.env.filters["duration"] = _duration
templates.env.filters["transport_mode"] = lambda mode: _MODES.get(mode, f"mode {mode}")
router = APIRouter(prefix="/console", include_in_schema=False)


def _node(request: Request) -> Node:
    return request.app.state.node  # type: ignore[no-any-return]


async def _principal(request: Request) -> Principal | None:
    token = request.cookies.get(_cookie(request))
    if not token:
        return None
    return await run_in_threadpool(_node(request).tokens.resolve, token)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # not a browser cross-site request (those always carry Origin on POST)
    return urlsplit(origin).netloc == request.headers.get("host")


async def _form_principal(request: Request) -> Principal | Response:
    """Who posts a console form, or the answer to send instead (login, or refusal).

    Every state-changing form needs a logged-in user and must come from this
    origin (the cookie is SameSite=Strict; the check is a second lock).
    """
    principal = await _principal(request)
    if principal is None:
        return _redirect("/console/login")
    if not _same_origin(request):
        return Response("cross-origin form refused", status_code=403)
    return principal


def _render(
    request: Request, name: str, principal: Principal | None, status: int = 200, **context: Any
) -> Response:
    flash = request.cookies.get(FLASH)
    kind, _, text = (flash or "").partition(":")
    response = templates.TemplateResponse(
        request,
        name,
        {
            "principal": principal,
            "administration": _node(request).settings.administration,
            "flash": {"kind": kind, "text": text} if flash else context.pop("flash", None),
            **context,
        },
        status_code=status,
    )
    if flash:
        response.delete_cookie(FLASH, path="/console")
    return response


def _redirect(url: str, flash: tuple[str, str] | None = None) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH,
            f"{flash[0]}:{flash[1]}"[:300],
            path="/console",
            httponly=True,
            samesite="strict",
            max_age=60,
        )
    return response


@router.get("/login")
async def login_page(request: Request) -> Response:
    return _render(request, "login.html", None)


@router.post("/login")
async def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
    if not _same_origin(request):
        return Response("cross-origin form refused", status_code=403)
    principal = await run_in_threadpool(_node(request).tokens.resolve, token.strip())
    if principal is None:
        return _render(
            request,
            "login.html",
            None,
            status=401,
            flash={"kind": "error", "text": "That token is unknown or revoked."},
        )
    response = _redirect("/console")
    response.set_cookie(
        _cookie(request),
        token.strip(),
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    response = _redirect("/console/login")
    response.delete_cookie(_cookie(request), path="/console")
    return response


def _filters(request: Request) -> tuple[Filters, dict[str, str]]:
    q = request.query_params
    chosen: dict[str, str] = {}
    for name in ("status", "type", "office", "hs_code", "lrn"):
        value = (q.get(name) or "").strip()[:35]
        if value:
            chosen[name] = value
    if chosen.get("status") not in {s.value for s in Status}:
        chosen.pop("status", None)
    if chosen.get("type") not in ("IM", "EX"):
        chosen.pop("type", None)
    if not chosen.get("hs_code", "0").isdigit():
        chosen.pop("hs_code", None)
    return Filters(**chosen), chosen


def _page(request: Request, principal: Principal) -> tuple[Any, dict[str, str]]:
    filters, chosen = _filters(request)
    cursor = request.query_params.get("cursor") or None
    try:
        page = _node(request).declarations.search(principal, filters, limit=50, cursor=cursor)
    except InvalidRequest:
        page = _node(request).declarations.search(principal, filters, limit=50)
    return page, chosen


@router.get("")
async def declarations_page(request: Request) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _redirect("/console/login")
    page, chosen = await run_in_threadpool(_page, request, principal)
    return _render(
        request,
        "list.html",
        principal,
        page=page,
        filters=chosen,
        query=urlencode(chosen),
        statuses=[s.value for s in Status],
        offices=sorted(_node(request).codes.offices),
    )


@router.get("/rows")
async def declaration_rows(request: Request) -> Response:
    principal = await _principal(request)
    if principal is None:
        return Response(status_code=401, headers={"HX-Redirect": "/console/login"})
    page, chosen = await run_in_threadpool(_page, request, principal)
    return templates.TemplateResponse(
        request, "rows.html", {"page": page, "query": urlencode(chosen)}
    )


@router.get("/declarations/{mrn}")
async def declaration_page(request: Request, mrn: str) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _redirect("/console/login")
    service = _node(request).declarations

    def load() -> tuple[Any, Any, Any, Any]:
        d = service.get(principal, mrn)
        return (
            d,
            service.timeline(principal, mrn),
            service.versions(principal, mrn),
            _advance_data(_node(request), principal, d),
        )

    try:
        d, timeline, versions, advance = await run_in_threadpool(load)
    except NotFound:
        return _render(
            request,
            "base.html",
            principal,
            status=404,
            flash={"kind": "error", "text": f"No declaration {mrn}."},
        )
    except Forbidden:
        return _render(
            request,
            "base.html",
            principal,
            status=403,
            flash={"kind": "error", "text": "That declaration is not yours to see."},
        )
    return _render(
        request,
        "detail.html",
        principal,
        d=d,
        timeline=timeline,
        versions=versions,
        advance=advance,
    )


def _advance_data(node: Node, principal: Principal, d: dict[str, Any]) -> dict[str, Any] | None:
    """The partner's export data linked to an import, for customs staff only.

    None when there is nothing to say: a trader, an export, or no agreement with
    the country of dispatch (and nothing received).
    """
    if not principal.is_staff or d["type"] != "IM":
        return None
    from silkgate.store import declarations as declaration_store
    from silkgate.store.db import reading

    with reading(node.engine) as conn:
        stored = declaration_store.get(conn, d["mrn"])
        items = node.trade.of_declaration(conn, stored.id) if stored is not None else []
    partner = d["document"]["transport"]["dispatch_country"]
    if not items and not node.exchange.agreed(partner, "advance_export_data"):
        return None
    return {"partner": partner, "items": items}


@router.get("/declarations/{mrn}/release-note")
async def release_note(request: Request, mrn: str) -> Response:
    """A printable release note for the trader (the declarant's own, or staff)."""
    principal = await _principal(request)
    if principal is None:
        return _redirect("/console/login")
    service = _node(request).declarations

    def load() -> tuple[Any, Any]:
        return service.get(principal, mrn), service.timeline(principal, mrn)

    try:
        d, timeline = await run_in_threadpool(load)
    except (NotFound, Forbidden):
        return _render(
            request,
            "base.html",
            principal,
            status=404,
            flash={"kind": "error", "text": f"No declaration {mrn} of yours."},
        )
    released = [e for e in timeline if e["to_status"] in ("released", "conditionally_released")]
    if d["status"] not in ("released", "conditionally_released") or not released:
        return _redirect(
            f"/console/declarations/{mrn}", ("error", "There is no release note: not released.")
        )
    return templates.TemplateResponse(
        request,
        "release_note.html",
        {
            "d": d,
            "doc": d["document"],
            "a": d["assessment"],
            "released": released[-1],
            "administration": _node(request).settings.administration,
            "printed": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        },
    )


@router.post("/declarations/{mrn}/payments")
async def record_payment(
    request: Request,
    mrn: str,
    amount: Annotated[str, Form(max_length=30)],
    reference: Annotated[str, Form(max_length=70)],
    kind: Annotated[str, Form(max_length=10)] = "payment",
    currency: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    principal = await _form_principal(request)
    if isinstance(principal, Response):
        return principal
    back = f"/console/declarations/{mrn}"
    try:
        value = Decimal(amount.strip())
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return _redirect(back, ("error", f"Amount {amount!r} is not a number."))
    service = _node(request).declarations
    try:
        await run_in_threadpool(
            lambda: service.record_payment(
                principal,
                mrn,
                kind=kind,
                amount=value,
                currency=currency or service.currency,
                reference=reference,
            )
        )
    except (Forbidden, NotFound, Conflict) as exc:
        return _redirect(back, ("error", str(exc)))
    except InvalidRequest as exc:
        return _redirect(back, ("error", _field_errors(exc)))
    return _redirect(back, ("ok", f"Recorded: {kind} of {value} {currency}."))


@router.get("/trs")
async def trs_page(
    request: Request,
    since: Annotated[str, Query(alias="from", max_length=10)] = "",
    until: Annotated[str, Query(alias="to", max_length=10)] = "",
    by: Annotated[str, Query(pattern="^(office|channel|mode)$")] = "channel",
) -> Response:
    """The Time Release Study, published: no login needed."""
    principal = await _principal(request)
    node = _node(request)
    today = node.declarations.today(node.declarations.clock())
    try:
        end = dt.date.fromisoformat(until) if until else today
        start = dt.date.fromisoformat(since) if since else end - dt.timedelta(days=30)
    except ValueError:
        end, start = today, today - dt.timedelta(days=30)
    if start > end:
        start, end = end, start  # a reversed period is read the right way round
    result = await run_in_threadpool(node.trs.report, start, end, by)
    return _render(request, "trs.html", principal, r=result)


@router.get("/tariff")
async def tariff_page(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str, Query(max_length=10)] = "",
    date: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The published tariff: search by words, or look up a code; no login needed."""
    principal = await _principal(request)
    node = _node(request)
    try:
        on = (
            dt.date.fromisoformat(date)
            if date
            else node.declarations.today(node.declarations.clock())
        )
    except ValueError:
        on = node.declarations.today(node.declarations.clock())
    context: dict[str, Any] = {"q": q, "code": code, "date": on.isoformat()}

    def load() -> None:
        schedule = node.tariff.schedule()
        context["tariff"] = node.tariff.describe(schedule)
        if code.strip():
            context["found"] = node.tariff.lookup(code.strip(), on)
            context["looked_up"] = True
        elif q.strip():
            context["results"] = node.tariff.search(q, on, 50)["results"]

    try:
        await run_in_threadpool(load)
    except TariffNotLoaded as exc:
        context["error"] = str(exc)
    return _render(request, "tariff.html", principal, **context)


def _field_errors(exc: InvalidRequest) -> str:
    """Errors as one line, each with the field it is about."""
    return "; ".join(
        f"{e.pointer.lstrip('/').replace('_', ' ')}: {e.detail}" if e.pointer else e.detail
        for e in exc.errors
    )


def _risk_context(node: Node, principal: Principal) -> dict[str, Any]:
    from silkgate.risk.facts import SCHEMA

    calibrator = node.risk.calibrator
    thresholds = None
    perf = node.risk.performance()
    if calibrator is not None:
        red, yellow, calibrated = calibrator.thresholds()
        thresholds = {
            "red": f"{red:.1f}" if red != float("inf") else "none",
            "yellow": f"{yellow:.1f}" if yellow != float("inf") else "none",
            "calibrated": calibrated,
        }
    return {
        "perf": perf,
        "thresholds": thresholds,
        "profiles": node.risk.list_profiles(),
        "can_edit": principal.role.value in ("analyst", "admin"),
        "fields": sorted(SCHEMA),
        "form": {},
        "errors": [],
    }


@router.get("/risk")
async def risk_page(request: Request) -> Response:
    principal = await _principal(request)
    if principal is None:
        return _redirect("/console/login")
    if not principal.sees_all:
        return _render(
            request,
            "base.html",
            principal,
            status=403,
            flash={"kind": "error", "text": "Risk management is for customs staff."},
        )
    context = await run_in_threadpool(_risk_context, _node(request), principal)
    return _render(request, "risk.html", principal, **context)


@router.post("/risk/profiles")
async def save_profile(
    request: Request,
    name: Annotated[str, Form(max_length=80)],
    condition: Annotated[str, Form(max_length=4000)],
    effect: Annotated[str, Form(max_length=10)] = "score",
    points: Annotated[str, Form(max_length=10)] = "",
    valid_from: Annotated[str, Form(max_length=10)] = "",
    valid_to: Annotated[str, Form(max_length=10)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    principal = await _form_principal(request)
    if isinstance(principal, Response):
        return principal
    node = _node(request)
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
        saved = await run_in_threadpool(node.risk.save_profile, principal, form)
    except Forbidden as exc:
        return _redirect("/console/risk", ("error", str(exc)))
    except InvalidRequest as exc:
        context = await run_in_threadpool(_risk_context, node, principal)
        context.update(form=form, errors=exc.errors)
        return _render(request, "risk.html", principal, status=422, **context)
    return _redirect(
        "/console/risk", ("ok", f"Saved: profile {saved['name']} version {saved['version']}.")
    )


@router.post("/risk/profiles/{name}/retire")
async def retire_profile(request: Request, name: str) -> Response:
    principal = await _form_principal(request)
    if isinstance(principal, Response):
        return principal
    try:
        await run_in_threadpool(_node(request).risk.retire_profile, principal, name)
    except (Forbidden, NotFound) as exc:
        return _redirect("/console/risk", ("error", str(exc)))
    return _redirect("/console/risk", ("ok", f"Retired: profile {name}."))


@router.get("/inspections")
async def inspections_page(
    request: Request,
    office: Annotated[str, Query(max_length=5)] = "",
    status: Annotated[str, Query(pattern="^(open|completed)$")] = "open",
) -> Response:
    """The queue of joint inspections, per office (officers and SPS inspectors)."""
    principal = await _principal(request)
    if principal is None:
        return _redirect("/console/login")
    node = _node(request)
    try:
        tasks = await run_in_threadpool(
            lambda: node.inspections.queue(
                principal, office=office or None, status=status, limit=200
            )
        )
    except Forbidden as exc:
        return _render(
            request, "base.html", principal, status=403, flash={"kind": "error", "text": str(exc)}
        )
    return _render(
        request, "inspections.html", principal, tasks=tasks, office=office, task_status=status
    )


@router.post("/inspections/{task_id}/checks/{seq}")
async def record_check(
    request: Request,
    task_id: int,
    seq: int,
    status: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=500)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    pest: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    principal = await _form_principal(request)
    if isinstance(principal, Response):
        return principal
    node = _node(request)
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
        task_id,
        lambda: node.inspections.record(principal, task_id, seq, raw),
        f"Recorded: check {seq}.",
    )


@router.post("/inspections/{task_id}/complete")
async def complete_inspection(request: Request, task_id: int) -> Response:
    principal = await _form_principal(request)
    if isinstance(principal, Response):
        return principal
    node = _node(request)
    return await _inspection_step(
        request,
        task_id,
        lambda: node.inspections.complete(principal, task_id),
        "Done: inspection completed.",
    )


async def _inspection_step(request: Request, task_id: int, step: Any, done: str) -> Response:
    node = _node(request)
    principal = await _principal(request)
    try:
        task = await run_in_threadpool(node.inspections.get, principal, task_id)
    except (Forbidden, NotFound) as exc:
        return _redirect("/console", ("error", str(exc)))
    back = f"/console/declarations/{task['mrn']}"
    try:
        await run_in_threadpool(step)
    except (Forbidden, NotFound, Conflict) as exc:
        return _redirect(back, ("error", str(exc)))
    except InvalidRequest as exc:
        return _redirect(back, ("error", _field_errors(exc)))
    return _redirect(back, ("ok", done))


@router.post("/declarations/{mrn}/outcome")
async def record_outcome(
    request: Request,
    mrn: str,
    fraud: Annotated[str, Form(max_length=5)] = "",
    critical: Annotated[str, Form(max_length=5)] = "",
    revenue_recovered: Annotated[str, Form(max_length=20)] = "0",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    principal = await _form_principal(request)
    if isinstance(principal, Response):
        return principal
    back = f"/console/declarations/{mrn}"
    node = _node(request)
    raw = {
        "fraud": fraud == "on",
        "critical": critical == "on",
        "revenue_recovered": revenue_recovered.strip() or "0",
        "note": note.strip() or None,
    }
    try:
        await run_in_threadpool(
            lambda: node.risk.record_outcome(principal, mrn, raw, declarations=node.declarations)
        )
    except (Forbidden, NotFound) as exc:
        return _redirect(back, ("error", str(exc)))
    except InvalidRequest as exc:
        return _redirect(back, ("error", _field_errors(exc)))
    return _redirect(back, ("ok", "Recorded: outcome of the control."))


@router.post("/declarations/{mrn}/{action}")
async def act(
    request: Request, mrn: str, action: str, reason: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    principal = await _form_principal(request)
    if isinstance(principal, Response):
        return principal
    back = f"/console/declarations/{mrn}"
    try:
        chosen = Action(action)
        if chosen is Action.AMEND:
            raise ValueError
    except ValueError:
        return _redirect(back, ("error", f"Unknown action {action!r}."))
    try:
        await run_in_threadpool(_node(request).declarations.act, principal, mrn, chosen, reason)
    except (IllegalTransition, Forbidden, NotFound, Unpaid, Conflict) as exc:
        return _redirect(back, ("error", str(exc)))
    except InvalidRequest as exc:
        return _redirect(back, ("error", _field_errors(exc)))
    return _redirect(back, ("ok", f"Done: {chosen.value}."))


def install(app: FastAPI) -> None:
    app.mount(
        "/console/static",
        StaticFiles(directory=str(files("silkgate.web") / "static")),
        name="console-static",
    )
    app.include_router(router)
    from silkgate.web import exchange

    app.include_router(exchange.router)
