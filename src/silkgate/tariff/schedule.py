"""A national tariff schedule held in memory, and the measures of its lines.

A *tariff line* is a national subdivision (8 or 10 digits) of an HS six-digit
subheading. Each line carries *measures*: the customs duty (general, or
preferential under an agreement), VAT, excise and export duty, each valid over
a date range, so that any past date can be assessed as it was.

A duty is ad valorem (a percentage of the customs value), specific (an amount
per unit of quantity), or compound (both, added), and may be bounded below or
above by an amount per unit. Specific amounts are in the administration's
national currency.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from silkgate.tariff.money import HUNDRED, ZERO, plain


class MeasureKind(StrEnum):
    DUTY = "duty"  # customs duty on import
    VAT = "vat"  # value added tax on import
    EXCISE = "excise"  # excise (consumption) tax on import
    EXPORT_DUTY = "export_duty"


@dataclass(frozen=True, slots=True)
class Measure:
    """One measure of a tariff line, in force from ``valid_from`` to ``valid_to`` (inclusive)."""

    kind: MeasureKind
    agreement: str | None  # None: the general (MFN) rate
    valid_from: dt.date
    valid_to: dt.date | None
    ad_valorem: Decimal | None  # percent of the value
    specific: Decimal | None  # national currency per ``unit``
    unit: str | None  # UN/ECE Rec 20 unit of ``specific``, ``minimum`` and ``maximum``
    minimum: Decimal | None = None  # national currency per ``unit``
    maximum: Decimal | None = None

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    @property
    def needs_quantity(self) -> bool:
        return self.unit is not None and (
            self.specific is not None or self.minimum is not None or self.maximum is not None
        )

    @property
    def type(self) -> str:
        if self.ad_valorem is not None and self.specific is not None:
            return "compound"
        return "specific" if self.specific is not None else "ad_valorem"

    def amount(self, value: Decimal, quantity: Decimal | None) -> Decimal:
        """The unrounded amount due on ``value`` and ``quantity`` (in ``unit``)."""
        due = ZERO
        if self.ad_valorem is not None:
            due += value * self.ad_valorem / HUNDRED
        if quantity is not None:
            if self.specific is not None:
                due += self.specific * quantity
            if self.minimum is not None:
                due = max(due, self.minimum * quantity)
            if self.maximum is not None:
                due = min(due, self.maximum * quantity)
        return due

    def label(self, currency: str) -> str:
        """As a tariff prints it: "10% + 3.00 CNY/KGM, min 2 CNY/KGM"."""
        return _label(self, currency)

    def _label(self, currency: str) -> str:
        parts = []
        if self.ad_valorem is not None:
            parts.append(f"{plain(self.ad_valorem)}%")
        if self.specific is not None:
            parts.append(f"{_amount(self.specific)} {currency}/{self.unit}")
        text = " + ".join(parts)
        if self.minimum is not None:
            text += f", min {_amount(self.minimum)} {currency}/{self.unit}"
        if self.maximum is not None:
            text += f", max {_amount(self.maximum)} {currency}/{self.unit}"
        return text

    def as_json(self, currency: str) -> dict[str, object]:
        return {
            "measure": self.kind.value,
            "agreement": self.agreement,
            "type": self.type,
            "label": self.label(currency),
            "ad_valorem_percent": _text(self.ad_valorem),
            "specific": _text(self.specific),
            "unit": self.unit,
            "minimum": _text(self.minimum),
            "maximum": _text(self.maximum),
            "currency": currency,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


# Every item's assessment shows its measures' labels; a schedule has few distinct ones.
_label = functools.lru_cache(maxsize=4096)(Measure._label)


def _amount(value: Decimal) -> str:
    """An amount of money per unit: at least two decimals (0.40, 180.00, 0.003)."""
    text = plain(value)
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals:0<2}"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


@dataclass(frozen=True)
class TariffLine:
    code: str  # 8 or 10 digits
    description: str
    unit: str | None  # the supplementary (statistical) unit, if any
    measures: tuple[Measure, ...]

    @property
    def subheading(self) -> str:
        return self.code[:6]

    def measure(
        self, kind: MeasureKind, on: dt.date, agreement: str | None = None
    ) -> Measure | None:
        """The measure of ``kind`` (and ``agreement``) in force on ``on``, if any."""
        for m in self.measures:
            if m.kind is kind and m.agreement == agreement and m.in_force(on):
                return m
        return None

    def in_force(self, on: dt.date) -> list[Measure]:
        return [m for m in self.measures if m.in_force(on)]


class UnknownLine(LookupError):
    """No tariff line matches a declared commodity code; ``candidates`` are the nearest."""

    def __init__(self, code: str, candidates: list[str]) -> None:
        super().__init__(code)
        self.code = code
        self.candidates = candidates


@dataclass
class Schedule:
    """The active tariff of a node: lines by code, and how to find the line of a declared code."""

    version: int
    title: str
    illustrative: bool
    currency: str
    lines: Mapping[str, TariffLine]
    _by_subheading: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _codes: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._codes = sorted(self.lines)
        for code in self._codes:
            self._by_subheading.setdefault(code[:6], []).append(code)

    def line(self, code: str) -> TariffLine:
        """The line a declared code (6, 8 or 10 digits) stands for.

        A six-digit subheading with a single national line stands for that
        line; otherwise the national line must be declared.
        """
        found = self.lines.get(code)
        if found is not None:
            return found
        under = self.under(code)
        if len(code) == 6 and len(under) == 1:
            return self.lines[under[0]]
        if not under and len(code) > 6:
            under = self._by_subheading.get(code[:6], [])
        raise UnknownLine(code, under[:20])

    def under(self, prefix: str) -> list[str]:
        """Codes of the lines that start with ``prefix``, in order."""
        codes = self._codes
        # Walk from the first match: slicing from it would copy the rest of the schedule.
        i = bisect.bisect_left(codes, prefix)
        out = []
        while i < len(codes) and codes[i].startswith(prefix):
            out.append(codes[i])
            i += 1
        return out

    def __len__(self) -> int:
        return len(self.lines)


def build(
    version: int,
    title: str,
    illustrative: bool,
    currency: str,
    lines: Iterable[tuple[str, str, str | None]],
    measures: Iterable[tuple[str, Measure]],
) -> Schedule:
    """A schedule from ``(code, description, unit)`` lines and ``(code, measure)`` pairs."""
    by_code: dict[str, list[Measure]] = {}
    for code, measure in measures:
        by_code.setdefault(code, []).append(measure)
    return Schedule(
        version=version,
        title=title,
        illustrative=illustrative,
        currency=currency,
        lines={
            code: TariffLine(
                code,
                description,
                unit,
                tuple(sorted(by_code.get(code, ()), key=lambda m: (m.kind, m.valid_from))),
            )
            for code, description, unit in lines
        },
    )
