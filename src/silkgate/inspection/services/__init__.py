"""The joint inspection use cases: tasks (``tasks.py``), certificates and partner results
(``certificates.py``); planning and the gates on the declaration's lifecycle are event
handlers (``planning.py``).

Customs officers record the customs checks and SPS inspectors the quarantine
checks of the same task; each result is journaled on the declaration. The
goods are released only once the task is complete (and the duties secured).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from silkgate.inspection.rules import CORRECTIONS, CUSTOMS_FINDINGS, KNOWN_CHECKS, SPS_FINDINGS
from silkgate.inspection.services.certificates import Certificates
from silkgate.inspection.services.tasks import Corrections, Tasks
from silkgate.kernel.clock import Clock, system_clock

__all__ = [
    "CORRECTIONS",
    "CUSTOMS_FINDINGS",
    "KNOWN_CHECKS",
    "SPS_FINDINGS",
    "InspectionService",
]


class InspectionService(Tasks, Certificates):
    """The joint inspection of one node."""

    def __init__(
        self,
        engine: sa.Engine,
        unit_of_work: Any,
        *,
        administration: str = "CN",
        countries: frozenset[str] = frozenset(),
        clock: Clock = system_clock,
        corrections: Corrections | None = None,
    ) -> None:
        self.engine = engine
        self.unit_of_work = unit_of_work
        self.administration = administration
        self.countries = countries
        self.clock = clock
        self.corrections = corrections
