"""Questions and documents on a declaration: an officer requests information, the trader
answers it, and documents are attached to it; each a step of its lifecycle, journaled.

The portal keeps the question, the answer and the document's record (its
handlers react to the events raised here); the declaration keeps the status:
it waits on the trader while a question is open, on customs once answered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from silkgate.declarations.aggregate import Declaration
from silkgate.declarations.services.context import Context, visible
from silkgate.declarations.services.queries import summary
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import FieldError, Forbidden, InvalidRequest


def _said(text: str, where: str, what: str) -> str:
    said = text.strip()
    if not said:
        raise InvalidRequest([FieldError(where, "missing", f"{what} is required")])
    if len(said) > 1000:
        raise InvalidRequest([FieldError(where, "too_long", "at most 1000 characters")])
    return said


class Information:
    """Requesting information, answering it, and attaching documents."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def request(
        self, principal: Principal, mrn: str, question: str, deadline: dt.date | None = None
    ) -> dict[str, Any]:
        """An officer asks the trader ``question``, perhaps by ``deadline``: the declaration
        waits (``awaiting_information``) until the trader answers and the officer resumes."""
        asked = _said(question, "/question", "the question")
        at = self.ctx.clock()
        if deadline is not None and deadline < self.ctx.today(at):
            raise InvalidRequest([FieldError("/deadline", "past", "must not be in the past")])
        with self.ctx.unit_of_work() as uow:
            d = visible(uow.declarations, principal, mrn, for_update=True)
            if not principal.is_staff:
                raise Forbidden("only customs officers request information")
            declaration = Declaration(d)
            declaration.request_information(
                at=at, actor=principal.name, question=asked, deadline=deadline
            )
            changed = uow.declarations.save(declaration, at)
            uow.collect(*declaration.take_events())
        return summary(changed, self.ctx.codes.currencies)

    def answer(self, principal: Principal, mrn: str, answer: str) -> dict[str, Any]:
        """The declarant answers the question its declaration waits on.

        Another trader's declaration is unknown to it (NotFound), as every
        other reading of it is: nothing is stored.
        """
        said = _said(answer, "/answer", "the answer")
        at = self.ctx.clock()
        with self.ctx.unit_of_work() as uow:
            d = visible(uow.declarations, principal, mrn, for_update=True)
            if principal.role is not Role.DECLARANT:
                raise Forbidden("only the declarant answers a question on its declaration")
            declaration = Declaration(d)
            declaration.provide_information(at=at, actor=principal.name, answer=said)
            uow.collect(*declaration.take_events())
        return summary(d, self.ctx.codes.currencies)

    def attach(self, principal: Principal, mrn: str, document: dict[str, Any]) -> None:
        """Journal a document stored for the declaration (its declarant's, or customs')."""
        at = self.ctx.clock()
        with self.ctx.unit_of_work() as uow:
            d = visible(uow.declarations, principal, mrn, for_update=True)
            if principal.role is not Role.DECLARANT and not principal.is_staff:
                raise Forbidden("only the declarant and customs attach documents")
            declaration = Declaration(d)
            declaration.attach(at=at, actor=principal.name, document=document)
            uow.collect(*declaration.take_events())
