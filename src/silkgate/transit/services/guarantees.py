"""The guarantee register: guarantees registered by holder, their balance, and the duties at
stake a release reserves on them (the highest rates of the tariff in force)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import Conflict, Forbidden, NotFound, invalid
from silkgate.store import transit as store
from silkgate.store.db import reading, writing
from silkgate.tariff.schedule import TariffLine
from silkgate.transit import guarantee as g
from silkgate.transit.document import GuaranteeRegistration, TransitDeclaration
from silkgate.transit.services.common import STAFF, Node, money

ZERO = Decimal(0)

# The national lines under a subheading, from the tariff in force.
LinesUnder = Callable[[str], list[TariffLine]]
# National currency per unit of a currency on a date (None: no rate).
ToNational = Callable[[str, dt.date], Decimal | None]


class Guarantees:
    """The register and the stake computation."""

    def __init__(
        self,
        node: Node,
        *,
        currency: str,
        minor_unit: int,
        lines_under: LinesUnder,
        to_national: ToNational,
    ) -> None:
        self.node = node
        self.currency = currency
        self.minor_unit = minor_unit
        self.lines_under = lines_under
        self.to_national = to_national

    # -- the duties at stake ---------------------------------------------------------------

    def stake(self, declaration: TransitDeclaration, on: dt.date) -> tuple[Decimal, list[g.Stake]]:
        """What releasing ``declaration`` reserves, and the stake of each item."""
        rate = Decimal(1)
        if declaration.currency != self.currency:
            found = self.to_national(declaration.currency, on)
            if found is None:
                raise invalid(
                    "/currency", "no_rate", f"no customs exchange rate for {declaration.currency}"
                )
            rate = found
        stakes = [
            g.item_stake(
                goods.hs_code,
                self.lines_under(goods.hs_code),
                goods.value * rate,
                goods.gross_mass_kg,
                on,
            )
            for goods in declaration.goods
        ]
        return g.reserved_amount(stakes, self.minor_unit), stakes

    # -- the register ------------------------------------------------------------------------

    def register(self, principal: Principal, command: GuaranteeRegistration) -> dict[str, Any]:
        """Register a guarantee (the office of guarantee: an officer or administrator)."""
        if principal.role not in STAFF:
            raise Forbidden("guarantees are registered by customs officers")
        if command.kind == "tir" and (command.carnet is None or command.vouchers is None):
            raise invalid("/carnet", "required", "a TIR carnet gives its number and vouchers")
        if command.kind != "tir" and (command.carnet or command.vouchers):
            raise invalid("/carnet", "not_tir", "a carnet number goes with kind tir only")
        at = self.node.clock()
        with writing(self.node.engine) as conn:
            if store.guarantee(conn, command.reference) is not None:
                raise Conflict(f"guarantee {command.reference} is registered already")
            store.add_guarantee(conn, {
                "reference": command.reference, "holder": command.holder,
                "kind": command.kind, "currency": self.currency,
                "reference_amount": command.amount, "balance": command.amount,
                "uses": 0, "registered_at": at, "registered_by": principal.name,
                "carnet": command.carnet, "vouchers": command.vouchers,
            })  # fmt: skip
            return self._shown(conn, command.reference)

    def balance(self, principal: Principal, reference: str) -> dict[str, Any]:
        """One guarantee's balance and reservations (its holder, or an officer)."""
        if principal.role is not Role.DECLARANT and principal.role not in STAFF:
            raise Forbidden("guarantees are read by officers and their holders")
        with reading(self.node.engine) as conn:
            row = store.guarantee(conn, reference)
            if row is None or not _reads(principal, row["holder"]):
                raise NotFound(f"no guarantee {reference}")
            return self._shown(conn, reference)

    def listing(self, principal: Principal, holder: str | None = None) -> list[dict[str, Any]]:
        """A holder's guarantees (a declarant: its own)."""
        if principal.role is Role.DECLARANT:
            holder = principal.party_id or "-"
        elif principal.role not in STAFF:
            raise Forbidden("guarantees are read by officers and their holders")
        with reading(self.node.engine) as conn:
            return [self._shown(conn, r["reference"]) for r in store.guarantees(conn, holder)]

    def _shown(self, conn: sa.Connection, reference: str) -> dict[str, Any]:
        row = store.guarantee(conn, reference)
        assert row is not None
        held = store.reservations(conn, reference)

        def total(state: str) -> str:
            return self._money(sum((r["amount"] for r in held if _state(r) == state), ZERO))

        return {
            "reference": row["reference"],
            "holder": row["holder"],
            "kind": row["kind"],
            "currency": row["currency"],
            "reference_amount": self._money(row["reference_amount"]),
            "carnet": row["carnet"],
            "vouchers": row["vouchers"],
            "balance": self._money(row["balance"]),
            "reserved": total("reserved"),
            "recovered": total("recovered"),
            "movements": [
                {
                    "mrn": r["mrn"],
                    "amount": self._money(r["amount"]),
                    "freed": r["freed_at"] is not None,
                    "state": _state(r),
                }
                for r in held[-100:]
            ],
        }

    def _money(self, amount: Any) -> str:
        return money(amount, self.minor_unit)


def _state(reservation: dict[str, Any]) -> str:
    """reserved (the movement under way), freed (discharged) or recovered (a debt paid)."""
    if reservation["recovered_at"] is not None:
        return "recovered"
    return "reserved" if reservation["freed_at"] is None else "freed"


def _reads(principal: Principal, holder: str) -> bool:
    if principal.role is Role.DECLARANT:
        return principal.party_id == holder
    return principal.role in STAFF
