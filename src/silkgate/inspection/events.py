"""What happens in a joint inspection, as domain events (journaled on the declaration)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from silkgate.kernel.events import Event, JournalNote


@dataclass(frozen=True, kw_only=True)
class InspectionEvent(Event):
    """An event of the joint inspection of one declaration."""

    declaration_id: int
    mrn: str
    version: int | None = None
    reason: str | None = None

    def _note(self, name: str) -> JournalNote:
        return JournalNote(
            self.at, self.actor, name, self.declaration_id, self.mrn, self.version,
            reason=self.reason,
        )  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class InspectionPlanned(InspectionEvent):
    task_id: int

    def note(self) -> JournalNote:
        return self._note("inspection_planned")


@dataclass(frozen=True, kw_only=True)
class InspectionStarted(InspectionEvent):
    """The inspectors began (the goods are opened): the declarant can no longer amend."""

    task_id: int

    def note(self) -> JournalNote:
        return self._note("inspection_started")


@dataclass(frozen=True, kw_only=True)
class CheckRecorded(InspectionEvent):
    task_id: int
    seq: int

    def note(self) -> JournalNote:
        return self._note("inspection_check")


@dataclass(frozen=True, kw_only=True)
class InspectionCompleted(InspectionEvent):
    """Every check has a result. ``checks`` are the task's checks as stored."""

    task: dict[str, Any]
    checks: tuple[dict[str, Any], ...]
    result: str  # compliant or findings

    def note(self) -> JournalNote:
        return self._note("inspected")

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if c["status"] == "non_compliant"]


@dataclass(frozen=True, kw_only=True)
class EnforcementCaseOpened(InspectionEvent):
    """A seizure opened an enforcement case: the investigation that follows."""

    case_id: int

    def note(self) -> JournalNote:
        return self._note("enforcement_case")
