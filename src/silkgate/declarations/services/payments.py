"""Duties and taxes: the assessment of a version, the account, payments and guarantees."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.aggregate import Declaration, DeclarationState
from silkgate.declarations.commands import PaymentBody
from silkgate.declarations.ports import AccountRepository, RecordedPayment, unsecured
from silkgate.declarations.services.context import Context, visible, visible_on
from silkgate.declarations.states import Status
from silkgate.kernel.actors import Principal
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.store import tariff as tariff_store
from silkgate.store.db import reading
from silkgate.tariff.money import ZERO, round_money

# The goods did not enter: no duty is due; what was paid is refunded.
_NOTHING_DUE = frozenset({"returned", "destroyed", "rejected", "cancelled"})


def account_of(
    accounts: AccountRepository, d: DeclarationState, currency: str, minor_unit: int
) -> dict[str, Any]:
    """What is assessed on the current version, paid, guaranteed, and still due."""
    assessed = accounts.assessed_total(d.id, d.version)
    return statement(d.status, assessed, accounts.payments_of(d.id), currency, minor_unit)


def account_on(
    conn: sa.Connection, d: DeclarationState, currency: str, minor_unit: int
) -> dict[str, Any]:
    """:func:`account_of` for the readers, on a read-only connection of their own.

    It also says how much of what is assessed is a preference withheld: what
    a preference claimed would save, due (or to be guaranteed) until its e-CO
    matches, and given back if it does in time.
    """
    assessed = tariff_store.assessed_total(conn, d.id, d.version)
    account = statement(
        d.status, assessed, tariff_store.payments_of(conn, d.id), currency, minor_unit
    )
    withheld = tariff_store.preference_withheld(conn, d.id, d.version)
    if withheld:
        account["preference_withheld"] = format(round_money(withheld, minor_unit), "f")
    return account


def statement(
    status: str,
    assessed: Decimal | None,
    payments: list[RecordedPayment],
    currency: str,
    minor_unit: int,
) -> dict[str, Any]:
    """The account of a declaration in ``status``: assessed, paid, guaranteed, due, unsecured."""
    paid = sum((p.amount for p in payments if p.kind == "payment"), ZERO)
    guaranteed = sum((p.amount for p in payments if p.kind == "guarantee"), ZERO)
    assessed = assessed if assessed is not None else ZERO
    # Still to be paid; negative when an amendment lowered the duties below what
    # was paid (a refund is due). A guarantee secures an amount, it does not pay it.
    due = -paid if status in _NOTHING_DUE else assessed - paid
    # A guarantee is released as the duties it secures are paid.
    guaranteed = min(guaranteed, max(due, ZERO))

    def money(v: Decimal) -> str:
        return format(round_money(v, minor_unit), "f")

    return {
        "currency": currency,
        "assessed": money(assessed),
        "paid": money(paid),
        "guaranteed": money(guaranteed),
        "due": money(due),
        # Neither paid nor guaranteed: release waits until this is zero.
        "unsecured": money(ZERO if status in _NOTHING_DUE else unsecured(assessed, payments)),
        "payments": [
            {
                "kind": p.kind,
                "amount": money(p.amount),
                "currency": p.currency,
                "reference": p.reference,
                "recorded_at": p.recorded_at.isoformat().replace("+00:00", "Z"),
                "recorded_by": p.recorded_by,
            }
            for p in payments
        ],
    }


def payment_errors(payment: PaymentBody, ctx: Context) -> list[FieldError]:
    """What this node refuses in a payment: another currency, more decimals than it has."""
    errors = []
    if payment.currency != ctx.currency:
        errors.append(FieldError("/currency", "not_national_currency", f"must be {ctx.currency}"))
    if payment.amount != round_money(payment.amount, ctx.minor_unit):
        errors.append(
            FieldError(
                "/amount",
                "too_many_decimals",
                f"{ctx.currency} has {ctx.minor_unit} decimal places",
            )
        )
    return errors


class Payments:
    """The account of a declaration and what is paid into it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def assessment(
        self, principal: Principal, mrn: str, version: int | None = None
    ) -> dict[str, Any]:
        """The assessment of the current (or a given) version of a declaration."""
        with reading(self.ctx.engine) as conn:
            d = visible_on(conn, principal, mrn)
            found = tariff_store.assessment_of(conn, d.id, version or d.version)
        if found is None:
            raise NotFound(f"declaration {mrn} has no assessment of version {version or d.version}")
        return {"mrn": mrn, **found}

    def account(self, principal: Principal, mrn: str) -> dict[str, Any]:
        with reading(self.ctx.engine) as conn:
            d = visible_on(conn, principal, mrn)
            account = account_on(conn, d, self.ctx.currency, self.ctx.minor_unit)
            return {"mrn": mrn, "status": d.status, **account}

    def _account(self, accounts: AccountRepository, d: DeclarationState) -> dict[str, Any]:
        return account_of(accounts, d, self.ctx.currency, self.ctx.minor_unit)

    def _within_limit(
        self, accounts: AccountRepository, d: DeclarationState, kind: str, amount: Decimal
    ) -> None:
        """A payment pays at most what is due; a guarantee secures at most what is unsecured."""
        limit = Decimal(self._account(accounts, d)["due" if kind == "payment" else "unsecured"])
        if amount > limit:
            what = "due" if kind == "payment" else "neither paid nor guaranteed"
            raise InvalidRequest(
                [
                    FieldError(
                        "/amount",
                        "exceeds_amount_due",
                        f"{amount} is more than the {max(limit, ZERO)} {self.ctx.currency} {what}",
                    )
                ]
            )

    def record_payment(
        self, principal: Principal, mrn: str, payment: PaymentBody
    ) -> dict[str, Any]:
        """Record a payment received, or a guarantee accepted, against the amount due.

        Customs staff record them (a payment is confirmed by the treasury or the
        bank, a guarantee is accepted by customs); the declarant sees them. A
        payment may not exceed what is still to be paid (a refund is a separate
        procedure); a guarantee may not exceed what is neither paid nor already
        guaranteed. Green or blue goods whose duties are now secured are
        released in the same transaction.
        """
        errors = payment_errors(payment, self.ctx)
        if errors:
            raise InvalidRequest(errors)
        kind, amount, currency = payment.kind, payment.amount, payment.currency
        at = self.ctx.clock()
        with self.ctx.unit_of_work() as uow:
            # Whether the declaration exists (for this reader) comes first: a trader is
            # refused only on its own, as any other MRN is unknown to it.
            d = visible(uow.declarations, principal, mrn, for_update=True)
            if not principal.is_staff:
                raise Forbidden("payments and guarantees are recorded by customs staff")
            if d.status in (Status.REJECTED.value, Status.CANCELLED.value):
                raise Conflict(f"the declaration is {d.status}: nothing is due on it")
            self._within_limit(uow.accounts, d, kind, amount)
            recorded = RecordedPayment(
                kind=kind,
                amount=amount,
                currency=currency,
                reference=payment.reference,
                recorded_at=at,
                recorded_by=principal.name,
            )
            uow.accounts.add_payment(d.id, recorded)
            declaration = Declaration(d)
            declaration.paid(
                kind=kind, at=at, actor=principal.name,
                reason=f"{amount} {currency}, reference {payment.reference}",
            )  # fmt: skip
            account = self._account(uow.accounts, d)
            declaration.settle(Decimal(account["unsecured"]), at)
            d = uow.declarations.save(declaration, at)
            uow.collect(*declaration.take_events())
        return {"mrn": mrn, "status": d.status, **account}
