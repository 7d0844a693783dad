"""The portal's use cases, behind one object for the edges (the console, the API).

Drafts of declaration forms (:mod:`.drafts`), the code lists the form searches,
questions and answers and the notifications (:mod:`.questions`,
:mod:`.notifications`), documents (:mod:`.documents`) and payments the trader
records (:mod:`.payments`). The declaration's lifecycle stays the declarations'
own: the portal reacts to its events (:mod:`silkgate.handlers`).
"""

from __future__ import annotations

import sqlalchemy as sa

from silkgate.kernel.errors import FieldError, InvalidRequest
from silkgate.portal.services.documents import Documents
from silkgate.portal.services.drafts import Drafts
from silkgate.portal.services.notifications import Notifier, Webhooks
from silkgate.portal.services.payments import Payments
from silkgate.portal.services.questions import Questions
from silkgate.store import portal as store
from silkgate.store.db import reading

__all__ = [
    "Documents", "Drafts", "Notifier", "Payments", "PortalService", "Questions", "Webhooks",
]  # fmt: skip


class PortalService:
    """What the trader's portal does besides what the declarations do."""

    def __init__(
        self,
        engine: sa.Engine,
        drafts: Drafts,
        questions: Questions,
        documents: Documents,
        payments: Payments,
        webhooks: Webhooks,
        notifier: Notifier,
    ) -> None:
        self.engine = engine
        self.drafts = drafts
        self.questions = questions
        self.documents = documents
        self.payments = payments
        self.webhooks = webhooks
        self.notifier = notifier

    def codes(self, kind: str, q: str, limit: int = 30) -> list[tuple[str, str]]:
        """(code, name) of a code list (countries, currencies, units, packages, locations,
        offices) matching ``q`` by the start of the code or a part of the name."""
        if kind not in store.code_lists():
            raise InvalidRequest(
                [FieldError("/list", "unknown", f"one of {', '.join(sorted(store.code_lists()))}")]
            )
        with reading(self.engine) as conn:
            return store.search_codes(conn, kind, q[:70], limit)
