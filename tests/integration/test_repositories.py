"""The SQL repositories and the in-memory ones of ``tests/fakes.py`` keep one contract.

The in-memory unit of work stands in for the database in the unit tests of
the declaration use cases (``tests/unit/test_use_cases_in_memory.py``); the
same steps run here on both, so the fake cannot drift from the store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal

import pytest

from silkgate.declarations.aggregate import Declaration
from silkgate.declarations.ports import DeclarationUnitOfWork, RecordedPayment
from silkgate.declarations.states import Action
from silkgate.kernel.events import MessageBus
from silkgate.store.uow import SqlUnitOfWork
from tests.fakes import InMemoryStore

Opener = Callable[[], AbstractContextManager[DeclarationUnitOfWork]]
AT = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(params=["sql", "memory"])
def lodged(request, node, tokens, declaration) -> tuple[Opener, str]:
    """A way to open units of work, and the MRN of a declaration lodged there."""
    if request.param == "sql":
        acme = node.tokens.resolve(tokens["acme-trading"])
        summary, _ = node.declarations.lodge(acme, declaration)
        return (lambda: SqlUnitOfWork(node.engine, MessageBus(), node.journal.keys)), summary["mrn"]
    store = InMemoryStore()
    return store.unit_of_work, store.add_declaration(assessed="12.5").mrn


def payment(reference: str, amount: str = "2.5") -> RecordedPayment:
    return RecordedPayment(
        kind="payment", amount=Decimal(amount), currency="CNY", reference=reference,
        recorded_at=AT, recorded_by="officer.li",
    )  # fmt: skip


def test_a_declaration_is_read_and_saved_through_the_repository(lodged):
    open_unit, mrn = lodged
    with open_unit() as uow:
        assert uow.declarations.get("26CNSHA99999999999") is None
        d = uow.declarations.get(mrn, for_update=True)
        assert d is not None and d.mrn == mrn
        declaration = Declaration(d)
        assert uow.declarations.save(declaration, AT) == d  # unchanged: nothing written
        declaration.decide(Action.CANCEL, at=AT, actor="acme", reason="lodged twice")
        saved = uow.declarations.save(declaration, AT)
        assert saved == dataclasses.replace(d, status="cancelled", updated_at=AT)
        assert declaration.state == saved and not declaration.changed
    with open_unit() as uow:
        assert uow.declarations.get(mrn) == saved


def test_payments_are_kept_in_order_and_only_when_the_unit_commits(lodged):
    open_unit, mrn = lodged
    with open_unit() as uow:
        d = uow.declarations.get(mrn)
        assert d is not None
        assert isinstance(uow.accounts.assessed_total(d.id, d.version), Decimal)
        assert uow.accounts.assessed_total(d.id, d.version + 1) is None
        assert uow.accounts.payments_of(d.id) == []
        uow.accounts.add_payment(d.id, payment("B-1"))
        uow.accounts.add_payment(d.id, payment("B-2", "0.125"))
        assert uow.accounts.payments_of(d.id) == [payment("B-1"), payment("B-2", "0.125")]
    with pytest.raises(ZeroDivisionError), open_unit() as uow:
        uow.accounts.add_payment(d.id, payment("B-3"))
        raise ZeroDivisionError
    with open_unit() as uow:
        assert [p.reference for p in uow.accounts.payments_of(d.id)] == ["B-1", "B-2"]
