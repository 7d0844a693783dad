"""The origin calculator: does a product originate under an agreement, and by which criterion?

:func:`determine` takes a :class:`~silkgate.origin.case.Case`, the rules in
force (:class:`~silkgate.origin.rulebook.RuleBook`) and a rate look-up (the
customs exchange rates, national currency per unit of a currency on a date),
and returns a :class:`Determination`: originating or not, the Form E box 8
criterion, the FOB value for box 9 when an RVC was used, the rule applied, the
materials that fail a tariff-change test, and every step in plain sentences.
It does no I/O; the caller passes the rates in.

The steps, in order: the rule in force for the product on the date (the most
specific product-specific rule, else the general rule), combined by "or" with
the agreement's criteria that apply under every rule (``WO or PE``); the
materials valued in the FOB currency and sorted into originating and not
(cumulation); each criterion tested (RVC both ways, tariff changes with their
exceptions and the de minimis, specific processes); then the minimal
operations, which deny origin to anything but a wholly obtained product; and
direct consignment, a condition of the preference rather than of origin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from silkgate.kernel.errors import FieldError, InvalidRequest, invalid
from silkgate.origin.case import Case
from silkgate.origin.evaluation import Evaluator
from silkgate.origin.facts import Facts, Valuation, money, percent
from silkgate.origin.rulebook import AgreementTerms, ProductRule, RuleBook, dotted
from silkgate.origin.rules import (
    Criterion,
    SpecificProcess,
    ValueContent,
    WhollyObtained,
)

# National currency per unit of a currency on a date; None when no rate is in force.
RateLookup = Callable[[str, Any], Decimal | None]


@dataclass(slots=True)
class Determination:
    """The calculator's answer (``as_json`` is what the API and the CLI print)."""

    case: Case
    terms: AgreementTerms
    rule: ProductRule
    applied: str  # the rule with the agreement's "always" criteria, as text
    version: int
    originating: bool
    criterion: str | None  # WO, PE, RVC, CC, CTH, CTSH, PSR
    box8: str | None
    rvc: Decimal
    rvc_build_up: Decimal | None
    rvc_used: bool
    vnm: Decimal
    originating_value: Decimal
    failing: dict[int, list[str]]
    direct_consignment: bool
    # The sentences, in three parts: the rule; the materials (written when first read,
    # as most determinations in bulk are never explained); the tests and the conclusion.
    steps: tuple[list[str], Facts, list[str]]

    @property
    def explanation(self) -> list[str]:
        """Every step, in plain sentences."""
        head, facts, tail = self.steps
        return [*head, *facts.material_notes, *tail]

    def as_json(self) -> dict[str, Any]:
        case = self.case
        currency = case.fob.currency
        materials = case.materials
        return {
            "agreement": self.terms.code,
            "exporting_country": case.exporting_country,
            "date": case.date.isoformat(),
            "product": {"hs": case.hs, "description": case.description},
            "originating": self.originating,
            "criterion": self.criterion,
            "box8": self.box8,
            "fob": case.fob.as_json() if self.originating and self.rvc_used else None,
            "rvc": percent(self.rvc),
            "rvc_build_up": percent(self.rvc_build_up) if self.rvc_build_up is not None else None,
            "vnm": {"amount": money(self.vnm), "currency": currency},
            "originating_materials": {
                "amount": money(self.originating_value),
                "currency": currency,
            },
            "rule": {
                "text": self.applied,
                "product_rule": self.rule.text,
                "scope": self.rule.scope,
                "hs": self.rule.hs_prefix or None,
                "source": self.rule.source,
                "illustrative": self.rule.illustrative,
                "valid_from": self.rule.valid_from.isoformat(),
                "valid_to": self.rule.valid_to.isoformat() if self.rule.valid_to else None,
                "version": self.version,
            },
            "failing_materials": [
                {
                    "index": i,
                    "description": materials[i].description,
                    "hs": materials[i].hs,
                    "origin": materials[i].origin,
                    "value": materials[i].value.as_json(),
                    "fails": fails,
                }
                for i, fails in sorted(self.failing.items())
            ],
            "direct_consignment": self.direct_consignment,
            "eligible": self.originating and self.direct_consignment,
            "explanation": self.explanation,
        }


