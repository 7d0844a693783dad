"""The Korea Customs Service declarations format: import history, and speak it for our own.

The public KCS dataset (Kim et al., 2022; MIT licence) has one row per
declaration with the columns below and, for controlled declarations, whether
fraud (``Fraud``) or a critical fraud (``Critical Fraud``) was found. silkgate
uses the same row shape as the model's input for its own declarations, so
that imported history and the node's own controls train one model: each
item of a silkgate declaration becomes one KCS-shaped row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from silkgate.tariff.files import FileErrors, LineError

ID = "Declaration ID"
DATE = "Date"
FRAUD = "Fraud"
CRITICAL = "Critical Fraud"
FEATURE_COLUMNS = (
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Rate",
    "Tax Type",
    "Country of Origin Indicator",
    "Net Mass",
    "Item Price",
)
REQUIRED = (ID, DATE, *FEATURE_COLUMNS)
NUMERIC = ("Tax Rate", "Net Mass", "Item Price")


def read(text: str) -> tuple[list[dict[str, str]], bool]:
    """The rows of a KCS-format CSV, and whether they carry labels.

    Checks the whole file; :class:`FileErrors` lists every problem with its line.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FileErrors([LineError(1, None, "missing column(s) " + ", ".join(missing))])
    labelled = FRAUD in header
    errors: list[LineError] = []
    rows: list[dict[str, str]] = []
    for row in reader:
        n = reader.line_num
        bad = len(errors)
        if not row.get(ID):
            errors.append(LineError(n, ID, "required"))
        try:
            dt.date.fromisoformat(row[DATE])
        except (TypeError, ValueError):
            errors.append(LineError(n, DATE, f"{row.get(DATE)!r} is not a date (YYYY-MM-DD)"))
        for column in NUMERIC:
            value = row.get(column) or ""
            if value:
                try:
                    if Decimal(value) < 0:
                        errors.append(LineError(n, column, f"{value!r} is negative"))
                except InvalidOperation:
                    errors.append(LineError(n, column, f"{value!r} is not a number"))
        for column in ("HS6 Code", "Country of Origin", "Importer ID"):
            if not row.get(column):
                errors.append(LineError(n, column, "required"))
        if labelled:
            if row.get(FRAUD) not in ("0", "1", ""):
                errors.append(LineError(n, FRAUD, f"{row[FRAUD]!r} must be 0 or 1"))
            # 0: no fraud; 1: fraud; 2: critical fraud (a safety or security finding).
            if CRITICAL in row and row[CRITICAL] not in ("0", "1", "2", ""):
                errors.append(LineError(n, CRITICAL, f"{row[CRITICAL]!r} must be 0, 1 or 2"))
            elif row.get(FRAUD) == "0" and row.get(CRITICAL) in ("1", "2"):
                errors.append(LineError(n, CRITICAL, "a critical fraud is a fraud: Fraud is 0"))
        if len(errors) == bad:
            rows.append(row)
        if len(errors) > 200:
            break
    if errors:
        raise FileErrors(errors)
    if not rows:
        raise FileErrors([LineError(1, None, "the file has no rows")])
    return rows, labelled


def history_rows(rows: Iterable[dict[str, str]], at: dt.datetime) -> list[dict[str, Any]]:
    """``risk_history`` rows of KCS rows. A row with an empty ``Fraud`` (or none) was not
    controlled: its outcome is unknown (NULL), which is not "compliant"."""
    import orjson

    out = []
    for row in rows:
        controlled = (row.get(FRAUD) or "") != ""
        out.append(
            {
                "source": "kcs",
                "reference": row[ID],
                "date": dt.date.fromisoformat(row[DATE]),
                "row": orjson.dumps(
                    {c: row.get(c, "") for c in (ID, DATE, *FEATURE_COLUMNS)}
                ).decode(),
                "fraud": row[FRAUD] == "1" if controlled else None,
                "critical": row.get(CRITICAL) == "2" if controlled else None,
                "revenue": None,
                "declaration_id": None,
                "loaded_at": at,
            }
        )
    return out


def row_from_facts(facts: dict[str, Any], reference: str, on: dt.date) -> dict[str, str]:
    """A silkgate item's facts as a KCS-format row (the model's input)."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return format(value, "f")
        return str(value)

    preference = facts.get("item.preference") or ""
    return {
        ID: reference,
        DATE: on.isoformat(),
        "Office ID": text(facts.get("declaration.office")),
        "Process Type": text(facts.get("declaration.procedure")),
        "Import Type": text(facts.get("declaration.type")),
        "Import Use": "",
        "Payment Type": "",
        "Mode of Transport": text(facts.get("declaration.transport_mode")),
        "Declarant ID": text(facts.get("declaration.declarant")),
        "Importer ID": text(facts.get("declaration.importer")),
        "Seller ID": text(facts.get("declaration.exporter")),
        "Courier ID": "",
        "HS6 Code": text(facts.get("item.hs6")),
        "Country of Departure": text(facts.get("declaration.dispatch_country")),
        "Country of Origin": text(facts.get("item.origin")),
        "Tax Rate": text(facts.get("item.duty_rate")),
        # KCS marks preferential (FTA) tax types with an F prefix; "A" is the basic rate.
        "Tax Type": f"F{preference}" if preference else "A",
        "Country of Origin Indicator": "Y" if preference else "",
        "Net Mass": text(facts.get("item.net_mass_kg")),
        "Item Price": text(facts.get("item.customs_value")),
    }
