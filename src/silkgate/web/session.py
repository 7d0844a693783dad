"""Who is using the console, from the session cookie.

Log in with an API token: the node opens a server-side session
(:class:`~silkgate.access.services.sessions.ConsoleSessions`) and the browser
keeps only its random id, in an HttpOnly, SameSite=Strict cookie (Secure over
https); the token itself never goes into a cookie. Logging out deletes the
session. Pages take :data:`PagePrincipal` (or :data:`OptionalPrincipal` where
the page is public), state-changing forms :data:`FormPrincipal`. Every console
route refuses a state-changing request that does not say it comes from this
origin (:func:`from_this_origin`, applied by :mod:`silkgate.web.routing`): the
cookie already is not sent cross-site; this is a second lock.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from silkgate.kernel.actors import Principal
from silkgate.web.pages import node_of

COOKIE = "sg_session"


class LoginRequired(Exception):
    """No session cookie, or its session is over: the answer is the login page."""


class CrossOriginForm(Exception):
    """A form posted from another origin, or from one it does not name: refused (403)."""


def cookie_name(request: Request) -> str:
    """The session cookie's name, per node: two nodes on one host (a partner pair on two
    ports) share cookies, and one's session must not log out of, or be sent to, the other."""
    return f"{COOKIE}_{node_of(request).settings.administration.lower()}"


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    """Hand the browser its session id: script cannot read it, other sites cannot send it."""
    response.set_cookie(
        cookie_name(request),
        session_id,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=node_of(request).settings.console_session_seconds,
    )


def session_id(request: Request) -> str:
    return request.cookies.get(cookie_name(request), "")


async def optional_principal(request: Request) -> Principal | None:
    """Who is logged in, or None."""
    sid = session_id(request)
    if not sid:
        return None
    return await run_in_threadpool(node_of(request).sessions.principal, sid)


async def page_principal(request: Request) -> Principal:
    """Who is logged in; without a valid login, the page is the login page."""
    principal = await optional_principal(request)
    if principal is None:
        raise LoginRequired
    return principal


def from_this_origin(request: Request) -> None:
    """Refuse a state-changing request unless its Origin (or Referer) is this node.

    Fails closed: a browser sends Origin with every form it posts, so a request
    that names neither Origin nor Referer is not one of this console's forms.
    """
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or urlsplit(origin).netloc != request.headers.get("host"):
        raise CrossOriginForm


async def form_principal(request: Request) -> Principal:
    """Who posts a state-changing form (its origin was checked by the console's route)."""
    return await page_principal(request)


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
PagePrincipal = Annotated[Principal, Depends(page_principal)]
FormPrincipal = Annotated[Principal, Depends(form_principal)]