def determine(case: Case, book: RuleBook, rate: RateLookup) -> Determination:
    """Whether ``case``'s product originates; :class:`InvalidRequest` when it cannot be asked."""
    terms = _terms(case, book)
    rule = book.rule_for(terms.code, case.hs, case.date)
    if rule is None:
        raise invalid(
            "/date",
            "no_rule_in_force",
            f"no rule of origin of {terms.code} is in force on {case.date} for {dotted(case.hs)}",
        )
    applied = book.applied(rule)
    applied_text = book.applied_text(rule)
    facts = Facts(case, terms, _converter(case, rate))
    head = [_rule_sentence(case, terms, rule, applied_text, book.version)]
    evaluator = Evaluator(facts)
    met, used = evaluator.met(applied)
    notes = evaluator.notes
    minimal = _minimal_operations(facts, notes)
    if met and minimal and not any(isinstance(c, WhollyObtained) for c in used):
        met, used = False, ()
        notes.append("A minimal operation never confers origin: the criteria above do not count.")
    direct = _direct_consignment(case, terms, notes)
    rvc_used = False
    for c in used:
        rvc_used = rvc_used or isinstance(c, ValueContent)
    criterion, box8 = _criterion(used, facts) if met else (None, None)
    notes.append(_conclusion(case, terms, met, box8, rvc_used, direct))
    return Determination(
        case=case,
        terms=terms,
        rule=rule,
        applied=applied_text,
        version=book.version,
        originating=met,
        criterion=criterion,
        box8=box8,
        rvc=facts.rvc,
        rvc_build_up=facts.rvc_build_up,
        rvc_used=rvc_used,
        vnm=facts.vnm,
        originating_value=facts.vom,
        failing=evaluator.failing,
        direct_consignment=direct,
        steps=(head, facts, notes),
    )


def _terms(case: Case, book: RuleBook) -> AgreementTerms:
    terms = book.terms(case.agreement)
    if terms is None or not book.has_rules(case.agreement):
        known = ", ".join(t.code for t in book.agreements() if book.has_rules(t.code)) or "none"
        raise invalid(
            "/agreement",
            "unknown_agreement",
            f"{case.agreement!r} is not an agreement whose rules of origin this node holds "
            f"({known})",
        )
    if case.exporting_country not in terms.parties:
        raise invalid(
            "/exporting_country",
            "not_a_party",
            f"{case.exporting_country} is not a party to {terms.code}",
        )
    return terms


def _converter(case: Case, rate: RateLookup) -> Valuation:
    """The case's valuation in the FOB currency; :class:`InvalidRequest` for a missing rate."""
    target = case.fob.currency
    others = {m.value.currency for m in case.materials}
    if case.build_up is not None:
        others.update(v.currency for _, v in case.build_up.given())
    others.discard(target)
    if not others:
        return Valuation(target, {})
    found = {c: rate(c, case.date) for c in (target, *sorted(others))}
    missing = {c for c, r in found.items() if r is None}
    if missing:
        on = case.date
        errors = [
            FieldError(
                where + "/currency",
                "no_exchange_rate",
                f"no customs exchange rate for {m.currency} is in force on {on}",
            )
            for where, m in case.monies()
            if m.currency in missing and m.currency != target
        ]
        if target in missing:
            errors.insert(
                0,
                FieldError(
                    "/product/fob/currency",
                    "no_exchange_rate",
                    f"no customs exchange rate for {target} is in force on {on}, to convert "
                    f"the values in {', '.join(sorted(others))}",
                ),
            )
        raise InvalidRequest(errors)
    return Valuation(target, {c: r for c, r in found.items() if r is not None})


