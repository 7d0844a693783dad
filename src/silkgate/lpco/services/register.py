"""The agencies' LPCOs: issued, amended, suspended, reinstated and revoked, each change journaled.

Only an agency officer issues, and only for its own agency; acting on another
agency's LPCO is :class:`Forbidden` with the reason. Customs staff read every
LPCO, a declarant those it holds. A suspension or revocation puts the
declarations that drew on the LPCO and are not yet released under control:
each escalates through its aggregate (the officer's risk card and the journal
say why), in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.aggregate import Declaration
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import Conflict, FieldError, Forbidden, InvalidRequest, NotFound
from silkgate.kernel.events import JournalNote, Noted, UnitOfWork
from silkgate.lpco.commands import AmendLpco, IssueLpco, LpcoDecision
from silkgate.lpco.events import LpcoChanged
from silkgate.lpco.licence import Flow, Licence, Status, is_currency, plain
from silkgate.lpco.partner import message_of
from silkgate.store import declarations as declaration_store
from silkgate.store import lpco as store
from silkgate.store import risk as risk_store
from silkgate.store.db import reading
from silkgate.tariff import units

# Goods under control for an LPCO's sake are routed at least yellow (a documentary check).
CHANNEL = "yellow"
_OPEN = ("lodged", "under_control", "held")
_DONE = {"suspend": "suspended", "reinstate": "reinstated", "revoke": "revoked"}
_DONE |= {"accept": "accepted", "refuse": "refused"}
_MOVES = {  # action -> (statuses it applies to, the status it leaves)
    "suspend": ((Status.ISSUED,), Status.SUSPENDED),
    "reinstate": ((Status.SUSPENDED,), Status.ISSUED),
    "revoke": ((Status.ISSUED, Status.SUSPENDED), Status.REVOKED),
}
# A partner's LPCO received over the exchange: the agency here accepts or refuses it.
_ACCEPTANCE = {
    "accept": ((Status.RECEIVED,), Status.ISSUED),
    "refuse": ((Status.RECEIVED,), Status.REFUSED),
}


class CodeLists:
    """What an LPCO's codes are checked against (the node's reference data)."""

    def __init__(
        self,
        *,
        countries: Iterable[str],
        currencies: Iterable[str],
        offices: Callable[[], Iterable[str]],
        hs_codes: Iterable[str],
    ) -> None:
        self.countries = frozenset(countries)
        self.currencies = frozenset(currencies)
        self.offices = offices
        self.hs_codes = frozenset(hs_codes)  # headings and subheadings


class Register:
    """The agencies' use cases on their LPCOs."""

    def __init__(
        self,
        engine: sa.Engine,
        unit_of_work: Callable[[], AbstractContextManager[UnitOfWork]],
        *,
        codes: CodeLists,
        zone: dt.tzinfo = dt.UTC,
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.unit_of_work = unit_of_work
        self.codes = codes
        self.zone = zone
        self.clock = clock

    # -- the agency's changes -------------------------------------------------------------------

    def issue(self, principal: Principal, command: IssueLpco) -> dict[str, Any]:
        """Issue an LPCO for the principal's agency; the LPCO as issued."""
        agency = _agency_of(principal)
        self._check_codes(command.unit, command.hs, command.country, command.office)
        if command.valid_until < command.valid_from:
            raise _invalid("valid_until", "invalid_period", "is before valid_from")
        at = self.clock()
        values = {
            **command.model_dump(exclude={"quantity"}),
            "kind": command.kind.value, "flow": command.flow.value, "agency": agency,
            "quantity": command.quantity, "balance": command.quantity,
            "status": Status.ISSUED.value, "issued_at": at, "issued_by": principal.name,
            "updated_at": at,
        }  # fmt: skip
        year = at.astimezone(self.zone).year
        with self.unit_of_work() as uow:
            lpco = store.insert(uow.connection, values, lambda i: f"{agency}-{year}-{i:06d}")
            store.add_history(
                uow.connection, lpco.id, at=at, actor=principal.name, action="issue",
                reason=None, changes={"quantity": [None, plain(command.quantity)]},
            )  # fmt: skip
            _announce(uow, lpco, principal.name, at)
        return self.get(principal, lpco.number)

    def amend(self, principal: Principal, number: str, command: AmendLpco) -> dict[str, Any]:
        """Change an LPCO of the principal's agency; what was not sent stays as it is."""
        at = self.clock()
        changed = command.model_dump(exclude={"reason"}, exclude_unset=True)
        with self.unit_of_work() as uow:
            conn = uow.connection
            lpco = self._own(conn, principal, number, "amend")
            if lpco.status is Status.REVOKED:
                raise Conflict(f"{lpco.number} was revoked; it cannot be amended")
            self._check_codes(lpco.unit, changed.get("hs"), changed.get("country"),
                              changed.get("office"))  # fmt: skip
            values = dict(changed)
            if command.quantity is not None:
                values["balance"] = _new_balance(lpco, command.quantity)
            if command.valid_until is not None and command.valid_until < lpco.valid_from:
                raise _invalid("valid_until", "invalid_period", "is before valid_from")
            before = {k: getattr(lpco, k) for k in changed}
            store.update(conn, lpco.id, {**values, "updated_at": at})
            store.add_history(
                conn, lpco.id, at=at, actor=principal.name, action="amend", reason=command.reason,
                changes={k: [_shown(before[k]), _shown(v)] for k, v in changed.items()},
            )  # fmt: skip
            _announce(uow, store.by_id(conn, lpco.id), principal.name, at)
        return self.get(principal, number)

    def decide(
        self, principal: Principal, number: str, action: str, command: LpcoDecision
    ) -> dict[str, Any]:
        """Suspend, reinstate or revoke an LPCO of the principal's agency.

        Suspending or revoking puts the declarations relying on it, not yet
        released, under control with the reason. A partner's LPCO received
        over the exchange is accepted or refused instead, by the agency here
        the requirements name (its ``acceptor``).
        """
        if action not in _MOVES and action not in _ACCEPTANCE:
            raise NotFound(f"no action {action!r} (suspend, reinstate, revoke, accept, refuse)")
        at = self.clock()
        allowed, after = _MOVES.get(action) or _ACCEPTANCE[action]
        with self.unit_of_work() as uow:
            conn = uow.connection
            if action in _ACCEPTANCE:
                lpco = self._acceptor(conn, principal, number, action)
            else:
                lpco = self._own(conn, principal, number, action)
            if lpco.status not in allowed:
                raise Conflict(
                    f"{lpco.number} is {lpco.status.value}; it cannot be {_DONE[action]}"
                )
            store.update(conn, lpco.id, {"status": after.value, "updated_at": at})
            store.add_history(
                conn, lpco.id, at=at, actor=principal.name, action=action, reason=command.reason,
                changes={"status": [lpco.status.value, after.value]},
            )  # fmt: skip
            if after in (Status.SUSPENDED, Status.REVOKED):
                reason = f"LPCO {lpco.number} was {after.value} by {lpco.agency}: {command.reason}"
                self._control(uow, lpco, reason, at)
            if action in _MOVES:
                _announce(uow, store.by_id(conn, lpco.id), principal.name, at)
        return self.get(principal, number)

    def control(self, uow: UnitOfWork, lpco: Licence, reason: str, at: dt.datetime) -> None:
        """:meth:`_control` for a partner's message that suspends or revokes an LPCO."""
        self._control(uow, lpco, reason, at)

    def _control(self, uow: UnitOfWork, lpco: Licence, reason: str, at: dt.datetime) -> None:
        """Put the declarations relying on ``lpco``, not yet released, under control."""
        conn = uow.connection
        for declaration_id in store.relying_on(conn, lpco.id):
            d = declaration_store.get_by_id(conn, declaration_id, for_update=True)
            if d is None or d.status not in _OPEN:
                continue
            declaration = Declaration(d)
            declaration.escalate(CHANNEL, reason, at)
            declaration_store.save(conn, declaration, at)
            risk_store.escalate_decision(conn, d.id, declaration.channel or CHANNEL, reason)
            uow.collect(
                Noted.of(
                    JournalNote(
                        at=at,
                        actor=lpco.agency,
                        event="lpco_changed",
                        declaration_id=d.id,
                        mrn=d.mrn,
                        version=d.version,
                        reason=reason[:1000],
                    )
                ),
                *declaration.take_events(),
            )

    # -- reading ------------------------------------------------------------------------------

    def listing(
        self, principal: Principal, *, holder: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The LPCOs the principal may read: its agency's, every one (customs staff), or
        those it holds (a declarant)."""
        agency = None
        if principal.role is Role.AGENCY_OFFICER:
            agency = principal.agency
        elif principal.role is Role.DECLARANT:
            holder = principal.party_id
        elif not principal.is_staff:
            raise Forbidden("LPCOs are read by their agencies, customs staff and their holders")
        with reading(self.engine) as conn:
            rows = store.listing(conn, agency=agency, holder=holder, limit=limit)
        return [_shown_row(r) for r in rows]

    def get(self, principal: Principal, number: str) -> dict[str, Any]:
        """One LPCO with its journal and draw-downs (its agency, customs staff, its holder)."""
        with reading(self.engine) as conn:
            lpco = store.by_number(conn, number.strip().upper())
            if lpco is None or not _may_read(principal, lpco):
                raise NotFound(f"no LPCO {number}")
            row = store.row_of(conn, lpco.id)
            history = store.history(conn, lpco.id)
            draws = store.drawdowns_of(conn, lpco.id)
        assert row is not None
        return {
            **_shown_row(row),
            "history": [{**h, "at": _when(h["at"])} for h in history],
            "drawdowns": [
                {
                    **d,
                    "quantity": plain(d["quantity"]),
                    "drawn_at": _when(d["drawn_at"]),
                    "returned_at": _when(d["returned_at"]),
                    "live": d["returned_at"] is None,
                }
                for d in draws
            ],
        }

    # -- checks ------------------------------------------------------------------------------

    def _own(self, conn: sa.Connection, principal: Principal, number: str, action: str) -> Licence:
        agency = _agency_of(principal)
        lpco = store.by_number(conn, number.strip().upper(), for_update=True)
        if lpco is None:
            raise NotFound(f"no LPCO {number}")
        if lpco.administration is not None:
            raise Forbidden(
                f"{lpco.number} was issued in {lpco.administration}; it changes only by its "
                f"issuer's messages ({lpco.acceptor or 'the agency'} accepts or refuses it here)"
            )
        if lpco.agency != agency:
            raise Forbidden(
                f"{lpco.number} was issued by {lpco.agency}; {agency} may not {action} it"
            )
        return lpco

    def _acceptor(
        self, conn: sa.Connection, principal: Principal, number: str, action: str
    ) -> Licence:
        """A partner's LPCO that the principal's agency is the one to accept or refuse."""
        agency = _agency_of(principal)
        lpco = store.by_number(conn, number.strip().upper(), for_update=True)
        if lpco is None or not _may_read(principal, lpco):
            raise NotFound(f"no LPCO {number}")
        if lpco.administration is None:
            raise Conflict(
                f"{lpco.number} was issued here; only a partner's LPCO is {_DONE[action]}"
            )
        if lpco.acceptor != agency:
            raise Forbidden(
                f"{lpco.number} is accepted here by {lpco.acceptor or 'no agency'}; "
                f"{agency} may not {action} it"
            )
        return lpco

    def _check_codes(
        self, unit: str, hs: str | None, country: str | None, office: str | None
    ) -> None:
        errors = []
        if not (
            units.is_convertible(unit) or (is_currency(unit) and unit in self.codes.currencies)
        ):
            words = f"{unit!r} is neither a unit of measure silkgate converts nor a currency"
            errors.append(FieldError("/unit", "unknown_unit", words))
        if hs is not None and hs[:4] not in self.codes.hs_codes:
            errors.append(FieldError("/hs", "unknown_hs_code", f"{hs} is not in HS 2022"))
        if country is not None and country not in self.codes.countries:
            errors.append(FieldError("/country", "unknown_country", f"{country} is not a country"))
        if office is not None and office not in set(self.codes.offices()):
            errors.append(FieldError("/office", "unknown_office", f"{office} is not an office"))
        if errors:
            raise InvalidRequest(errors)


def _agency_of(principal: Principal) -> str:
    if principal.agency is None:
        raise Forbidden("LPCOs are issued and changed by the agencies' officers")
    return principal.agency


def _may_read(principal: Principal, lpco: Licence) -> bool:
    """Its agency (a partner's: the agency here that accepts it), customs staff, its holder
    (a partner's: the importer it names)."""
    if principal.role is Role.AGENCY_OFFICER:
        if lpco.administration is not None:
            return lpco.acceptor == principal.agency
        return lpco.agency == principal.agency
    if principal.role is Role.DECLARANT:
        return principal.party_id in (lpco.holder, lpco.consignee)
    return principal.is_staff


def _announce(uow: UnitOfWork, lpco: Licence | None, actor: str, at: dt.datetime) -> None:
    """An export LPCO issued here for a destination goes, as it now stands, to that partner
    (sent where the ``lpco`` agreement is in force)."""
    if lpco is None or lpco.administration is not None:
        return
    if lpco.flow is not Flow.EXPORT or lpco.country is None:
        return
    uow.collect(
        LpcoChanged(
            at=at, actor=actor, number=lpco.number, destination=lpco.country,
            document=message_of(lpco, at),
        )
    )  # fmt: skip


def _new_balance(lpco: Licence, quantity: Decimal) -> Decimal:
    drawn = lpco.quantity - lpco.balance
    if quantity < drawn:
        raise _invalid(
            "quantity", "below_drawn",
            f"{plain(drawn)} {lpco.unit} is drawn already; the quantity cannot be less",
        )  # fmt: skip
    return quantity - drawn


def _invalid(field: str, code: str, detail: str) -> InvalidRequest:
    return InvalidRequest([FieldError(f"/{field}", code, detail)])


def _when(value: dt.datetime | None) -> str | None:
    """A moment in ISO 8601, UTC (``2026-11-29T10:15:00Z``)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def _shown(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.datetime):
        return _when(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _shown_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: _shown(v) for k, v in row.items() if k not in ("id",)}
    out["drawn"] = plain(row["quantity"] - row["balance"])
    return out
