"""How the console answers: rendered pages, redirects and the one-shot flash message.

A flash message is what a form's outcome says on the page the browser is sent
back to ("Done: release.", or the reason it was refused). It travels in a
short-lived cookie scoped to ``/console`` and is shown, then dropped, by the
next page rendered.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from silkgate import i18n
from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock
from silkgate.node import Node
from silkgate.web import formats

FLASH = "sg_flash"
# A flash message keeps its printable ASCII as it is; the rest (its words in Chinese,
# Russian or Vietnamese) is percent-encoded, as a cookie carries ASCII only.
_PLAIN = "".join(chr(c) for c in range(32, 127) if chr(c) != "%")
LOGIN = "/console/login"

templates = Jinja2Templates(directory=str(files("silkgate.web") / "templates"))
formats.install(templates.env)
i18n.install(templates.env)


def node_of(request: Request) -> Node:
    """The node this console serves."""
    node: Node = request.app.state.node
    return node


def source_of(request: Request) -> str:
    """The client's address (a proxy's X-Forwarded-For only from SILKGATE_FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else ""


def clock_of(node: Node) -> Clock:
    """The node's clock: the one its declarations are decided by (a simulation's, in one)."""
    return node.clock


def today(node: Node) -> dt.date:
    """Today in the administration's zone, by the node's clock."""
    return node.declarations.today(clock_of(node)())


def render(
    request: Request, name: str, principal: Principal | None, status: int = 200, **context: Any
) -> Response:
    """The page ``name``, showing the pending flash message (or ``flash`` from the context)."""
    flash = request.cookies.get(FLASH)
    kind, _, quoted = (flash or "").partition(":")
    text = unquote(quoted)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "principal": principal,
            "administration": node_of(request).settings.administration,
            "flash": {"kind": kind, "text": text} if flash else context.pop("flash", None),
            **context,
        },
        status_code=status,
    )
    if flash:
        response.delete_cookie(FLASH, path="/console")
    return response


def refusal(request: Request, principal: Principal, text: str, status: int = 403) -> Response:
    """The bare page that says why there is nothing to show (403 or 404)."""
    return render(
        request, "base.html", principal, status=status, flash={"kind": "error", "text": text}
    )


def redirect(url: str, flash: tuple[str, str] | None = None) -> RedirectResponse:
    """See Other ``url``, carrying a flash message ``(kind, text)`` to show there."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH,
            # Quoted: the message is in the user's language, and a cookie is ASCII.
            f"{flash[0]}:{quote(flash[1][:300], safe=_PLAIN)}",
            path="/console",
            httponly=True,
            samesite="strict",
            max_age=60,
        )
    return response
