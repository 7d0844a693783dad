"""Questions and answers: what the portal keeps of an officer's request for information.

The declaration's lifecycle raises the events (:mod:`silkgate.declarations.services
.information`); these handlers, in the same transaction, keep the question and
its answer for the lists that show what waits on whom, and record each
uploaded document. Who may ask and answer is the declarations' to decide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from silkgate.declarations import events as ev
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.events import UnitOfWork
from silkgate.store import declarations as declaration_store
from silkgate.store import portal as store
from silkgate.store.db import reading

WAITS_ON_TRADER = "trader"
WAITS_ON_CUSTOMS = "customs"


def on_information_requested(event: ev.InformationRequested, uow: UnitOfWork) -> None:
    conn = uow.connection
    store.ask(
        conn,
        {
            "declaration_id": event.declaration_id,
            "mrn": event.mrn,
            "party_id": store.declarant_of(conn, event.declaration_id),
            "question": event.reason or "",
            "deadline": event.deadline,
            "asked_at": event.at,
            "asked_by": event.actor,
        },
    )


def on_information_provided(event: ev.InformationProvided, uow: UnitOfWork) -> None:
    store.answer_open(
        uow.connection, event.declaration_id, event.reason or "", event.at, event.actor
    )


def on_document_attached(event: ev.DocumentAttached, uow: UnitOfWork) -> None:
    conn = uow.connection
    store.add_document(
        conn,
        {
            "declaration_id": event.declaration_id,
            "mrn": event.mrn,
            "party_id": store.declarant_of(conn, event.declaration_id),
            "kind": event.kind,
            "filename": event.filename,
            "media_type": event.media_type,
            "size": event.size,
            "sha256": event.sha256,
            "storage_key": event.storage_key,
            "question_id": event.question_id,
            "uploaded_at": event.at,
            "uploaded_by": event.actor,
        },
    )


def waits_on(question: dict[str, Any]) -> str | None:
    """Whom a question's declaration waits on: the trader until it answers, then customs
    until an officer resumes (None once the declaration has moved on)."""
    if question["status"] != "awaiting_information":
        return None
    return WAITS_ON_TRADER if question["answered_at"] is None else WAITS_ON_CUSTOMS


class Questions:
    """The questions a reader may see: a trader its own, customs staff every one."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def listed(self, principal: Principal) -> list[dict[str, Any]]:
        if principal.role is Role.DECLARANT:
            party = principal.party_id or "-"
        elif principal.is_staff:
            party = None
        else:
            return []
        with reading(self.engine) as conn:
            found = store.questions(conn, party_id=party)
        return [{**q, "waits_on": waits_on(q)} for q in found]

    def of_declaration(self, principal: Principal, mrn: str) -> list[dict[str, Any]]:
        """The questions on one declaration ``principal`` may see (none if it may not)."""
        with reading(self.engine) as conn:
            d = declaration_store.get(conn, mrn)
            if d is None or not principal.may_see(d.declarant_id):
                return []
            found = store.questions(conn, declaration_id=d.id)
        return [{**q, "waits_on": waits_on(q)} for q in found]

    @staticmethod
    def overdue(question: dict[str, Any], today: dt.date) -> bool:
        deadline = question.get("deadline")
        return bool(deadline and question["answered_at"] is None and deadline < today)
