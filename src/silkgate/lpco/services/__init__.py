"""The LPCO use cases of a node: the requirements in force, the agencies' register, the
check and draw-down at lodging."""

from __future__ import annotations

from dataclasses import dataclass

from silkgate.lpco.services.check import LicenceCheck
from silkgate.lpco.services.partner import PartnerLpcos
from silkgate.lpco.services.register import Register
from silkgate.lpco.services.requirements import RequirementsInForce

__all__ = ["LicenceCheck", "LpcoService", "PartnerLpcos", "Register", "RequirementsInForce"]


@dataclass(frozen=True)
class LpcoService:
    """What the edges reach: the requirements, the register, the check at lodging, the
    partners' LPCOs received."""

    requirements: RequirementsInForce
    register: Register
    check: LicenceCheck
    partner: PartnerLpcos
