"""Logging in to the console with an API token, and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.web.pages import LOGIN, node_of, redirect, render
from silkgate.web.routing import console_router
from silkgate.web.session import cookie_name, from_this_origin

router = console_router()

# A login lasts a working day.
_LOGIN_SECONDS = 12 * 3600


@router.get("/login")
async def login_page(request: Request) -> Response:
    return render(request, "login.html", None)


@router.post("/login", dependencies=[Depends(from_this_origin)])
async def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
    principal = await run_in_threadpool(node_of(request).tokens.resolve, token.strip())
    if principal is None:
        return render(
            request,
            "login.html",
            None,
            status=401,
            flash={"kind": "error", "text": "That token is unknown or revoked."},
        )
    response = redirect("/console")
    response.set_cookie(
        cookie_name(request),
        token.strip(),
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=_LOGIN_SECONDS,
    )
    return response


@router.post("/logout", dependencies=[Depends(from_this_origin)])
async def logout(request: Request) -> Response:
    response = redirect(LOGIN)
    response.delete_cookie(cookie_name(request), path="/console")
    return response
