"""The language switch on every console page: the choice is remembered in a cookie.

The switch is a small form (no script); its answer sends the browser back to the
page it was on, now in the chosen language. The cookie is read for every request
by :mod:`silkgate.i18n.middleware`, before ``Accept-Language``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import Response

from silkgate import i18n
from silkgate.web.pages import redirect
from silkgate.web.routing import console_router

router = console_router()

# A year: a language is chosen once, not every visit.
_REMEMBERED_S = 365 * 24 * 3600


def back_to(url: str) -> str:
    """``url`` if it is a console page of this node, else the console's start page."""
    local = url.startswith("/console") and "//" not in url and "\\" not in url
    return url if local else "/console"


@router.post("/language")
async def choose_language(
    request: Request,
    lang: Annotated[str, Form(max_length=10)],
    next: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    response = redirect(back_to(next))
    if lang in i18n.LOCALES:
        response.set_cookie(
            i18n.COOKIE,
            lang,
            max_age=_REMEMBERED_S,
            path="/",
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response
