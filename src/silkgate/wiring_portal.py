"""The portal's wiring: its use cases over the node's database, clock and document store
(called by :mod:`silkgate.bootstrap`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from silkgate.declarations.services import DeclarationService
from silkgate.portal.services import Documents, Drafts, Payments, PortalService, Questions
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
    payments = Payments(
        base.engine,
        base.clock,
        record=declarations.record_payment,
        account=declarations.account,
        confirmed=settings.portal_payments_confirmed,
    )
    return PortalService(
        base.engine, Drafts(base.engine, base.clock), Questions(base.engine), documents, payments
    )
