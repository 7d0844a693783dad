"""A trade table as CSV: one row per cell, then the totals; suppressed figures left empty."""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = ("value", "value_usd", "quantity", "net_mass_kg", "duties", "traders", "flag")


def to_csv(table: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    by = table["by"]
    writer.writerow([*by, *COLUMNS])
    for cell in table["cells"]:
        writer.writerow([*(cell[d] for d in by), *(_plain(cell.get(c)) for c in COLUMNS)])
    for name, total in table["totals"].items():
        dimension, code = name.split("=", 1)
        keys = [code if d == dimension else "total" for d in by]
        writer.writerow([*keys, *(_plain(total.get(c)) for c in COLUMNS)])
    writer.writerow([*("total" for _ in by), *(_plain(table["total"].get(c)) for c in COLUMNS)])
    return out.getvalue()


def _plain(value: Any) -> str:
    return "" if value is None else str(value)
