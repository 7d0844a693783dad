"""The outcome of a control as the API shows it (the command is
:class:`silkgate.risk.commands.ControlOutcome`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


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
        # A correction replaces the outcome before it and says why.
        "correction": row.get("replaces") is not None,
        "reason": row.get("reason"),
    }
