"""The joint inspection's commands: an assignment, a check's result, a partner's result.

Each rule on the shape of a command is checked here, once, with the JSON
pointer of the field at fault. What needs the node's data stays in the
services: whether a user has the role, which findings a check's service may
make (customs or SPS), the countries a partner may be, and "not in the future"
against the node's clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from silkgate.declarations.document import Country
from silkgate.inspection.rules import CORRECTIONS, KNOWN_CHECKS
from silkgate.kernel.commands import Command
from silkgate.kernel.text import FreeJson, Line, Text, printable_json

Outcome = Literal["compliant", "non_compliant"]
UserName = Annotated[Line, Field(min_length=1, max_length=80)]
# What a partner may say it checked: any check a checklist can hold, by name.
PARTNER_CHECKS = tuple(sorted({check for _, check in KNOWN_CHECKS}))


def _fault(loc: tuple[str, ...], code: str, message: str) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("inspection_rule", message, {"code": code}), loc=loc, input=None
    )


def _refuse(title: str, faults: list[InitErrorDetails]) -> None:
    """Raise every fault at once; pydantic prefixes each location with the enclosing field."""
    if faults:
        raise ValidationError.from_exception_data(title, faults)


class Assignment(Command):
    """Who carries out an inspection: an officer and/or an SPS inspector (user names)."""

    officer: UserName | None = None
    sps_inspector: UserName | None = None

    @model_validator(mode="after")
    def _someone(self) -> Assignment:
        if not self.named():
            raise PydanticCustomError(
                "inspection_rule",
                "send an officer and/or an sps_inspector (user names)",
                {"code": "invalid"},
            )
        return self

    def named(self) -> dict[str, str]:
        """The roles assigned, by field name: ``{"officer": "officer.li"}``."""
        return {
            key: name
            for key, name in (("officer", self.officer), ("sps_inspector", self.sps_inspector))
            if name is not None
        }


class _Details(BaseModel):
    """Free details of a finding, kept as sent; the fields named are checked, and every
    other field like any text (no control or invisible formatting character)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        return printable_json(value) if isinstance(value, dict) else value


class Pest(_Details):
    """The pest intercepted, by its scientific name (and any further detail)."""

    scientific_name: Line | None = None


# A laboratory figure, kept as sent (a number or its text), in the standard's unit.
Figure = Line | int | float


class LabResult(_Details):
    """A laboratory test: which, the result and the standard's limit."""

    test: Line | None = None
    result: Figure | None = None
    limit: Figure | None = None


class Finding(Command):
    """What an inspector found; a quantity, value, classification or origin finding may
    carry the ``corrected`` fields of the item, which correct the declaration."""

    kind: Annotated[Line, Field(max_length=40)] | None = None
    note: Annotated[Text, Field(max_length=500)] | None = None
    item: Annotated[int, Field(ge=0, le=9999)] | None = None
    corrected: Annotated[dict[str, Any], FreeJson] | None = None
    pest: Pest | None = None
    lab: LabResult | None = None

    @model_validator(mode="after")
    def _complete(self) -> Finding:
        faults = []
        if self.corrected is not None:
            if self.kind not in CORRECTIONS:
                faults.append(
                    _fault(
                        ("corrected",),
                        "invalid",
                        "only a quantity, value, classification or origin finding corrects it",
                    )
                )
            elif not self.corrected:
                faults.append(_fault(("corrected",), "invalid", "the corrected fields"))
        if self.kind == "pest" and not (self.pest and (self.pest.scientific_name or "").strip()):
            faults.append(
                _fault(("pest", "scientific_name"), "missing", "name the pest intercepted")
            )
        if self.kind == "lab":
            faults.extend(_lab_faults(self.lab))
        _refuse("Finding", faults)
        return self

    def as_json(self) -> dict[str, Any]:
        """The finding as sent (the fields given, with their free details), to keep."""
        return self.model_dump(mode="json", exclude_unset=True)


def _lab_faults(lab: LabResult | None) -> list[InitErrorDetails]:
    if lab is None or not (lab.test or "").strip():
        return [_fault(("lab", "test"), "missing", "name the test (e.g. Salmonella)")]
    faults = []
    for key, value in (("result", lab.result), ("limit", lab.limit)):
        try:
            Decimal(str(value))
        except (InvalidOperation, ValueError):
            faults.append(_fault(("lab", key), "invalid", "a number, in the standard's unit"))
    return faults


class CheckResult(Command):
    """The result of one check of an inspection, with the finding when not compliant."""

    status: Outcome
    finding: Finding | None = Field(
        default=None,
        description='What was found: {"kind", "note", "item"?, "corrected"?, "pest"?, "lab"?}',
    )

    @model_validator(mode="after")
    def _consistent(self) -> CheckResult:
        finding = self.finding
        said = finding is not None and bool(finding.model_fields_set)
        faults = []
        if self.status == "non_compliant" and not said:
            faults.append(_fault(("finding",), "missing", "say what was found"))
        elif self.status == "non_compliant" and finding is not None:
            if not finding.kind:
                faults.append(_fault(("finding", "kind"), "missing", "what kind of finding"))
            if not (finding.note or "").strip():
                faults.append(_fault(("finding", "note"), "missing", "say what was found"))
        elif finding is not None and finding.kind not in (None, "other"):
            faults.append(
                _fault(("finding", "kind"), "inconsistent", "a compliant check has no finding")
            )
        _refuse("CheckResult", faults)
        return self

    def finding_json(self) -> dict[str, Any] | None:
        """The finding to keep with the check, as sent; None when there is none."""
        return None if self.finding is None else self.finding.as_json()


Reference = Annotated[Line, StringConstraints(strip_whitespace=True, min_length=1, max_length=70)]


class PartnerInspectionResult(Command):
    """A partner administration's inspection result for the goods of a declaration."""

    administration: Country
    reference: Reference
    result: Outcome
    checks: Annotated[list[str], Field(min_length=1)]
    inspected_on: dt.date
    note: Text | None = None

    @field_validator("checks")
    @classmethod
    def _known(cls, checks: list[str]) -> list[str]:
        if not all(c in PARTNER_CHECKS for c in checks):
            raise PydanticCustomError(
                "inspection_rule",
                "the checks the partner did, among {known}",
                {"code": "invalid", "known": ", ".join(PARTNER_CHECKS)},
            )
        return checks

    def as_json(self) -> dict[str, Any]:
        """The result as exchange carries it between nodes (the date as YYYY-MM-DD)."""
        return self.model_dump(mode="json")
