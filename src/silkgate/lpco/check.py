"""The LPCO check of a declaration at lodging: each item's required LPCOs, pure.

For each item, the requirements in force for its HS code, flow and country
say which LPCO kinds it needs. Each is looked for among the item's documents
(then the declaration's) by the requirement's document code, and the LPCO
the reference names is checked: known, of the kind (and agency) required,
issued (not suspended or revoked), held by the importer (or exporter), for
the goods, the flow, the country and the office, valid on the day, in a unit
the item's quantity converts to, and with enough balance left.

What the declarant cited wrongly (an unknown number, another holder, other
goods, an expired or suspended LPCO, an unconvertible unit) refuses the
lodging with the field. A missing LPCO, or one without enough balance, holds
the goods or refuses the lodging as the requirement says. Several items drawing
on one LPCO add up, so a declaration never draws more than a balance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from silkgate.declarations.document import DeclarationDocument, Document, Item
from silkgate.kernel.errors import FieldError
from silkgate.lpco.licence import (
    Flow,
    Licence,
    NationalRate,
    Status,
    amount_of,
    country_of,
    flow_of,
    plain,
    trader_of,
)
from silkgate.lpco.requirements import Missing, Requirement, Requirements

OK, MISSING, INSUFFICIENT, NONE = "ok", "missing", "insufficient", "none"
# The worst finding on an item is its risk fact ``item.lpco``.
_ORDER = {NONE: 0, OK: 1, INSUFFICIENT: 2, MISSING: 3}


@dataclass(frozen=True)
class Finding:
    """One requirement of one item, as checked."""

    seq: int
    requirement: Requirement
    status: str  # OK, MISSING or INSUFFICIENT
    number: str | None = None  # the LPCO cited
    lpco_id: int | None = None
    amount: Decimal | None = None  # what the item draws, in the LPCO's unit
    unit: str | None = None
    reason: str | None = None
    # The agency that examines the item's goods (its checks join the joint inspection):
    # the requirement says so, or the LPCO's condition does.
    examiner: str | None = None

    @property
    def held(self) -> bool:
        return self.status != OK and self.requirement.missing is Missing.HOLD

    def words(self) -> str:
        r = self.requirement
        what = f"item {self.seq}: {r.kind.words} ({r.document}, {r.description})"
        if self.status == OK:
            return f"{what}: {self.number} draws {plain(self.amount or Decimal(0))} {self.unit}"
        return f"{what}: {self.status}; {self.reason}"


@dataclass(frozen=True)
class Checked:
    """The check of one declaration: findings, and what refuses the lodging."""

    findings: tuple[Finding, ...] = ()
    refusals: tuple[FieldError, ...] = ()

    @property
    def facts(self) -> dict[int, str]:
        """``item.lpco`` by item: ok, missing or insufficient (items without a requirement:
        absent, read as "none")."""
        out: dict[int, str] = {}
        for f in self.findings:
            if _ORDER[f.status] > _ORDER[out.get(f.seq, NONE)]:
                out[f.seq] = f.status
        return out

    @property
    def holds(self) -> list[str]:
        """Why the goods are held: a missing or insufficient LPCO whose requirement holds,
        and an agency that examines them (its checks join the joint inspection)."""
        return [f.words() for f in self.findings if f.held] + self.examinations

    @property
    def examinations(self) -> list[str]:
        """The agencies that examine the goods, by item, in words."""
        said = (
            f"item {f.seq}: {f.examiner} examines the goods "
            f"({f.requirement.kind.words} {f.number or f.requirement.document})"
            for f in self.findings
            if f.examiner
        )
        return list(dict.fromkeys(said))

    @property
    def draws(self) -> list[Finding]:
        return [f for f in self.findings if f.status == OK]


@dataclass(frozen=True)
class Terms:
    on: dt.date
    to_national: NationalRate
    drawn: Mapping[int, Decimal] = field(default_factory=dict)  # by LPCO id, earlier in a batch


def cited(doc: DeclarationDocument, requirements: Requirements, on: dt.date) -> set[str]:
    """The LPCO numbers the declaration cites for its required LPCOs (nothing to read when
    no item needs one)."""
    flow = flow_of(doc)
    out: set[str] = set()
    for item in doc.items:
        for r in requirements.applicable(item.hs_code, flow, country_of(doc, item), on):
            out.update(d.reference.strip().upper() for _, d in _documents(doc, item, r.document))
    return out


def check(
    doc: DeclarationDocument,
    requirements: Requirements,
    held: Mapping[str, Licence],
    terms: Terms,
) -> Checked:
    """Each item's required LPCOs checked against ``held`` (the LPCOs cited, by number)."""
    flow = flow_of(doc)
    findings: list[Finding] = []
    refusals: list[FieldError] = []
    drawn: dict[int, Decimal] = dict(terms.drawn)
    for index, item in enumerate(doc.items):
        for r in requirements.applicable(item.hs_code, flow, country_of(doc, item), terms.on):
            finding, errors = _one(doc, index, item, r, held, drawn, terms)
            refusals += errors
            if finding is None:
                continue
            if finding.status != OK and r.missing is Missing.REFUSE:
                refusals.append(_refusal(doc, index, item, finding))
            elif finding.status == OK and finding.lpco_id is not None:
                drawn[finding.lpco_id] = drawn.get(finding.lpco_id, Decimal(0)) + (
                    finding.amount or Decimal(0)
                )
            findings.append(finding)
    return Checked(tuple(findings), tuple(refusals))


