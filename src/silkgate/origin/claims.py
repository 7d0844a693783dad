"""Checking an import's preference claims against the e-COs received: the match, pure.

An item claims a preference with an e-CO when its proof is ``E_CO``, or
``FORM_E`` with a reference that is the number of an e-CO received. Each such
claim is matched against the certificate, line by line, and gets a
:class:`Verdict`: matched (the preference is given), a mismatch with its
reason code, or waiting (the number looks like an e-CO of a partner that
sends them, and it has not arrived yet). Claims with other proofs, or an e-CO
of an administration that sends none, get no verdict: the paper proof stands,
subject to verification, as before.

Every check that fails is named (``reason``); the first one gives the reason
code. The order is the order of the boxes a verifier reads: the certificate
(status, validity, agreement, importing country), the parties (boxes 1, 2),
origin and route, then the line (HS code, description, criterion, quantity,
FOB). docs/origin.md lists the codes and the tolerances.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from silkgate.declarations.document import DeclarationDocument, Item
from silkgate.origin.likeness import same_party, similar_descriptions
from silkgate.origin.received import Certificate, CertificateLine, issuer_of
from silkgate.tariff import units

MATCHED = "e_co_matched"
MISMATCH = "e_co_mismatch"
WAITING = "waiting"
PAPER = "paper"
NONE = "none"
# The proofs an e-CO can stand for.
E_CO_PROOFS = frozenset({"E_CO", "FORM_E"})
# An item's value may be this share of the certificate line's FOB (pro rata), no less and
# no more: the upper margin allows for freight and insurance in CIF-like prices.
FOB_LOW = Decimal("0.95")
FOB_HIGH = Decimal("1.25")

# National currency per unit of a currency on a date (None: no rate in force).
NationalRate = Callable[[str, dt.date], Decimal | None]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the check found for one item's claim."""

    seq: int  # the item
    number: str  # the certificate claimed
    proof: str  # MATCHED, MISMATCH or WAITING
    code: str | None = None  # the first reason code (eco_hs...); eco_unknown while waiting
    reason: str | None = None  # every check that failed, in words
    line: int | None = None  # the certificate line matched (or claimed)
    quantity: Decimal | None = None  # what the item covers on the line, in the line's unit
    unit: str | None = None

    @property
    def given(self) -> bool:
        return self.proof == MATCHED

    @property
    def waiting(self) -> bool:
        return self.proof == WAITING

    @property
    def treatment(self) -> str:
        """Form E box 4: given, not given, or (not decided yet) waiting."""
        return "given" if self.given else "waiting" if self.waiting else "not_given"

    def as_json(self) -> dict[str, object]:
        return {
            "certificate": self.number,
            "origin_proof": self.proof,
            "treatment": self.treatment,
            "line": self.line,
            "reason_code": self.code,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Held:
    """A certificate received, and what each of its lines has covered so far."""

    certificate: Certificate
    covered: Mapping[int, Decimal] = field(default_factory=dict)  # line -> quantity


@dataclass(frozen=True)
class Terms:
    """What the check needs of the agreements and of this node."""

    administration: str
    on: dt.date  # the date of lodging
    validity_months: Callable[[str], int | None]  # by agreement; None: the certificate's own
    parties: Callable[[str], frozenset[str]]
    to_national: NationalRate
    expecting: Callable[[str], bool]  # whether an administration sends its e-COs here


def claimed_numbers(doc: DeclarationDocument) -> dict[int, str]:
    """The e-CO number each item's claim names, for claims an e-CO can stand for.

    A reference that is not an e-CO number (an older paper numbering) is left
    to its paper proof without looking anything up.
    """
    if doc.type != "IM":
        return {}
    found = {}
    for item in doc.items:
        if item.preference is not None and item.preference.proof.type in E_CO_PROOFS:
            number = item.preference.proof.reference.strip().upper()
            if issuer_of(number) is not None:
                found[item.seq] = number
    return found


def check(doc: DeclarationDocument, held: Mapping[str, Held], terms: Terms) -> dict[int, Verdict]:
    """The verdict on each item's claim, by item; items without one keep their paper proof.

    Lines are covered in item order: two items of one declaration on one line
    add up, so a certificate never covers more than it states.
    """
    numbers = claimed_numbers(doc)
    covered: dict[tuple[str, int], Decimal] = {}
    verdicts: dict[int, Verdict] = {}
    for item in doc.items:
        number = numbers.get(item.seq)
        if number is None:
            continue
        found = held.get(number)
        if found is None:
            issuer = number[:2]
            if terms.expecting(issuer):
                verdicts[item.seq] = Verdict(
                    item.seq, number, WAITING, "eco_unknown",
                    f"no e-CO {number} has been received from {issuer} yet",
                    item.preference.proof.line if item.preference else None,
                )  # fmt: skip
            continue
        verdict = _match(doc, item, number, found, covered, terms)
        if verdict.given and verdict.line is not None and verdict.quantity is not None:
            key = (number, verdict.line)
            covered[key] = covered.get(key, Decimal(0)) + verdict.quantity
        verdicts[item.seq] = verdict
    return verdicts


def _match(
    doc: DeclarationDocument,
    item: Item,
    number: str,
    held: Held,
    covered: Mapping[tuple[str, int], Decimal],
    terms: Terms,
) -> Verdict:
    cert = held.certificate
    assert item.preference is not None
    failures = [
        *_certificate(cert, item.preference.agreement, terms),
        *_parties(doc, cert),
        *_route(doc, item, cert, terms),
    ]
    line, line_failures = _line(item, cert)
    failures += line_failures
    quantity = unit = None
    if line is not None:
        unit = line.quantity.unit
        quantity = _quantity_in(item, unit)
        used = held.covered.get(line.line, Decimal(0)) + covered.get((number, line.line), 0)
        failures += _goods(doc, item, cert, line, quantity, used, terms)
    if failures:
        code, _ = failures[0]
        reason = "; ".join(text for _, text in failures)
        return Verdict(item.seq, number, MISMATCH, code, reason, _line_no(item, line), None, unit)
    return Verdict(item.seq, number, MATCHED, None, None, _line_no(item, line), quantity, unit)


def _line_no(item: Item, line: CertificateLine | None) -> int | None:
    if line is not None:
        return line.line
    return item.preference.proof.line if item.preference else None


Failure = tuple[str, str]


def _certificate(cert: Certificate, agreement: str, terms: Terms) -> list[Failure]:
    out: list[Failure] = []
    if cert.status == "cancelled":
        out.append(("eco_cancelled", f"{cert.number} was cancelled by {cert.issuer}"))
    elif cert.status == "replaced":
        by = f" by {cert.replaced_by}" if cert.replaced_by else ""
        out.append(("eco_replaced", f"{cert.number} was replaced{by}"))
    until = valid_until(cert, terms.validity_months(cert.agreement))
    if terms.on > until:
        out.append(("eco_expired", f"{cert.number} was valid until {until}"))
    if cert.agreement != agreement:
        out.append(("eco_agreement", f"{cert.number} is under {cert.agreement}, not {agreement}"))
    if cert.importing_country != terms.administration:
        out.append(
            (
                "eco_importing_country",
                f"{cert.number} was issued for imports into {cert.importing_country}",
            )
        )
    return out


def valid_until(cert: Certificate, months: int | None) -> dt.date:
    """The last day the certificate may be presented: the agreement's term, or its own date."""
    if months is None:
        return cert.valid_until
    return min(cert.valid_until, _add_months(cert.issued_on, months) - dt.timedelta(days=1))


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _parties(doc: DeclarationDocument, cert: Certificate) -> list[Failure]:
    out: list[Failure] = []
    exporters = [(cert.exporter.id, cert.exporter.name)]
    if cert.third_party_invoicing and cert.third_party is not None:
        exporters.append((None, cert.third_party.name))  # the invoicing party may declare
    if not any(same_party(doc.exporter, *p) for p in exporters):
        out.append(
            (
                "eco_exporter",
                f"the exporter {doc.exporter.name!r} is not box 1's {cert.exporter.name!r}",
            )
        )
    consignees = [p for p in (doc.importer, doc.consignee) if p is not None]
    box2 = cert.consignee
    if not any(same_party(p, box2.id, box2.name) for p in consignees):
        out.append(
            (
                "eco_consignee",
                f"the importer {doc.importer.name!r} is not box 2's {cert.consignee.name!r}",
            )
        )
    return out


def _route(doc: DeclarationDocument, item: Item, cert: Certificate, terms: Terms) -> list[Failure]:
    out: list[Failure] = []
    if item.origin != cert.issuer and not cert.back_to_back:
        out.append(("eco_origin", f"the item originates in {item.origin}, not {cert.issuer}"))
    dispatch = doc.transport.dispatch_country
    if dispatch != cert.issuer:
        out.append(
            (
                "eco_not_direct",
                f"the goods were dispatched from {dispatch}, "
                f"the certificate was issued in {cert.issuer}",
            )
        )
    loaded = doc.transport.loading_place[:2]
    transit = bool(item.preference and item.preference.proof.transit)
    if loaded not in terms.parties(cert.agreement) | {cert.issuer} and not transit:
        out.append(
            (
                "eco_not_direct",
                f"the goods were loaded in {loaded}, not a party to {cert.agreement}, "
                "and no transit is declared",
            )
        )
    return out


def _line(item: Item, cert: Certificate) -> tuple[CertificateLine | None, list[Failure]]:
    """The certificate line the item is matched with: the one claimed, or by HS code."""
    hs6 = item.hs_code[:6]
    claimed = item.preference.proof.line if item.preference else None
    if claimed is not None:
        line = cert.line(claimed)
        if line is None:
            return None, [("eco_line", f"{cert.number} has no line {claimed}")]
        if line.hs != hs6:
            return line, [("eco_hs", f"line {claimed} is for {line.hs}, the item is {hs6}")]
        return line, []
    candidates = [x for x in cert.lines if x.hs == hs6]
    if not candidates:
        listed = ", ".join(f"{x.line}: {x.hs}" for x in cert.lines[:10])
        return None, [("eco_hs", f"no line of {cert.number} is for {hs6} (lines {listed})")]
    return candidates[0], []


def _goods(
    doc: DeclarationDocument,
    item: Item,
    cert: Certificate,
    line: CertificateLine,
    quantity: Decimal | None,
    used: Decimal,
    terms: Terms,
) -> list[Failure]:
    out: list[Failure] = []
    if not similar_descriptions(item.description, line.description):
        out.append(
            (
                "eco_description",
                f"{item.description!r} does not describe line {line.line}'s {line.description!r}",
            )
        )
    if line.criterion is None:
        out.append(("eco_criterion", f"line {line.line} states no origin criterion"))
    stated = line.quantity
    if quantity is None:
        out.append(
            (
                "eco_quantity",
                f"the item's quantity cannot be expressed in {stated.unit}, the line's unit",
            )
        )
    elif used + quantity > stated.value:
        left = max(stated.value - used, Decimal(0))
        out.append(
            (
                "eco_quantity",
                f"line {line.line} covers {_plain(stated.value)} {stated.unit}, "
                f"{_plain(left)} left; the item declares {_plain(quantity)}",
            )
        )
    if quantity is not None and _uses_rvc(line):
        out += _fob(doc, item, cert, line, quantity, terms)
    return out


def _uses_rvc(line: CertificateLine) -> bool:
    return line.criterion == "RVC" or line.rvc is not None


def _fob(
    doc: DeclarationDocument,
    item: Item,
    cert: Certificate,
    line: CertificateLine,
    quantity: Decimal,
    terms: Terms,
) -> list[Failure]:
    """An RVC line states its FOB (box 9): the item's value must be its share of it."""
    if line.fob is None:
        return [("eco_fob", f"line {line.line} uses RVC but states no FOB value")]
    fob_rate = terms.to_national(line.fob.currency, terms.on)
    item_rate = terms.to_national(doc.invoice.currency, terms.on)
    if fob_rate is None or item_rate is None:
        return []  # not comparable without a customs rate: the check is skipped
    share = line.fob.amount * quantity / line.quantity.value * fob_rate
    value = item.value * item_rate
    high = None if cert.third_party_invoicing else share * FOB_HIGH
    if value < share * FOB_LOW or (high is not None and value > high):
        return [
            (
                "eco_fob",
                f"the item's value {_plain(item.value)} {doc.invoice.currency} is not its share "
                f"of line {line.line}'s FOB {_plain(line.fob.amount)} {line.fob.currency} "
                f"(allowed {FOB_LOW * 100:.0f}-{FOB_HIGH * 100:.0f} %)",
            )
        ]
    return []


def _quantity_in(item: Item, unit: str) -> Decimal | None:
    """The item's quantity in ``unit``: net mass for mass units, else the supplementary one."""
    try:
        if _is_mass(unit):
            return units.convert(item.net_mass_kg, "KGM", unit)
        declared = item.supplementary_quantity
        if declared is None:
            return None
        return units.convert(declared.value, declared.unit, unit)
    except units.UnitError:
        return None


@functools.cache
def _is_mass(unit: str) -> bool:
    return units.dimension(unit) == "mass"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
