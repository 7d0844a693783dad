"""What the origin calculator is asked: a product, its bill of materials, how it was made.

Plain, immutable values (no validation library in the calculator's loop):
the edges parse a request into a :class:`Case` once
(:mod:`silkgate.origin.commands`), and :func:`check_codes` checks it against
the node's code lists, every error with the JSON pointer of its field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from silkgate.kernel.errors import FieldError, pointer


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str  # ISO 4217

    def as_json(self) -> dict[str, str]:
        return {"amount": format(self.amount, "f"), "currency": self.currency}


@dataclass(frozen=True, slots=True)
class Material:
    """One line of the bill of materials."""

    description: str
    value: Money  # CIF at import, or the earliest price paid in the exporting party
    hs: str | None = None  # 2, 4 or 6 digits; unknown: fails every tariff-change test
    origin: str | None = None  # ISO country; unknown: non-originating
    originating: bool = False  # has a proof of origin under the same agreement


@dataclass(frozen=True, slots=True)
class Transit:
    """Countries the goods passed through on their way, and what was done to them there."""

    via: tuple[str, ...]
    operations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CostElements:
    """The cost elements of the build-up (direct) RVC method, besides originating materials."""

    direct_labour: Money | None = None
    direct_overhead: Money | None = None
    other_cost: Money | None = None
    profit: Money | None = None

    def given(self) -> Iterator[tuple[str, Money]]:
        for name in ("direct_labour", "direct_overhead", "other_cost", "profit"):
            value = getattr(self, name)
            if value is not None:
                yield name, value


@dataclass(frozen=True, slots=True)
class Case:
    """A product whose origin under ``agreement`` is to be determined as of ``date``."""

    agreement: str
    exporting_country: str
    date: dt.date
    hs: str  # the product's HS 2022 subheading
    description: str
    fob: Money
    materials: tuple[Material, ...] = ()
    processes: tuple[str, ...] = ()
    wholly_obtained: bool = False  # claimed: grown, born and raised, mined, fished...
    minimal_operations_only: bool = False  # stated: nothing beyond minimal operations
    direct_consignment: bool = True
    transit: Transit | None = None
    build_up: CostElements | None = None

    def monies(self) -> Iterator[tuple[str, Money]]:
        """Every amount of the case, with its JSON pointer."""
        yield pointer("product", "fob"), self.fob
        for i, m in enumerate(self.materials):
            yield pointer("materials", i, "value"), m.value
        if self.build_up is not None:
            for name, value in self.build_up.given():
                yield pointer("build_up", name), value


@dataclass(frozen=True)
class CodeLists:
    """The code lists a case is checked against (the node holds them in memory)."""

    hs_subheadings: frozenset[str]
    countries: frozenset[str]
    currencies: Mapping[str, int | None]  # code -> minor unit (None: not a means of payment)
    # For applications for certificates (empty: not checked): UN/ECE Rec 20 units, Rec 21
    # kinds of package, UN/LOCODE locations.
    units: frozenset[str] = frozenset()
    package_types: frozenset[str] = frozenset()
    locations: frozenset[str] = frozenset()

    def hs_codes(self) -> frozenset[str]:
        """Chapters, headings and subheadings of HS 2022."""
        subs = self.hs_subheadings
        return subs | {s[:4] for s in subs} | {s[:2] for s in subs}


def check_codes(raw: Any, codes: CodeLists, hs_codes: frozenset[str]) -> list[FieldError]:
    """Every code in the request ``raw`` (parsed JSON) that is not in the code lists.

    It reads the raw request, not the parsed :class:`Case`, so that it also runs
    when the structure is wrong elsewhere: one answer lists every error.
    """
    if not isinstance(raw, dict):
        return []
    found: list[FieldError] = []
    product = _obj(raw.get("product"))
    hs = product.get("hs")
    if isinstance(hs, str) and hs not in codes.hs_subheadings:
        found.append(
            FieldError("/product/hs", "unknown_hs_code", f"{hs!r} is not an HS 2022 subheading")
        )
    _country(found, codes, raw.get("exporting_country"), "exporting_country")
    _currency(found, codes, _obj(product.get("fob")), "product", "fob")
    materials = raw.get("materials")
    for i, m in enumerate(materials if isinstance(materials, list) else []):
        m = _obj(m)
        hs = m.get("hs")
        if isinstance(hs, str) and hs not in hs_codes:
            found.append(
                FieldError(
                    pointer("materials", i, "hs"),
                    "unknown_hs_code",
                    f"{hs!r} is not an HS 2022 chapter, heading or subheading",
                )
            )
        _country(found, codes, m.get("origin"), "materials", i, "origin")
        _currency(found, codes, _obj(m.get("value")), "materials", i, "value")
    via = _obj(raw.get("transit")).get("via")
    for i, country in enumerate(via if isinstance(via, list) else []):
        _country(found, codes, country, "transit", "via", i)
    build_up = _obj(raw.get("build_up"))
    for name, value in build_up.items():
        _currency(found, codes, _obj(value), "build_up", name)
    return found


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _country(found: list[FieldError], codes: CodeLists, code: Any, *where: str | int) -> None:
    if isinstance(code, str) and code not in codes.countries:
        found.append(
            FieldError(pointer(*where), "unknown_country", f"{code!r} is not an ISO 3166 country")
        )


def _currency(
    found: list[FieldError], codes: CodeLists, money: dict[str, Any], *where: str | int
) -> None:
    code = money.get("currency")
    if isinstance(code, str) and codes.currencies.get(code) is None:
        found.append(
            FieldError(
                pointer(*where, "currency"),
                "unknown_currency",
                f"{code!r} is not an ISO 4217 currency of payment",
            )
        )
