"""The rules of origin in force: each agreement's terms and its product-specific rules.

A :class:`RuleBook` is built once per loaded version (the rules already parsed
into trees of criteria) and then only read: the rule for a product on a date
is a dictionary look-up by HS subheading, heading and chapter, falling back to
the agreement's general rule (the rule with no HS code).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from silkgate.origin.rules import AnyOf, Criterion, parse


class Cumulation(StrEnum):
    """Whose originating materials count as originating in the exporting party."""

    PARTIES = "parties"  # a material originating in any party (with its proof) counts
    NONE = "none"  # only materials originating in the exporting party count


@dataclass(frozen=True)
class AgreementTerms:
    """An agreement's parameters: who is a party, and the general provisions on origin."""

    code: str
    name: str
    parties: frozenset[str]
    proofs: tuple[str, ...]  # the kinds of proof of origin accepted (FORM_E, E_CO...)
    certificate_validity_months: int
    de_minimis: Decimal  # % of FOB that materials failing a tariff change may be worth
    de_minimis_not_for: frozenset[str]  # HS chapters where the value de minimis does not apply
    build_up: bool  # whether the build-up (direct) RVC method is allowed
    cumulation: Cumulation
    always: Criterion | None  # criteria that confer origin under every rule ("WO or PE")
    minimal_operations: frozenset[str]  # processes that never confer origin
    transit_operations: frozenset[str]  # what may happen in a non-party on the way
    source: str
    # Days the issuing party has to answer a retroactive verification request (its deadline).
    verification_days: int = 90

    @functools.cached_property
    def always_text(self) -> str:
        return str(self.always) if self.always is not None else ""

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "parties": sorted(self.parties),
            "proofs": list(self.proofs),
            "certificate_validity_months": self.certificate_validity_months,
            "verification_days": self.verification_days,
            "de_minimis": format(self.de_minimis, "f"),
            "de_minimis_not_for": sorted(self.de_minimis_not_for),
            "build_up": self.build_up,
            "cumulation": self.cumulation.value,
            "always": str(self.always) if self.always is not None else None,
            "minimal_operations": sorted(self.minimal_operations),
            "transit_operations": sorted(self.transit_operations),
            "source": self.source,
        }


@dataclass(frozen=True)
class ProductRule:
    """The rule of one agreement for the goods under an HS prefix ("" for every product)."""

    agreement: str
    hs_prefix: str  # 2, 4 or 6 digits; "" for the general rule
    criterion: Criterion
    valid_from: dt.date
    valid_to: dt.date | None  # inclusive
    source: str
    illustrative: bool
    line: int = 0  # where the loaded file had it

    @functools.cached_property
    def text(self) -> str:
        return str(self.criterion)

    @property
    def scope(self) -> str:
        """The goods it covers, in words: "general rule", "heading 1516"."""
        if not self.hs_prefix:
            return "general rule"
        level = {2: "chapter", 4: "heading", 6: "subheading"}[len(self.hs_prefix)]
        return f"{level} {dotted(self.hs_prefix)}"

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def as_json(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "hs": self.hs_prefix or None,
            "scope": self.scope,
            "text": self.text,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source,
            "illustrative": self.illustrative,
        }


@functools.cache
def dotted(hs: str) -> str:
    """An HS code as the nomenclature prints it: 84, 8471, 8471.30."""
    return f"{hs[:4]}.{hs[4:]}" if len(hs) > 4 else hs


class RuleBook:
    """The terms and rules of every agreement of one loaded version."""

    def __init__(
        self,
        terms: Iterable[AgreementTerms],
        rules: Iterable[ProductRule],
        *,
        version: int = 0,
        title: str = "",
    ) -> None:
        self.version = version
        self.title = title
        self._terms = {t.code: t for t in terms}
        self._rules: dict[str, dict[str, list[ProductRule]]] = {code: {} for code in self._terms}
        self._applied: dict[int, tuple[Criterion, str]] = {}
        for rule in sorted(rules, key=lambda r: r.valid_from):
            self._rules.setdefault(rule.agreement, {}).setdefault(rule.hs_prefix, []).append(rule)
            found = self._terms.get(rule.agreement)
            always = found.always if found is not None else None
            applied = rule.criterion if always is None else either(always, rule.criterion)
            self._applied[id(rule)] = (applied, str(applied))

    def terms(self, agreement: str) -> AgreementTerms | None:
        return self._terms.get(agreement)

    def agreements(self) -> list[AgreementTerms]:
        return [self._terms[code] for code in sorted(self._terms)]

    def has_rules(self, agreement: str) -> bool:
        return bool(self._rules.get(agreement))

    def rule_for(self, agreement: str, hs: str, on: dt.date) -> ProductRule | None:
        """The rule in force on ``on`` for goods of subheading ``hs``: the most specific
        product-specific rule, else the general rule; None if neither is in force."""
        by_prefix = self._rules.get(agreement)
        if not by_prefix:
            return None
        for prefix in (hs[:6], hs[:4], hs[:2], ""):
            for rule in by_prefix.get(prefix, ()):
                if rule.in_force(on):
                    return rule
        return None

    def applied(self, rule: ProductRule) -> Criterion:
        """The criteria that confer origin under ``rule`` (of this book): the agreement's
        criteria that apply under every rule ("WO or PE"), or the rule's own."""
        found = self._applied.get(id(rule))
        return found[0] if found is not None else rule.criterion

    def applied_text(self, rule: ProductRule) -> str:
        """``str(applied(rule))``, built once per load."""
        found = self._applied.get(id(rule))
        return found[1] if found is not None else rule.text

    def rules(self, agreement: str) -> list[ProductRule]:
        """Every rule of an agreement, general rule first, then by HS code and date."""
        by_prefix = self._rules.get(agreement, {})
        return [r for prefix in sorted(by_prefix) for r in by_prefix[prefix]]

    def __len__(self) -> int:
        return sum(len(v) for by_prefix in self._rules.values() for v in by_prefix.values())


def either(first: Criterion, second: Criterion) -> Criterion:
    """``first or second``, as one list of alternatives (a criterion already in ``first``
    is not repeated)."""
    head = first.parts if isinstance(first, AnyOf) else (first,)
    rest = second.parts if isinstance(second, AnyOf) else (second,)
    return AnyOf((*head, *(c for c in rest if c not in head)))


def terms_from_json(data: dict[str, Any]) -> AgreementTerms:
    """An agreement's terms as :meth:`AgreementTerms.as_json` wrote them (the stored form)."""
    always = data.get("always")
    return AgreementTerms(
        code=data["code"],
        name=data["name"],
        parties=frozenset(data["parties"]),
        proofs=tuple(data["proofs"]),
        certificate_validity_months=int(data["certificate_validity_months"]),
        de_minimis=Decimal(data["de_minimis"]),
        de_minimis_not_for=frozenset(data["de_minimis_not_for"]),
        build_up=bool(data["build_up"]),
        cumulation=Cumulation(data["cumulation"]),
        always=parse(always) if always else None,
        minimal_operations=frozenset(data["minimal_operations"]),
        transit_operations=frozenset(data["transit_operations"]),
        source=data.get("source", ""),
        # Versions loaded before the term existed: the default.
        verification_days=int(data.get("verification_days", 90)),
    )
