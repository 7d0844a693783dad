"""``/v1/journal``: the journal's signed anchor, for administrators to keep off the node."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from silkgate.api.bodies import json_response
from silkgate.api.deps import NodeDep, PrincipalDep
from silkgate.api.problems import PROBLEM
from silkgate.api.schemas import operations as out
from silkgate.api.schemas.base import answer

router = APIRouter(tags=["journal"])


@router.get(
    "/v1/journal/anchor",
    responses={200: answer(out.JournalAnchor), 401: PROBLEM, 403: PROBLEM},
)
def anchor(node: NodeDep, principal: PrincipalDep) -> Response:
    """The journal head (sequence number, hash, time) signed with the node's key (admin).

    Keep it outside the node: `silkgate journal verify --anchor` then finds any
    rewrite of the history before it, even by someone who holds the journal key.
    """
    return json_response(node.journal.anchor(principal))