def _rule_sentence(
    case: Case, terms: AgreementTerms, rule: ProductRule, applied: str, version: int
) -> str:
    where = (
        f"no product-specific rule covers {dotted(case.hs)}, so the general rule applies"
        if not rule.hs_prefix
        else f"the product-specific rule for {rule.scope} applies"
    )
    flag = "; illustrative, not the agreement's text" if rule.illustrative else ""
    always = f" ({terms.always_text} apply under every rule)" if terms.always_text else ""
    return (
        f"{terms.code} rules in force on {case.date} (rules version {version}): {where}: "
        f"{rule.text} (source: {rule.source}{flag}). Applied: {applied}{always}."
    )


def _minimal_operations(facts: Facts, notes: list[str]) -> bool:
    """Whether only minimal operations were carried out (they never confer origin)."""
    terms, case = facts.terms, facts.case
    if case.minimal_operations_only:
        notes.append("Only minimal operations were carried out, as stated.")
        return True
    if not facts.processes:
        notes.append(
            "No process is stated: the calculator assumes more than a minimal operation; "
            "the issuing authority will check the production."
        )
        return False
    minimal = [p for p in facts.processes if p in terms.minimal_operations]
    if len(minimal) == len(facts.processes):
        notes.append(
            f"Every process stated ({', '.join(minimal)}) is a minimal operation under "
            f"{terms.code}."
        )
        return True
    more = [p for p in facts.processes if p not in terms.minimal_operations]
    notes.append(
        f"Minimal operations: {', '.join(more)} {'is' if len(more) == 1 else 'are'} more than "
        f"a minimal operation under {terms.code}."
    )
    return False


def _direct_consignment(case: Case, terms: AgreementTerms, notes: list[str]) -> bool:
    transit = case.transit
    if transit is None:
        if case.direct_consignment:
            notes.append("Direct consignment: shipped directly to the importing party.")
            return True
        notes.append(
            "Direct consignment: not met: not shipped directly, and no transit is given "
            "(the countries passed through and what was done there)."
        )
        return False
    outside = [c for c in transit.via if c not in terms.parties]
    done = sorted({" ".join(op.lower().split()) for op in transit.operations})
    beyond = [op for op in done if op not in terms.transit_operations]
    if not outside or not beyond:
        through = ", ".join(transit.via) or "no country"
        notes.append(
            f"Direct consignment: met: through {through}"
            + (f" with only {', '.join(done)} there." if done else ".")
        )
        return True
    notes.append(
        f"Direct consignment: not met: in {', '.join(outside)} (not a party) the goods "
        f"underwent {', '.join(beyond)}, more than {', '.join(sorted(terms.transit_operations))}."
    )
    return False


def _criterion(used: tuple[Criterion, ...], facts: Facts) -> tuple[str, str]:
    """The Form E box 8 criterion code and text of the criteria that conferred origin."""

    def label(c: Criterion) -> str:
        if isinstance(c, ValueContent):
            up = facts.rvc_build_up if facts.terms.build_up else None
            achieved = facts.rvc if facts.at_least(facts.kept, c.threshold) or up is None else up
            return f"RVC {int(achieved)}%"
        return "SP" if isinstance(c, SpecificProcess) else str(c.code)

    box8 = "+".join(label(c) for c in used)
    single = len(used) == 1 and not isinstance(used[0], SpecificProcess)
    return (str(used[0].code) if single else "PSR"), box8


def _conclusion(
    case: Case, terms: AgreementTerms, met: bool, box8: str | None, rvc_used: bool, direct: bool
) -> str:
    if not met:
        return f"Result: the product does not originate under {terms.code}."
    fob = f", box 9 FOB {money(case.fob.amount)} {case.fob.currency}" if rvc_used else ""
    text = (
        f"Result: the product originates in {case.exporting_country} under {terms.code}: "
        f"criterion {box8}{fob}."
    )
    if not direct:
        text += " It is not directly consigned, so no preference is due on this shipment."
    return text
