"""Each request in its user's language: the switch's cookie, else ``Accept-Language``.

A plain ASGI middleware around the whole application (API, console, public
pages): it picks the language before anything else runs, so the pages, the
flash messages and the API's problem details all speak it, and it says which
on the answer (``Content-Language``). The answer varies with both headers, so
a cache keeps one copy per language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

from silkgate import i18n

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def chosen(cookie_header: str, accept_language: str) -> str:
    """The language of a request with these ``Cookie`` and ``Accept-Language`` headers."""
    remembered = ""
    if cookie_header:
        try:
            jar: SimpleCookie = SimpleCookie(cookie_header)
        except CookieError:
            jar = SimpleCookie()
        morsel = jar.get(i18n.COOKIE)
        remembered = morsel.value if morsel and morsel.value in i18n.LOCALES else ""
    return i18n.negotiate(remembered, accept_language)


def _with_language(headers: list[tuple[bytes, bytes]], locale: str) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``Content-Language``, and ``Vary`` naming what chose the language."""
    varies: list[str] = []
    kept = []
    for name, value in headers:
        if name.lower() == b"vary":
            varies += [v.strip() for v in value.decode("latin-1").split(",") if v.strip()]
        else:
            kept.append((name, value))
    for header in ("Accept-Language", "Cookie"):
        if header.lower() not in {v.lower() for v in varies}:
            varies.append(header)
    kept.append((b"content-language", i18n.tag(locale).encode()))
    kept.append((b"vary", ", ".join(varies).encode("latin-1")))
    return kept


class Language:
    """Run each HTTP request in its language and say which on the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", ())}
        locale = chosen(
            headers.get(b"cookie", b"").decode("latin-1"),
            headers.get(b"accept-language", b"").decode("latin-1"),
        )

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_language(list(message.get("headers", ())), locale)
            await send(message)

        with i18n.use(locale):
            await self.app(scope, receive, send_with_language)
