"""Who is using the console, from the login cookie.

Log in with an API token; it is kept in an HttpOnly, SameSite=Strict cookie.
Pages take :data:`PagePrincipal` (or :data:`OptionalPrincipal` where the page is
public), state-changing forms :data:`FormPrincipal`, which also refuses a form
posted from another origin (the cookie already is not sent cross-site; this is a
second lock).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from silkgate.kernel.actors import Principal
from silkgate.web.pages import node_of

COOKIE = "sg_token"


class LoginRequired(Exception):
    """No login cookie, or its token is unknown or revoked: the answer is the login page."""


class CrossOriginForm(Exception):
    """A form posted from another origin: refused (403)."""


def cookie_name(request: Request) -> str:
    """The login cookie's name, per node: two nodes on one host (a partner pair on two
    ports) share cookies, and one's token must not log out of, or be sent to, the other."""
    return f"{COOKIE}_{node_of(request).settings.administration.lower()}"


async def optional_principal(request: Request) -> Principal | None:
    """Who is logged in, or None."""
    token = request.cookies.get(cookie_name(request))
    if not token:
        return None
    return await run_in_threadpool(node_of(request).tokens.resolve, token)


async def page_principal(request: Request) -> Principal:
    """Who is logged in; without a valid login, the page is the login page."""
    principal = await optional_principal(request)
    if principal is None:
        raise LoginRequired
    return principal


def from_this_origin(request: Request) -> None:
    """Refuse a form posted from another origin."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return  # not a browser cross-site request (those always carry Origin on POST)
    if urlsplit(origin).netloc != request.headers.get("host"):
        raise CrossOriginForm


async def form_principal(request: Request) -> Principal:
    """Who posts a state-changing form: logged in, and posting from this origin."""
    principal = await page_principal(request)
    from_this_origin(request)
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
PagePrincipal = Annotated[Principal, Depends(page_principal)]
FormPrincipal = Annotated[Principal, Depends(form_principal)]
