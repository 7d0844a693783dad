"""Partner LPCOs received over the exchange: kept, matched to the agency here that accepts
them, updated as the issuing partner changes them.

The inbox hands each ``lpco`` message to :meth:`PartnerLpcos.receive`, in its
own transaction. The LPCO is kept under ``{administration}-{number}``; the
agency here that accepts it is the agency of the import requirement in force
that takes a partner's LPCO of that kind for those goods (``partner = true``),
and it covers nothing until that agency accepts it (``Register.decide``, action
``accept``). A later message (amended, suspended, reinstated, revoked) updates
it; the partner's suspension or revocation puts the declarations relying on it
under control, as a suspension here does. An older message than the one
applied changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope
from silkgate.kernel.events import UnitOfWork
from silkgate.lpco.licence import Flow, Licence, Status, plain
from silkgate.lpco.partner import PartnerLpco, local_number, status_after
from silkgate.lpco.services.register import Register
from silkgate.lpco.services.requirements import RequirementsInForce
from silkgate.store import lpco as store


class PartnerLpcos:
    """The ``lpco`` messages a node receives."""

    def __init__(
        self,
        register: Register,
        requirements: RequirementsInForce,
        attached: Callable[[sa.Connection], Any],
    ) -> None:
        self.register = register
        self.requirements = requirements
        self.attached = attached  # a unit of work inside the inbox's transaction

    def receive(self, conn: sa.Connection, env: Envelope, at: dt.datetime) -> dict[str, Any]:
        data = m.parse(m.PARTNER_LPCO, env.payload)
        assert isinstance(data, PartnerLpco)
        if data.country != env.recipient:
            raise m.PayloadError(f"{data.number} is for exports to {data.country}, not here")
        number = local_number(env.sender, data.number)
        existing = store.by_number(conn, number, for_update=True)
        if existing is None:
            lpco = self._keep(conn, env.sender, number, data, at)
            return {"lpco": number, "status": lpco.status.value, "acceptor": lpco.acceptor}
        row = store.row_of(conn, existing.id)
        assert row is not None
        if _aware(row["updated_at"]) >= data.changed_at:
            return {"lpco": number, "status": existing.status.value, "unchanged": True}
        return self._update(conn, env.sender, existing, data, at)

    def acceptor(self, data: PartnerLpco, sender: str, on: dt.date) -> str | None:
        """The agency here that accepts ``data``: that of an import requirement in force
        taking a partner's LPCO of its kind for its goods from ``sender``."""
        for r in self.requirements.get().all():
            if (
                r.partner
                and r.flow is Flow.IMPORT
                and r.kind is data.kind
                and (data.hs.startswith(r.hs_prefix) or r.hs_prefix.startswith(data.hs))
                and r.country in ("", sender)
                and r.in_force(on)
            ):
                return r.agency
        return None

    def _keep(
        self, conn: sa.Connection, sender: str, number: str, data: PartnerLpco, at: dt.datetime
    ) -> Licence:
        status = Status(data.status) if data.status != "issued" else Status.RECEIVED
        values = {
            **_terms(data), "number": number, "agency": data.agency, "kind": data.kind.value,
            "holder": data.holder, "holder_name": data.holder_name, "flow": data.flow,
            "balance": data.quantity, "status": status.value, "administration": sender,
            "acceptor": self.acceptor(data, sender, at.date()), "issued_at": at,
            "issued_by": f"{sender} {data.agency}", "updated_at": data.changed_at,
        }  # fmt: skip
        lpco = store.insert_numbered(conn, values)
        store.add_history(
            conn, lpco.id, at=at, actor=f"{sender} {data.agency}", action="receive",
            reason=f"received from {sender} over the exchange",
            changes={"quantity": [None, plain(data.quantity)], "status": [None, status.value]},
        )  # fmt: skip
        return lpco

    def _update(
        self, conn: sa.Connection, sender: str, lpco: Licence, data: PartnerLpco, at: dt.datetime
    ) -> dict[str, Any]:
        accepted = any(h["action"] == "accept" for h in store.history(conn, lpco.id))
        status = status_after(data, lpco.status, accepted)
        drawn = lpco.quantity - lpco.balance  # what imports here drew
        values = {
            **_terms(data), "status": status.value, "updated_at": data.changed_at,
            "balance": max(data.quantity - drawn, Decimal(0)),
        }  # fmt: skip
        before = {k: _plain(getattr(lpco, k)) for k in values if hasattr(lpco, k)}
        changes = {
            k: [before[k], _plain(v)]
            for k, v in values.items()
            if k in before and before[k] != _plain(v)
        }
        store.update(conn, lpco.id, values)
        who = f"{sender} {data.agency}"
        store.add_history(
            conn, lpco.id, at=at, actor=who, action="partner", changes=changes,
            reason=f"changed by {sender} (as of {data.changed_at.isoformat()})",
        )  # fmt: skip
        if status in (Status.SUSPENDED, Status.REVOKED) and lpco.status is not status:
            uow: UnitOfWork = self.attached(conn)
            reason = f"LPCO {lpco.number} was {status.value} by {who}"
            self.register.control(uow, lpco, reason, at)
            uow.settle()  # type: ignore[attr-defined]
        return {"lpco": lpco.number, "status": status.value}


def _terms(data: PartnerLpco) -> dict[str, Any]:
    return {
        "holder_name": data.holder_name, "consignee": data.consignee, "hs": data.hs,
        "description": data.description, "country": data.country, "unit": data.unit,
        "quantity": data.quantity, "valid_from": data.valid_from,
        "valid_until": data.valid_until, "conditions": data.conditions,
    }  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.date | Status):
        return str(value)
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
