"""The declarations' repositories on SQL: thin adapters over ``declarations`` and ``tariff``.

A :class:`~silkgate.store.uow.SqlUnitOfWork` builds them on its open
connection, so what a use case reads and writes through ``uow.declarations``
and ``uow.accounts`` is in the use case's one transaction. They satisfy the
ports of ``declarations/ports.py``; the tests' in-memory ones do too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from silkgate.declarations.aggregate import Declaration, DeclarationState
from silkgate.declarations.ports import RecordedPayment
from silkgate.store import declarations, tariff


class SqlDeclarations:
    """Declarations read (and locked) and saved on one connection."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    def get(self, mrn: str, *, for_update: bool = False) -> DeclarationState | None:
        return declarations.get(self.connection, mrn, for_update=for_update)

    def save(self, declaration: Declaration, at: dt.datetime) -> DeclarationState:
        return declarations.save(self.connection, declaration, at)


class SqlAccounts:
    """Assessed totals, payments and guarantees on one connection."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection

    def assessed_total(self, declaration_id: int, version: int) -> Decimal | None:
        return tariff.assessed_total(self.connection, declaration_id, version)

    def payments_of(self, declaration_id: int) -> list[RecordedPayment]:
        return tariff.payments_of(self.connection, declaration_id)

    def add_payment(self, declaration_id: int, payment: RecordedPayment) -> None:
        tariff.add_payment(self.connection, declaration_id, payment)
