"""The console's routes, and how a refused form is answered.

Every console router is made by :func:`console_router`: its routes refuse a
state-changing request (anything but GET, HEAD, OPTIONS) that does not come
from this origin with 403, answer a missing login with the login page, and turn a
refusal raised while handling a form (not allowed, no such thing, not in this
state, unpaid, invalid) into a flash message on the page the form came from, as
the handler named it with :func:`returning_to`. Only console routes do this: the
``/v1`` API answers the same exceptions with problem documents.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from silkgate.api.params import CheckedRoute
from silkgate.declarations.states import IllegalTransition
from silkgate.i18n.sentences import say
from silkgate.kernel.errors import Conflict, Forbidden, InvalidRequest, NotFound, Unpaid
from silkgate.web.pages import LOGIN, redirect
from silkgate.web.session import CrossOriginForm, LoginRequired, from_this_origin

# Methods that change nothing: every other one must come from this origin.
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
# Refusals whose message is the flash text as it stands.
_REFUSALS = (Forbidden, NotFound, Conflict, Unpaid, IllegalTransition)


def returning_to(request: Request, url: str) -> str:
    """Name the page a form's outcome is shown on (the page the form is on); returns ``url``."""
    request.state.back = url
    return url


def field_errors(exc: InvalidRequest) -> list[dict[str, str]]:
    """Each error with the field it is about, as a person reads it."""
    return [
        {
            "field": e.pointer.lstrip("/").split("/")[0] if e.pointer else "",
            "label": e.pointer.lstrip("/").replace("_", " ").replace("/", " ") if e.pointer else "",
            "detail": say(e.detail) or "",
        }
        for e in exc.errors
    ]


def one_line(exc: InvalidRequest) -> str:
    """The errors as one line, each with the field it is about."""
    return "; ".join(
        f"{e['label']}: {e['detail']}" if e["label"] else e["detail"] for e in field_errors(exc)
    )


def _refused_form(request: Request, exc: Exception) -> Response:
    text = one_line(exc) if isinstance(exc, InvalidRequest) else say(str(exc)) or ""
    back: str = getattr(request.state, "back", "/console")
    return redirect(back, ("error", text))


class ConsoleRoute(CheckedRoute):
    """A console route: login, origin and refusals answered as a browser expects.

    Its parameters are checked like the API's (:class:`CheckedRoute`).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                if request.method not in _SAFE:
                    from_this_origin(request)
                return await handle(request)
            except LoginRequired:
                return redirect(LOGIN)
            except CrossOriginForm:
                return Response("cross-origin form refused", status_code=403)
            except (*_REFUSALS, InvalidRequest) as exc:
                if request.method != "POST":
                    raise  # a page: the same problem document as the API's
                return _refused_form(request, exc)

        return console_handler


def console_router() -> APIRouter:
    """A router for console pages under ``/console``, kept out of the OpenAPI document."""
    return APIRouter(prefix="/console", include_in_schema=False, route_class=ConsoleRoute)
