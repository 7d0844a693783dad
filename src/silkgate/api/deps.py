"""Dependencies shared by the API routes: the node and the authenticated principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from silkgate.api.problems import Problem
from silkgate.kernel.actors import Principal
from silkgate.node import Node

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="silkgate"'}


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
        raise Problem(
            401,
            "Unauthorized",
            "the token is unknown or revoked",
            headers={"WWW-Authenticate": 'Bearer realm="silkgate", error="invalid_token"'},
            kind="unauthorized",
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]
