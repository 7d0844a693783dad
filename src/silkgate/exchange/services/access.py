"""Who may manage the exchange with partners."""

from __future__ import annotations

from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import Forbidden


def require_admin(principal: Principal) -> None:
    """The node's administrators manage partners, keys and the queues; nobody else."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("the exchange with partners is managed by the node's administrators")
