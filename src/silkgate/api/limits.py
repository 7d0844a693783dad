"""Refuse oversized request bodies before they are read into memory."""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from silkgate.api.problems import MEDIA_TYPE


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Pure ASGI middleware: 413 when a body exceeds ``max_bytes``, declared or streamed.

    ``larger``: (path prefix, limit) for the routes that take bulk bodies (the
    e-commerce lists), which read them as a stream and check their own limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, larger: tuple[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        most = self.max_bytes
        if self.larger is not None and scope["path"].startswith(self.larger[0]):
            most = self.larger[1]
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    too_big = int(value) > most
                except ValueError:
                    too_big = False
                if too_big:
                    await self._refuse(send)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > most:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = orjson.dumps(
            {
                "type": "/problems/body-too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": f"the limit is {self.max_bytes} bytes",
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