def _documents(doc: DeclarationDocument, item: Item, code: str) -> list[tuple[str, Document]]:
    """The documents of ``code`` on the item (else on the declaration), with their pointers."""
    index = doc.items.index(item)
    own = [(f"/items/{index}/documents/{j}", d) for j, d in enumerate(item.documents)]
    found = [(p, d) for p, d in own if d.code == code]
    if found:
        return found
    return [(f"/documents/{j}", d) for j, d in enumerate(doc.documents) if d.code == code]


def _one(
    doc: DeclarationDocument,
    index: int,
    item: Item,
    r: Requirement,
    held: Mapping[str, Licence],
    drawn: Mapping[int, Decimal],
    terms: Terms,
) -> tuple[Finding | None, list[FieldError]]:
    documents = _documents(doc, item, r.document)
    if not documents:
        reason = f"no document {r.document} is declared for it"
        return Finding(item.seq, r, MISSING, reason=reason, examiner=_examiner(r, None)), []
    pointer, cited_document = documents[0]
    number = cited_document.reference.strip().upper()
    lpco = held.get(number)
    where = f"{pointer}/reference"
    if lpco is None:
        return None, [FieldError(where, "lpco_unknown", f"no LPCO {number} has been issued")]
    errors = [FieldError(where, code, text) for code, text in _validity(doc, item, r, lpco, terms)]
    amount = amount_of(doc, item, lpco.unit, terms.on, terms.to_national)
    if amount.value is None:
        errors.append(
            FieldError(
                f"/items/{index}/{amount.field}",
                "lpco_unit",
                f"cannot be expressed in {lpco.unit}, the unit of {number}: {amount.problem}",
            )
        )
    if errors or amount.value is None:
        return None, errors
    left = lpco.balance - drawn.get(lpco.id, Decimal(0))
    if amount.value > left:
        reason = (
            f"{number} has {plain(max(left, Decimal(0)))} {lpco.unit} left; "
            f"the item needs {plain(amount.value)}"
        )
        return Finding(item.seq, r, INSUFFICIENT, number, lpco.id, amount.value, lpco.unit,
                       reason, _examiner(r, lpco)), []  # fmt: skip
    return Finding(item.seq, r, OK, number, lpco.id, amount.value, lpco.unit,
                   examiner=_examiner(r, lpco)), []  # fmt: skip


def _examiner(r: Requirement, lpco: Licence | None) -> str | None:
    """The agency that examines the goods: the requirement's, or the LPCO's when a
    condition of the LPCO says so."""
    if lpco is not None and (r.examine or lpco.examine):
        return lpco.agency
    return (r.agency or None) if r.examine else None


