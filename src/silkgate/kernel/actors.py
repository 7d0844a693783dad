"""Who acts: principals with their roles, and the node itself.

A :class:`Principal` is resolved from a bearer token at the edge (``access``)
and handed to the services, which decide what it may do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The actor of what the node does by itself (selectivity, release of green goods).
SYSTEM = "silkgate"


class Role(StrEnum):
    DECLARANT = "declarant"  # trader, broker, e-commerce platform: its own declarations only
    OFFICER = "officer"  # customs officer: every declaration of the node, and the decisions
    ADMIN = "admin"  # runs the node: everything an officer can, plus the users
    ANALYST = "analyst"  # risk analyst: profiles, budget, model; reads every declaration
    SPS_INSPECTOR = "sps_inspector"  # quarantine service: the SPS checks of joint inspections
    # Issuing authority: approves or refuses applications for certificates of origin,
    # cancels and replaces certificates; reads no declaration.
    ORIGIN_OFFICER = "origin_officer"
    # Another agency of the single window (a radio regulator, a chemicals control board, the
    # CITES management authority): issues and manages its own licences, permits and
    # certificates (LPCOs); reads no declaration. Its agency code is the principal's party id.
    AGENCY_OFFICER = "agency_officer"
    # Cross-border e-commerce (docs/ecommerce.md): each sends its own list, in bulk, under
    # its party id, and reads no declaration.
    PLATFORM = "platform"  # the e-commerce platform: orders
    PAYMENT = "payment"  # the payment company: payments
    LOGISTICS = "logistics"  # the logistics company: waybills
    ECOMMERCE_AGENT = "ecommerce_agent"  # the platform's customs agent: parcel lists, returns


# The roles that send e-commerce lists (the record kind each sends: ecommerce/records.py).
ECOMMERCE_ROLES = frozenset({Role.PLATFORM, Role.PAYMENT, Role.LOGISTICS, Role.ECOMMERCE_AGENT})


@dataclass(frozen=True)
class Principal:
    id: int
    name: str
    role: Role
    # The trader identifier a declarant lodges under; the agency code of an agency officer.
    party_id: str | None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.OFFICER, Role.ADMIN)

    @property
    def sees_all(self) -> bool:
        """Reads every declaration of the node (staff, risk analysts, SPS inspectors)."""
        return self.is_staff or self.role in (Role.ANALYST, Role.SPS_INSPECTOR)

    @property
    def reads_risk(self) -> bool:
        """Reads customs risk intelligence: profiles, budget, performance, a declaration's
        risk decision (customs staff and risk analysts; not the quarantine service)."""
        return self.is_staff or self.role is Role.ANALYST

    @property
    def certifies_origin(self) -> bool:
        """Decides applications for certificates of origin (origin officers, administrators)."""
        return self.role in (Role.ORIGIN_OFFICER, Role.ADMIN)

    @property
    def reads_declarations(self) -> bool:
        """Reads declarations: the declarant its own, customs staff, analysts and SPS inspectors
        every one; an origin officer, an agency officer and the e-commerce roles none."""
        return self.role not in (Role.ORIGIN_OFFICER, Role.AGENCY_OFFICER) and (
            self.role not in ECOMMERCE_ROLES
        )

    @property
    def agency(self) -> str | None:
        """The agency an agency officer acts for (None for anyone else)."""
        return self.party_id if self.role is Role.AGENCY_OFFICER else None

    def may_see(self, declarant_id: str) -> bool:
        return self.sees_all or declarant_id == self.party_id
