"""Logging in to the console with an API token, and out.

A login opens a server-side session; the cookie holds its id, not the token.
Refused tokens count against the client's address like the API's: after too
many, the login page answers 429 with ``Retry-After``. Both forms are POSTs,
so they must come from this origin (:mod:`silkgate.web.routing`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.i18n import _
from silkgate.kernel.actors import Role
from silkgate.web.pages import LOGIN, node_of, redirect, render, source_of
from silkgate.web.routing import console_router
from silkgate.web.session import cookie_name, session_id, set_session_cookie

router = console_router()


@router.get("/login")
async def login_page(request: Request) -> Response:
    return render(request, "login.html", None)


@router.post("/login")
async def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
    node = node_of(request)
    opened = await run_in_threadpool(node.sessions.open, token.strip())
    if opened is None:
        wait = await run_in_threadpool(node.auth_throttle.failed, source_of(request))
        text = _("That token is unknown or revoked.")
        if wait is not None:
            text = _("Too many failed logins from this address: try again in %(wait)s s.") % {
                "wait": wait
            }
        response = render(
            request,
            "login.html",
            None,
            status=401 if wait is None else 429,
            flash={"kind": "error", "text": text},
        )
        if wait is not None:
            response.headers["Retry-After"] = str(wait)
        return response
    previous = session_id(request)
    if previous:  # logging in again (perhaps as someone else) ends the session before
        await run_in_threadpool(node.sessions.close, previous)
    # An origin officer reads no declaration: its work starts at the applications' queue.
    # An agency officer's at its agency's LPCOs; the e-commerce parties read no declaration
    # either: theirs start at the parcels.
    start = _START.get(opened[1].role, "/console")
    response = redirect(start)
    set_session_cookie(request, response, opened[0])
    return response


_START = {
    Role.ORIGIN_OFFICER: "/console/origin/applications",
    Role.AGENCY_OFFICER: "/console/lpcos",
    Role.PLATFORM: "/console/ecommerce",
    Role.ECOMMERCE_AGENT: "/console/ecommerce",
    # Payment and logistics companies have only their lists to send (API, CLI).
    Role.PAYMENT: "/console/tariff",
    Role.LOGISTICS: "/console/tariff",
}


@router.post("/logout")
async def logout(request: Request) -> Response:
    sid = session_id(request)
    if sid:
        await run_in_threadpool(node_of(request).sessions.close, sid)
    response = redirect(LOGIN)
    response.delete_cookie(cookie_name(request), path="/console", httponly=True, samesite="strict")
    return response
