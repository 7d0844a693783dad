"""Cross-border e-commerce use cases: bulk lists in, parcels decided, returns, guarantees,
the timeout sweep, and what each party reads.

Every collaborator comes in through the constructor (``wiring_ecommerce.py``): the
tariff's lines and rates and the risk profiles in force as plain callables
(:class:`~silkgate.ecommerce.services.deciding.Pricing`), the code lists, the
hasher of identities, the node's clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from silkgate.ecommerce.clearance import RELEASED
from silkgate.ecommerce.intake import Checks, HsProblem
from silkgate.ecommerce.records import SENDER, Kind
from silkgate.ecommerce.services import receiving
from silkgate.ecommerce.services.deciding import ALL_KINDS, Pricing, decide
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.clock import Clock, system_clock
from silkgate.kernel.errors import Conflict, Forbidden, NotFound, invalid
from silkgate.store import ecommerce as store
from silkgate.store import ecommerce_views as views
from silkgate.store.db import reading, writing

MAX_RECORDS = 10_000  # a request's records at most
READERS = (Role.OFFICER, Role.ADMIN, Role.ANALYST)


class EcommerceService:
    def __init__(
        self,
        engine: sa.Engine,
        *,
        pricing: Pricing,
        currencies: Collection[str],
        hs_checker: Callable[[], HsProblem],
        hasher: Callable[[str], str],
        clock: Clock = system_clock,
    ) -> None:
        self.engine = engine
        self.pricing = pricing
        self.terms = pricing.terms
        self.currencies = currencies
        self.hs_checker = hs_checker
        self.hasher = hasher
        self.clock = clock

    # -- the lists in ---------------------------------------------------------------

    def receive(
        self, principal: Principal, kind: Kind, lines: Sequence[bytes]
    ) -> list[dict[str, Any]]:
        """Store a bulk list and decide the parcels it completes: one result per line.

        ``lines``: the request's non-empty NDJSON lines (at most :data:`MAX_RECORDS`).
        """
        if principal.role is not SENDER[kind] or not principal.party_id:
            raise Forbidden(f"{kind.value} are sent by the {SENDER[kind].value} role")
        checks = Checks(kind, principal.party_id, self.currencies, self.hs_checker(), self.hasher)
        batch = receiving.parse_all(lines, checks)
        if not batch.accepted:
            return batch.results
        now = self.clock()
        with writing(self.engine) as conn:
            fresh = receiving.sort_out(conn, batch, principal.id, self.terms.waybill_requires_order)
            store.insert_records(conn, receiving.record_rows(fresh, kind, principal.id, now))
            arrived = {(p.platform, p.order_no): p.body for p in fresh}
            store.open_parcels(conn, list(arrived), now)
            outcomes = decide(conn, kind, arrived, self.pricing, now)
        receiving.tell_parcels(batch, fresh, outcomes)
        return batch.results

    def sweep(self, principal: Principal | None = None, limit: int = 100_000) -> int:
        """Hold each pending parcel whose records are not all there within the terms' time,
        naming what it lacks; how many were held. ``principal`` None: the node itself."""
        if principal is not None and not principal.is_staff:
            raise Forbidden("the sweep is run by customs staff")
        now = self.clock()
        hours = self.terms.complete_within_hours
        with writing(self.engine) as conn:
            found = views.stale(conn, now - dt.timedelta(hours=hours), limit)
            rows = [
                {
                    "pid": pid,
                    "why": f"not complete within {hours} h: no "
                    + ", no ".join(k.value[:-1] for k in ALL_KINDS if k.value not in kinds),
                }
                for pid, kinds in found
            ]
            views.hold_incomplete(conn, rows, now)
        return len(rows)

    # -- returns and guarantees ----------------------------------------------------------

    def return_parcel(self, principal: Principal, platform: str, order_no: str) -> dict[str, Any]:
        """A released parcel sent back within the terms' days: tax and quota given back."""
        if principal.role is not Role.ECOMMERCE_AGENT:
            raise Forbidden("returns are declared by the platform's customs agent")
        now = self.clock()
        with writing(self.engine) as conn:
            row = views.lock_parcel(conn, platform, order_no)
            if row is None or row.agent != principal.party_id:
                raise NotFound(f"no parcel {order_no} of {platform} lodged by you")
            if row.status != RELEASED or row.released_at is None:
                raise Conflict(f"parcel {order_no} is {row.status}: only a released parcel returns")
            days = self.terms.return_days
            if now - row.released_at > dt.timedelta(days=days):
                raise Conflict(f"parcel {order_no} was released more than {days} days ago")
            views.give_back(conn, row, now)
            return views.parcel(conn, order_no, platform, None)[0]

    def set_guarantee(
        self, principal: Principal, agent: str, amount: Decimal, reference: str
    ) -> dict[str, Any]:
        """Accept the agent's general guarantee for parcels' tax, as its new total amount."""
        if not principal.is_staff:
            raise Forbidden("guarantees are accepted by customs staff")
        values = {
            "agent": agent, "currency": self.pricing.national, "amount": amount,
            "reference": reference, "updated_at": self.clock(), "updated_by": principal.name,
        }  # fmt: skip
        with writing(self.engine) as conn:
            if not views.set_guarantee(conn, values):
                raise Conflict("the amount is below what parcels have already drawn")
            found = views.guarantee(conn, agent)
        assert found is not None
        return found

    def guarantee(self, principal: Principal, agent: str) -> dict[str, Any]:
        if (
            not (principal.sees_all or principal.party_id == agent)
            or principal.role is Role.SPS_INSPECTOR
        ):
            raise NotFound(f"no guarantee of {agent}")
        with reading(self.engine) as conn:
            found = views.guarantee(conn, agent)
        if found is None:
            raise NotFound(f"no guarantee of {agent}")
        return found

    # -- reading --------------------------------------------------------------------------

    def scope(self, principal: Principal) -> tuple[str, str] | None:
        """Which parcels ``principal`` reads: all (staff, analysts), its own, or none."""
        if principal.role in READERS:
            return None
        if principal.role is Role.PLATFORM and principal.party_id:
            return ("platform", principal.party_id)
        if principal.role is Role.ECOMMERCE_AGENT and principal.party_id:
            return ("agent", principal.party_id)
        raise Forbidden("parcels are read by customs, the platform and its customs agent")

    def parcel(
        self, principal: Principal, order_no: str, platform: str | None = None
    ) -> list[dict[str, Any]]:
        scope = self.scope(principal)
        with reading(self.engine) as conn:
            found = views.parcel(conn, order_no, platform, scope)
        if not found:
            raise NotFound(f"no parcel with order number {order_no}")
        return found

    def parcels(
        self, principal: Principal, status: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        scope = self.scope(principal)
        with reading(self.engine) as conn:
            return views.parcels(conn, scope, status, limit)

    def figures(self, principal: Principal, day: dt.date | None = None) -> dict[str, Any]:
        """The parcels first seen on ``day`` (the administration's local day): counts by
        status, their value and tax."""
        scope = self.scope(principal)
        zone = self.pricing.zone
        day = day or self.clock().astimezone(zone).date()
        start = dt.datetime.combine(day, dt.time(), zone)
        with reading(self.engine) as conn:
            found = views.figures(conn, scope, start, start + dt.timedelta(days=1))
        return {"date": day.isoformat(), "currency": self.terms.limit_currency, **found}

    def today(self) -> dt.date:
        return self.clock().astimezone(self.pricing.zone).date()


def limit_error(count: int) -> Exception:
    return invalid("", "too_many_records", f"{count} records: at most {MAX_RECORDS} a request")
