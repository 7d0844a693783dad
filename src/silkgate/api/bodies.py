"""JSON in and out, the same way on every route: media type, empty and malformed bodies."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from silkgate.api.problems import Problem


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(payload), status_code=status, media_type="application/json", headers=headers
    )


async def json_body(request: Request) -> tuple[Any, bytes]:
    """The parsed JSON body and its bytes; 415, or 400 naming what is wrong, otherwise."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() not in ("application/json", ""):
        raise Problem(
            415,
            "Unsupported media type",
            "send the body as application/json",
            kind="unsupported-media-type",
        )
    body = await request.body()
    if not body:
        raise Problem(400, "Malformed request", "the request has no body", kind="malformed-json")
    try:
        return orjson.loads(body), body
    except orjson.JSONDecodeError as exc:
        raise Problem(
            400, "Malformed request", f"the body is not valid JSON: {exc}", kind="malformed-json"
        ) from None
