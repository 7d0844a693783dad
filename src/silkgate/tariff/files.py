"""The tariff and exchange-rate file formats: parsed and checked whole, before anything changes.

Both are UTF-8 CSV with a header row; lines starting with ``#`` are comments,
and ``# key: value`` comments before the header describe the file (``title``,
``illustrative``). The formats are documented in ``docs/tariff.md``.

Parsing never stops at the first problem: every error is reported with its
line number, so a file is corrected in one pass. A file with any error changes
nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from silkgate.origin.agreements import AGREEMENTS
from silkgate.tariff import units
from silkgate.tariff.rates import Rate
from silkgate.tariff.schedule import Measure, MeasureKind

TARIFF_COLUMNS = (
    "code",
    "description",
    "unit",
    "measure",
    "agreement",
    "valid_from",
    "valid_to",
    "ad_valorem",
    "specific",
    "specific_unit",
    "minimum",
    "maximum",
)
RATE_COLUMNS = ("currency", "valid_from", "valid_to", "rate")

MAX_PERCENT = Decimal(1000)


@dataclass(frozen=True)
class LineError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class FileErrors(ValueError):
    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ParsedTariff:
    title: str
    illustrative: bool
    lines: list[tuple[str, str, str | None]] = field(default_factory=list)
    measures: list[tuple[str, Measure]] = field(default_factory=list)


def _rows(text: str, columns: tuple[str, ...], errors: list[LineError]):
    """``(line number, row)`` of a CSV text, and its ``# key: value`` header comments."""
    meta: dict[str, str] = {}
    lines = text.splitlines()
    body_start = 0
    for n, raw in enumerate(lines):
        if raw.startswith("#"):
            key, sep, value = raw[1:].partition(":")
            if sep and key.strip().isidentifier():
                meta[key.strip().lower()] = value.strip()
            continue
        if raw.strip():
            body_start = n
            break
    else:
        errors.append(LineError(1, None, "the file has no header row"))
        return meta, []
    reader = csv.reader(io.StringIO("\n".join(lines[body_start:])))
    header = [h.strip() for h in next(reader)]
    missing = [c for c in columns if c not in header]
    unknown = [h for h in header if h not in columns]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if unknown:
            parts.append("unknown column(s) " + ", ".join(unknown))
        errors.append(
            LineError(body_start + 1, None, "; ".join(parts) + f"; expected {','.join(columns)}")
        )
        return meta, []
    out = []
    for values in reader:
        n = body_start + reader.line_num
        if not values or all(not v.strip() for v in values) or values[0].startswith("#"):
            continue
        if len(values) != len(header):
            errors.append(
                LineError(n, None, f"has {len(values)} fields, the header has {len(header)}")
            )
            continue
        out.append((n, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    return meta, out


def _date(n: int, row: Mapping[str, str], column: str, errors: list[LineError]) -> dt.date | None:
    text = row[column]
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(LineError(n, column, f"{text!r} is not a date (YYYY-MM-DD)"))
        return None


def _decimal(
    n: int, row: Mapping[str, str], column: str, errors: list[LineError], *, positive: bool = False
) -> Decimal | None:
    text = row[column]
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(LineError(n, column, f"{text!r} is not a number"))
        return None
    if not value.is_finite() or value < 0 or (positive and value == 0):
        errors.append(
            LineError(n, column, f"{text!r} must be {'greater than' if positive else 'at least'} 0")
        )
        return None
    return value


def _overlaps(
    periods: list[tuple[dt.date, dt.date | None, int]], *, open_until_next: bool = False
) -> list[tuple[int, int]]:
    """Pairs of line numbers whose periods overlap (each period: start, inclusive end, line).

    With ``open_until_next``, a period without an end lasts until the next one starts.
    """
    found = []
    ordered = sorted(periods, key=lambda p: p[0])
    for (start_a, end_a, n_a), (start_b, _, n_b) in itertools.pairwise(ordered):
        if (
            start_a == start_b
            or (end_a is None and not open_until_next)
            or (end_a is not None and end_a >= start_b)
        ):
            found.append((n_a, n_b))
    return found


def parse_tariff(text: str, subheadings: Iterable[str], administration: str) -> ParsedTariff:
    """Parse and check a whole tariff file; :class:`FileErrors` lists every problem."""
    errors: list[LineError] = []
    meta, rows = _rows(text, TARIFF_COLUMNS, errors)
    known = frozenset(subheadings)
    parsed = ParsedTariff(
        title=meta.get("title") or "Tariff schedule",
        illustrative=meta.get("illustrative", "").lower() in ("yes", "true", "1"),
    )
    described: dict[str, tuple[int, str, str | None]] = {}
    periods: dict[tuple[str, str, str], list[tuple[dt.date, dt.date | None, int]]] = {}
    has_duty: set[str] = set()
    erroneous: set[str] = set()  # lines with a row in error: their other checks would echo it
    kinds = {k.value: k for k in MeasureKind}
    for n, row in rows:
        code = row["code"]
        bad = len(errors)
        if not (code.isdigit() and len(code) in (8, 10)):
            errors.append(LineError(n, "code", f"{code!r} is not an 8- or 10-digit tariff line"))
        elif code[:6] not in known:
            errors.append(LineError(n, "code", f"{code[:6]} is not an HS 2022 subheading"))
        code_ok = len(errors) == bad
        description, unit = row["description"], row["unit"] or None
        if unit is not None and not units.is_convertible(unit):
            errors.append(
                LineError(n, "unit", f"{unit!r} is not a UN/ECE Rec 20 unit silkgate can measure")
            )
        if code in described:
            first, first_description, first_unit = described[code]
            if description and description != first_description:
                errors.append(
                    LineError(n, "description", f"differs from line {first} for tariff line {code}")
                )
            if unit and unit != first_unit:
                errors.append(
                    LineError(n, "unit", f"differs from line {first} for tariff line {code}")
                )
        elif not description:
            errors.append(LineError(n, "description", f"required on the first row of line {code}"))
        kind = kinds.get(row["measure"])
        if kind is None:
            errors.append(
                LineError(n, "measure", f"{row['measure']!r} is not one of {', '.join(kinds)}")
            )
        agreement = row["agreement"] or None
        if agreement is not None:
            if kind is not MeasureKind.DUTY:
                errors.append(LineError(n, "agreement", "only a duty can be preferential"))
            elif agreement not in AGREEMENTS:
                errors.append(
                    LineError(
                        n, "agreement", f"{agreement!r} is not one of {', '.join(AGREEMENTS)}"
                    )
                )
            elif administration not in AGREEMENTS[agreement].parties:
                errors.append(
                    LineError(n, "agreement", f"{administration} is not a party to {agreement}")
                )
        valid_from = _date(n, row, "valid_from", errors)
        if valid_from is None and not row["valid_from"]:
            errors.append(LineError(n, "valid_from", "required"))
        valid_to = _date(n, row, "valid_to", errors)
        if valid_from and valid_to and valid_to < valid_from:
            errors.append(LineError(n, "valid_to", f"is before valid_from {valid_from}"))
        ad_valorem = _decimal(n, row, "ad_valorem", errors)
        if ad_valorem is not None and ad_valorem > MAX_PERCENT:
            errors.append(LineError(n, "ad_valorem", f"{ad_valorem}% is more than {MAX_PERCENT}%"))
        specific = _decimal(n, row, "specific", errors)
        minimum = _decimal(n, row, "minimum", errors)
        maximum = _decimal(n, row, "maximum", errors)
        specific_unit = row["specific_unit"] or None
        per_unit = specific is not None or minimum is not None or maximum is not None
        if per_unit and specific_unit is None:
            errors.append(
                LineError(n, "specific_unit", "required with specific, minimum or maximum")
            )
        elif specific_unit is not None and not units.is_convertible(specific_unit):
            errors.append(
                LineError(
                    n,
                    "specific_unit",
                    f"{specific_unit!r} is not a UN/ECE Rec 20 unit silkgate can convert",
                )
            )
        elif specific_unit is not None and not per_unit:
            errors.append(
                LineError(n, "specific_unit", "given without specific, minimum or maximum")
            )
        if (
            ad_valorem is None
            and specific is None
            and not row["ad_valorem"]
            and not row["specific"]
        ):
            errors.append(
                LineError(n, "ad_valorem", "a measure needs ad_valorem, specific or both")
            )
        if kind is MeasureKind.VAT and (specific is not None or minimum or maximum):
            errors.append(LineError(n, "specific", "VAT is charged ad valorem only"))
        if minimum is not None and maximum is not None and minimum > maximum:
            errors.append(LineError(n, "minimum", f"{minimum} is more than the maximum {maximum}"))
        if code_ok and code not in described and description:
            # Remember the line even when this row has errors, so that its next rows
            # are not also reported for lacking a description.
            described[code] = (n, description, unit)
            parsed.lines.append((code, description, unit))
        if len(errors) > bad:
            erroneous.add(code)
            continue
        assert kind is not None and valid_from is not None
        if kind is MeasureKind.DUTY and agreement is None:
            has_duty.add(code)
        periods.setdefault((code, kind.value, agreement or ""), []).append(
            (valid_from, valid_to, n)
        )
        parsed.measures.append(
            (
                code,
                Measure(
                    kind,
                    agreement,
                    valid_from,
                    valid_to,
                    ad_valorem,
                    specific,
                    specific_unit,
                    minimum,
                    maximum,
                ),
            )
        )
    for (code, kind_name, agreement), spans in periods.items():
        for first, second in _overlaps(spans):
            what = f"{kind_name}{' ' + agreement if agreement else ''}"
            errors.append(
                LineError(second, "valid_from", f"the {what} of line {code} overlaps line {first}")
            )
    codes = sorted(described)
    for shorter, longer in itertools.pairwise(codes):
        if longer.startswith(shorter):
            errors.append(
                LineError(
                    described[longer][0],
                    "code",
                    f"{longer} is a subdivision of line {shorter}: a line cannot be both",
                )
            )
    for code in codes:
        if code not in has_duty and code not in erroneous:
            errors.append(
                LineError(
                    described[code][0],
                    "measure",
                    f"line {code} has no general duty (a row with measure duty and no agreement)",
                )
            )
    if not rows and not errors:
        errors.append(LineError(1, None, "the file has no tariff rows"))
    if errors:
        raise FileErrors(sorted(errors, key=lambda e: e.line))
    return parsed


def parse_rates(text: str, currencies: Mapping[str, int | None], national: str) -> list[Rate]:
    """Parse and check a whole exchange-rate file; :class:`FileErrors` lists every problem."""
    errors: list[LineError] = []
    _, rows = _rows(text, RATE_COLUMNS, errors)
    rates: list[Rate] = []
    periods: dict[str, list[tuple[dt.date, dt.date | None, int]]] = {}
    for n, row in rows:
        bad = len(errors)
        currency = row["currency"]
        if currency not in currencies:
            errors.append(LineError(n, "currency", f"{currency!r} is not an ISO 4217 currency"))
        elif currencies[currency] is None:
            errors.append(
                LineError(n, "currency", f"{currency} is not a currency an invoice is paid in")
            )
        elif currency == national:
            errors.append(
                LineError(n, "currency", f"{currency} is the national currency (its rate is 1)")
            )
        valid_from = _date(n, row, "valid_from", errors)
        if valid_from is None and not row["valid_from"]:
            errors.append(LineError(n, "valid_from", "required"))
        valid_to = _date(n, row, "valid_to", errors)
        if valid_from and valid_to and valid_to < valid_from:
            errors.append(LineError(n, "valid_to", f"is before valid_from {valid_from}"))
        rate = _decimal(n, row, "rate", errors, positive=True)
        if rate is None and not row["rate"]:
            errors.append(LineError(n, "rate", "required"))
        if len(errors) > bad:
            continue
        assert valid_from is not None and rate is not None
        rates.append(Rate(currency, valid_from, valid_to, rate, n))
        periods.setdefault(currency, []).append((valid_from, valid_to, n))
    for currency, spans in periods.items():
        for first, second in _overlaps(spans, open_until_next=True):
            errors.append(
                LineError(second, "valid_from", f"the {currency} rate overlaps line {first}")
            )
    if not rows and not errors:
        errors.append(LineError(1, None, "the file has no rates"))
    if errors:
        raise FileErrors(sorted(errors, key=lambda e: e.line))
    return rates
