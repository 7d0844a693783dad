"""Security headers on every answer of the node: the API, the console and the docs.

* ``Content-Security-Policy``: the console loads only its own scripts and
  styles (no inline script, style or event handler anywhere in its templates);
  the API's JSON needs nothing at all; ``/docs`` sets its own, with a nonce for
  Swagger UI's one inline script (:mod:`silkgate.api.docs`).
* ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``: never in a frame.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``.
* ``Cache-Control: no-store`` unless the route said otherwise (the published
  tariff may be cached) or the answer is a static file (revalidated by its
  ETag): private pages and authenticated answers are never kept by a browser
  or a proxy.
* ``Strict-Transport-Security`` when served over https.

A route that sets one of these headers itself keeps its own.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_COMMON = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# The console: its own scripts (htmx), styles and images, forms posted to itself only.
CONSOLE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
# Everything else answers data, not pages: nothing may load from it, nothing may frame it.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
# Files that never change between two deployments: revalidated by ETag, not re-sent.
STATIC = ("/console/static/", "/docs/static/")


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers above to every HTTP answer that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        policy = CONSOLE_POLICY if path.startswith("/console") else API_POLICY
        static = path.startswith(STATIC)
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _COMMON.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
                if https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, with_headers)
