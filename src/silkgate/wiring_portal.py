"""The portal's wiring: its use cases over the node's database and clock (called by
:mod:`silkgate.bootstrap`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from silkgate.portal.services import Drafts, PortalService

if TYPE_CHECKING:
    from silkgate.bootstrap import _Base as Base


def portal(base: Base) -> PortalService:
    return PortalService(base.engine, Drafts(base.engine, base.clock))
