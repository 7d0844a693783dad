"""The transit use cases of a node: the office of departure (:mod:`departure`), the offices
on the route (:mod:`journey`), the guarantee register (:mod:`guarantees`), and the views
the officers and holders read (here)."""

from __future__ import annotations

from typing import Any

from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.errors import Forbidden, invalid
from silkgate.store import transit as store
from silkgate.store.db import reading
from silkgate.transit.ports import TransitLicences
from silkgate.transit.services.common import STAFF, Node, found, readable
from silkgate.transit.services.departure import Departure
from silkgate.transit.services.enquiry import Enquiries
from silkgate.transit.services.guarantees import Guarantees
from silkgate.transit.services.incidents import Incidents
from silkgate.transit.services.journey import Journey

__all__ = ["Departure", "Enquiries", "Guarantees", "Journey", "Node", "TransitService"]

# An office's lists: the statuses each shows, and whether the office must be the destination.
VIEWS: dict[str, tuple[tuple[str, ...], bool]] = {
    "expected": (("released", "en_route"), True),
    "en_route": (("released", "en_route"), False),
    # Not yet ended and past the time limit (the node's today): the goods are late.
    "overdue": (("released", "en_route", "arrived"), False),
    "arrived": (("arrived", "under_control"), False),
    "discharged": (("discharged",), False),
    "enquiry": (("enquiry", "recovered"), False),
    "all": ((), False),
}


class TransitService:
    """One node's transit: its use cases gathered under one name, and the views."""

    def __init__(
        self, node: Node, guarantees: Guarantees, licences: TransitLicences | None = None
    ) -> None:
        self.node = node
        self.guarantees = guarantees
        self.departure = Departure(node, guarantees, licences)
        self.journey = Journey(node)
        self.enquiries = Enquiries(node, self.departure)
        self.incidents = Incidents(node)

    def show(self, principal: Principal, mrn: str) -> dict[str, Any]:
        """A movement with its steps, its declaration and the duties at stake."""
        if principal.role is not Role.DECLARANT and principal.role not in STAFF:
            raise Forbidden("transit movements are read by officers and their holders")
        with reading(self.node.engine) as conn:
            row = found(conn, mrn)
            readable(principal, row)
            return self.node.shown(row, store.steps(conn, row["id"]))

    def listing(
        self, principal: Principal, *, office: str | None = None, view: str = "all",
        limit: int = 100,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """The holder's movements (a declarant), or an office's list (an officer)."""
        statuses, destination = VIEWS[view]
        holder = None
        if principal.role is Role.DECLARANT:
            holder = principal.party_id or "-"
        elif principal.role not in STAFF:
            raise Forbidden("transit movements are read by officers and their holders")
        if office is not None and self.node.offices.get(office) is None:
            raise invalid("/office", "unknown", f"{office} is not on the customs office list")
        with reading(self.node.engine) as conn:
            rows = store.listing(
                conn, holder=holder, office=office, statuses=statuses or None,
                destination=destination, limit=limit,
                due_before=self.node.today() if view == "overdue" else None,
            )  # fmt: skip
        return [self.node.shown(r) for r in rows]

    def offices(self) -> list[dict[str, object]]:
        """The customs office list for transit (reference data)."""
        return [o.as_json() for o in self.node.offices.offices.values()]
