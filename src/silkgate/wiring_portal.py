"""The portal's wiring: its use cases over the node's database, clock and document store
(called by :mod:`silkgate.bootstrap`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from silkgate.config import Mode
from silkgate.declarations.services import DeclarationService
from silkgate.portal.services import (
    Documents,
    Drafts,
    Notifier,
    Payments,
    PortalService,
    Questions,
    Webhooks,
)
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
    # A production node posts only to public https addresses; a demo or a test, anywhere.
    webhooks = Webhooks(base.engine, base.clock, private_allowed=settings.mode != Mode.PRODUCTION)
    return PortalService(
        base.engine,
        Drafts(base.engine, base.clock),
        Questions(base.engine),
        documents,
        payments,
        webhooks,
        Notifier(base.engine, base.clock),
    )
