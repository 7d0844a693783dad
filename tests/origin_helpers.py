"""Small rule books and cases for the origin tests: terms like ACFTA's, rules written inline."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from decimal import Decimal
from typing import Any

from silkgate.origin.case import Case, Material, Money
from silkgate.origin.rulebook import AgreementTerms, Cumulation, ProductRule, RuleBook
from silkgate.origin.rules import parse
from silkgate.refdata import files as refdata_files

ON = dt.date(2026, 11, 20)
PARTIES = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "CN"})
# National currency (CNY) per unit, as the tariff's customs rates give it.
RATES = {"CNY": Decimal(1), "USD": Decimal("7.0"), "VND": Decimal("0.0002800")}


def rate(currency: str, on: Any) -> Decimal | None:
    return RATES.get(currency)


def terms(**changes: Any) -> AgreementTerms:
    base = AgreementTerms(
        code="ACFTA",
        name="ASEAN-China Free Trade Area",
        parties=PARTIES,
        proofs=("FORM_E", "E_CO"),
        certificate_validity_months=12,
        de_minimis=Decimal(10),
        de_minimis_not_for=frozenset(),
        build_up=True,
        cumulation=Cumulation.PARTIES,
        always=parse("WO or PE"),
        minimal_operations=frozenset({"packing", "labelling", "sorting", "simple mixing"}),
        transit_operations=frozenset({"unloading", "reloading", "preservation"}),
        source="test terms",
    )
    return dataclasses.replace(base, **changes)


def rule(
    text: str,
    hs: str = "",
    valid_from: dt.date = dt.date(2019, 1, 1),
    valid_to: dt.date | None = None,
    *,
    agreement: str = "ACFTA",
) -> ProductRule:
    return ProductRule(agreement, hs, parse(text), valid_from, valid_to, "test", hs != "")


def book(*rules: ProductRule, general: str | None = "RVC 40 or CTH", **changes: Any) -> RuleBook:
    found = list(rules) + ([rule(general)] if general else [])
    return RuleBook([terms(**changes)], found, version=1, title="test rules")


def material(
    description: str,
    hs: str | None,
    amount: str,
    origin: str | None = None,
    *,
    originating: bool = False,
    currency: str = "USD",
) -> Material:
    return Material(description, Money(Decimal(amount), currency), hs, origin, originating)


def notebook(*materials: Material, **changes: Any) -> Case:
    """The notebook computer of the docs: FOB 1000.00 USD, assembled in China."""
    base = Case(
        agreement="ACFTA",
        exporting_country="CN",
        date=ON,
        hs="847130",
        description="Notebook computer",
        fob=Money(Decimal("1000.00"), "USD"),
        materials=materials
        or (
            material("Mainboard", "847330", "300.00", "KR"),
            material("Housing", "392690", "120.00", "VN", originating=True),
        ),
        processes=("assembly",),
    )
    return dataclasses.replace(base, **changes)


@functools.cache
def hs_codes() -> frozenset[str]:
    return frozenset(str(r["code"]) for r in refdata_files.hs_codes())


@functools.cache
def countries() -> frozenset[str]:
    return frozenset(str(r["alpha2"]) for r in refdata_files.countries())
