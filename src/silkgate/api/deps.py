"""Dependencies shared by the API routes: the node and the authenticated principal.

A refused token counts against its source (the client address): after too
many failures in a window, the next are answered 429 with ``Retry-After``
(:class:`~silkgate.access.services.throttle.AuthThrottle`). A valid token is
never held back, and the cached valid token's path does no database work.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from silkgate.api.problems import Problem
from silkgate.kernel.actors import Principal
from silkgate.node import Node

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="silkgate"'}


def source_of(request: Request) -> str:
    """The client's address (a proxy's X-Forwarded-For only from SILKGATE_FORWARDED_ALLOW_IPS)."""
    return request.client.host if request.client else ""


def too_many(retry_after: int, detail: str, kind: str) -> Problem:
    """429 with ``Retry-After``: this source must wait ``retry_after`` seconds."""
    return Problem(
        429,
        "Too many requests",
        f"{detail}; try again in {retry_after} s",
        headers={"Retry-After": str(retry_after)},
        kind=kind,
    )


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


async def current_principal(request: Request, node: NodeDep) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(
            401,
            "Unauthorized",
            "send an API token as 'Authorization: Bearer <token>'",
            headers=_CHALLENGE,
            kind="unauthorized",
        )
    known, principal = node.tokens.cached(token.strip())
    if not known:
        principal = await run_in_threadpool(node.tokens.resolve, token.strip())
    if principal is None:
        wait = await run_in_threadpool(node.auth_throttle.failed, source_of(request))
        if wait is not None:
            raise too_many(wait, "too many failed authentications from this address", "throttled")
        raise Problem(
            401,
            "Unauthorized",
            "the token is unknown or revoked",
            headers={"WWW-Authenticate": 'Bearer realm="silkgate", error="invalid_token"'},
            kind="unauthorized",
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]
