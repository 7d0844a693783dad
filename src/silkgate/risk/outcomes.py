"""The outcome of a control: what the officers found, as the risk model learns it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from silkgate.kernel.errors import FieldError, InvalidRequest

FIELDS = frozenset({"fraud", "critical", "revenue_recovered", "note"})


@dataclass(frozen=True)
class ControlOutcome:
    """Fraud found or not, a critical finding, the revenue recovered, a note."""

    fraud: bool
    critical: bool = False
    revenue_recovered: Decimal = Decimal(0)
    note: str | None = None

    def reason(self) -> str:
        """The journal's account of it (at most 1000 characters)."""
        return (
            ("fraud found" if self.fraud else "no fraud found")
            + (", critical" if self.critical else "")
            + (f", {self.revenue_recovered} recovered" if self.revenue_recovered else "")
            + (f": {self.note}" if self.note else "")
        )[:1000]


def parse_outcome(raw: Any) -> ControlOutcome:
    """An outcome from its JSON; :class:`InvalidRequest` with every error otherwise."""
    if not isinstance(raw, dict):
        raise InvalidRequest([FieldError("", "invalid", "send a JSON object")])
    errors: list[FieldError] = []
    for key in sorted(set(raw) - FIELDS):
        errors.append(FieldError(f"/{key}", "unknown_field", "is not a field of an outcome"))
    fraud, critical = raw.get("fraud"), raw.get("critical", False)
    if not isinstance(fraud, bool):
        errors.append(FieldError("/fraud", "invalid", "must be true or false"))
    if not isinstance(critical, bool):
        errors.append(FieldError("/critical", "invalid", "must be true or false"))
    try:
        revenue = Decimal(str(raw.get("revenue_recovered", "0")))
        if not revenue.is_finite() or revenue < 0 or revenue != round(revenue, 2):
            raise InvalidOperation
    except InvalidOperation:
        revenue = Decimal(0)
        errors.append(
            FieldError("/revenue_recovered", "invalid", "an amount >= 0 with at most 2 decimals")
        )
    if fraud is False and (critical is True or revenue > 0):
        errors.append(
            FieldError("/fraud", "inconsistent", "a critical finding or recovered revenue is fraud")
        )
    note = raw.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 1000):
        errors.append(FieldError("/note", "invalid", "text of at most 1000 characters"))
    if errors:
        raise InvalidRequest(errors)
    assert isinstance(fraud, bool) and isinstance(critical, bool)
    return ControlOutcome(fraud, critical, revenue, note)


def outcome_json(row: dict[str, Any]) -> dict[str, Any]:
    """A stored outcome as the API shows it."""
    return {
        "fraud": row["fraud"],
        "critical": row["critical"],
        "revenue_recovered": format(
            Decimal(str(row["revenue_recovered"])).quantize(Decimal("0.01")), "f"
        ),
        "note": row["note"],
        "recorded_at": row["recorded_at"].isoformat().replace("+00:00", "Z"),
        "recorded_by": row["recorded_by"],
    }