def _validity(
    doc: DeclarationDocument, item: Item, r: Requirement, lpco: Licence, terms: Terms
) -> list[tuple[str, str]]:
    """What makes ``lpco`` unusable for the item, as (code, words)."""
    if lpco.administration is not None:
        return _partner_validity(doc, item, r, lpco, terms)
    n = lpco.number
    checks: list[tuple[bool, str, Callable[[], str]]] = [
        (lpco.kind is not r.kind, "lpco_kind", lambda: f"{n} is a {lpco.kind.words}, "
         f"not the {r.kind.words} required"),
        (bool(r.agency) and lpco.agency != r.agency, "lpco_agency",
         lambda: f"{n} was issued by {lpco.agency}, not {r.agency}"),
        (lpco.status is Status.SUSPENDED, "lpco_suspended", lambda: f"{n} is suspended"),
        (lpco.status is Status.REVOKED, "lpco_revoked", lambda: f"{n} was revoked"),
        (lpco.holder != trader_of(doc), "lpco_holder",
         lambda: f"{n} is held by {lpco.holder}, not {trader_of(doc) or 'this trader'}"),
        (not item.hs_code.startswith(lpco.hs), "lpco_goods",
         lambda: f"{n} is for goods of {lpco.hs}, the item is {item.hs_code}"),
        (lpco.flow is not flow_of(doc), "lpco_flow", lambda: f"{n} is for {lpco.flow.value}"),
        (lpco.country not in (None, country_of(doc, item)), "lpco_country",
         lambda: f"{n} is for goods from or to {lpco.country}"),
        (lpco.office not in (None, doc.office), "lpco_office",
         lambda: f"{n} is for the office {lpco.office}, not {doc.office}"),
        (terms.on > lpco.valid_until, "lpco_expired",
         lambda: f"{n} was valid until {lpco.valid_until}"),
        (terms.on < lpco.valid_from, "lpco_not_yet_valid",
         lambda: f"{n} is valid from {lpco.valid_from}"),
    ]  # fmt: skip
    return [(code, words()) for failed, code, words in checks if failed]


def _partner_validity(
    doc: DeclarationDocument, item: Item, r: Requirement, lpco: Licence, terms: Terms
) -> list[tuple[str, str]]:
    """What makes a partner's LPCO (an export licence or permit issued in the exporting
    country, received over the exchange) unusable for the item of an import."""
    n, admin = lpco.number, lpco.administration
    sent_from = {item.origin, doc.transport.dispatch_country}
    importer = doc.importer.id
    checks: list[tuple[bool, str, Callable[[], str]]] = [
        (not r.partner, "lpco_partner",
         lambda: f"{n} was issued in {admin}; this requirement takes an LPCO issued here"),
        (lpco.kind is not r.kind, "lpco_kind", lambda: f"{n} is a {lpco.kind.words}, "
         f"not the {r.kind.words} required"),
        (bool(r.agency) and lpco.acceptor != r.agency, "lpco_agency",
         lambda: f"{n} is accepted by {lpco.acceptor or 'no agency'} here, not {r.agency}"),
        (lpco.status is Status.RECEIVED, "lpco_not_accepted",
         lambda: f"{n} from {admin} is not yet accepted by {lpco.acceptor or 'an agency'}"),
        (lpco.status is Status.REFUSED, "lpco_refused", lambda: f"{n} from {admin} was refused"),
        (lpco.status is Status.SUSPENDED, "lpco_suspended", lambda: f"{n} is suspended"),
        (lpco.status is Status.REVOKED, "lpco_revoked", lambda: f"{n} was revoked"),
        (lpco.holder != doc.exporter.id, "lpco_holder",
         lambda: f"{n} is held by the exporter {lpco.holder}, not {doc.exporter.id or 'this one'}"),
        (lpco.consignee not in (None, importer), "lpco_holder",
         lambda: f"{n} names the importer {lpco.consignee}, not {importer or 'this one'}"),
        (not item.hs_code.startswith(lpco.hs), "lpco_goods",
         lambda: f"{n} is for goods of {lpco.hs}, the item is {item.hs_code}"),
        (lpco.flow is not Flow.EXPORT, "lpco_flow", lambda: f"{n} is for {lpco.flow.value}"),
        (admin not in sent_from, "lpco_country",
         lambda: f"{n} was issued in {admin}; the goods come from {', '.join(sorted(sent_from))}"),
        (terms.on > lpco.valid_until, "lpco_expired",
         lambda: f"{n} was valid until {lpco.valid_until}"),
        (terms.on < lpco.valid_from, "lpco_not_yet_valid",
         lambda: f"{n} is valid from {lpco.valid_from}"),
    ]  # fmt: skip
    return [(code, words()) for failed, code, words in checks if failed]


def _refusal(doc: DeclarationDocument, index: int, item: Item, f: Finding) -> FieldError:
    r = f.requirement
    found = _documents(doc, item, r.document)
    pointer = f"{found[0][0]}/reference" if found else f"/items/{index}/documents"
    code = "lpco_missing" if f.status == MISSING else "lpco_balance"
    return FieldError(
        pointer, code, f"{r.kind.words} {r.document} required ({r.description}): {f.reason}"
    )
