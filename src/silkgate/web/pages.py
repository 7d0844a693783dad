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

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from silkgate.kernel.actors import Principal
from silkgate.kernel.clock import Clock
from silkgate.node import Node

FLASH = "sg_flash"
LOGIN = "/console/login"

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
    kind, _, text = (flash or "").partition(":")
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
            f"{flash[0]}:{flash[1]}"[:300],
            path="/console",
            httponly=True,
            samesite="strict",
            max_age=60,
        )
    return response
