"""The portal's wiring: its use cases over the node's database, clock and document store
(called by :mod:`silkgate.bootstrap`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from silkgate.declarations.services import DeclarationService
from silkgate.portal.services import Documents, Drafts, PortalService, Questions
from silkgate.portal.services.storage import DirectoryStore

if TYPE_CHECKING:
    from silkgate.bootstrap import _Base as Base


def portal(base: Base, declarations: DeclarationService) -> PortalService:
    """Documents are journaled on their declaration by its lifecycle (``attach``)."""
    settings = base.settings
    documents = Documents(
        base.engine,
        DirectoryStore(settings.documents_directory()),
        settings.upload_limit(),
        declarations.information.attach,
    )
    return PortalService(
        base.engine, Drafts(base.engine, base.clock), Questions(base.engine), documents
    )
