"""Checking an application for a certificate of origin, and determining each line's origin.

One answer lists every fault, each with the JSON pointer of its field in the
application: the form's structure, the codes (countries, HS, currencies, units,
kinds of package, ports), who applies, the agreement and its parties, dates;
then each line's origin is determined by the calculator
(:meth:`OriginService.determine_case`) on the line's bill of materials, and
what the calculator refuses (no rule in force, no exchange rate) is named
where it is in the application. Nothing is stored here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from silkgate.kernel.commands import parse
from silkgate.kernel.errors import FieldError, InvalidRequest, pointer
from silkgate.origin import certificate
from silkgate.origin.application import Application, application_pointer, calculator_request
from silkgate.origin.case import check_codes
from silkgate.origin.determination import Determination
from silkgate.origin.services import OriginService


def examine(
    origin: OriginService, raw: Any, *, applicant: str | None, administration: str
) -> tuple[Application, list[Determination]]:
    """The application in ``raw`` and each line's determination; :class:`InvalidRequest` with
    every fault otherwise.

    ``applicant`` is the trader identifier of who applies (the exporter of box 1
    must be it); ``administration`` the issuing country (the exporter's).
    """
    errors: list[FieldError] = []
    app: Application | None = None
    try:
        app = parse(Application, raw)
    except InvalidRequest as exc:
        errors += exc.errors
    errors += code_faults(origin, raw)
    if app is not None:
        errors += app.faults()
        errors += _node_faults(origin, app, applicant, administration)
    if errors or app is None:
        raise InvalidRequest(_first_per_field(errors))
    found: list[Determination] = []
    for i in range(len(app.lines)):
        try:
            found.append(origin.determine_case(app.request(i).case(origin.today())))
        except InvalidRequest as exc:
            errors += [_moved(e, i) for e in exc.errors]
    if errors:
        raise InvalidRequest(_first_per_field(errors))
    return app, found


def code_faults(origin: OriginService, raw: Any) -> list[FieldError]:
    """Every code of a raw application that is not in the node's code lists."""
    if not isinstance(raw, dict):
        return []
    codes = origin.codes
    found: list[FieldError] = []

    def code(where: tuple[str | int, ...], value: Any, known: frozenset[str], what: str) -> None:
        if isinstance(value, str) and known and value not in known:
            found.append(FieldError(pointer(*where), f"unknown_{what}", _UNKNOWN[what](value)))

    code(("importing_country",), raw.get("importing_country"), codes.countries, "country")
    for party in ("consignee", "third_party"):
        code((party, "country"), _obj(raw.get(party)).get("country"), codes.countries, "country")
    code(("port_of_discharge",), raw.get("port_of_discharge"), codes.locations, "location")
    lines = raw.get("lines")
    for i, line in enumerate(lines if isinstance(lines, list) else []):
        line = _obj(line)
        kind = _obj(line.get("packages")).get("kind")
        code(("lines", i, "packages", "kind"), kind, codes.package_types, "package")
        unit = _obj(line.get("quantity")).get("unit")
        code(("lines", i, "quantity", "unit"), unit, codes.units, "unit")
        request = calculator_request(raw, i)
        found += [_moved(e, i) for e in check_codes(request, codes, origin.hs_codes)]
    return found


_UNKNOWN = {
    "country": lambda v: f"{v!r} is not an ISO 3166 country",
    "location": lambda v: f"{v!r} is not a UN/LOCODE location",
    "package": lambda v: f"{v!r} is not a kind of package of UN/ECE Rec 21",
    "unit": lambda v: f"{v!r} is not a unit of measure of UN/ECE Rec 20",
}


def _node_faults(
    origin: OriginService, app: Application, applicant: str | None, administration: str
) -> list[FieldError]:
    """What the node's own data refuses: who applies, the agreement and its parties, dates."""
    found: list[FieldError] = []
    exporter = app.exporter
    if exporter.id != applicant:
        found.append(
            FieldError(
                "/exporter/id",
                "not_the_applicant",
                f"the exporter must be the applicant's own party ({applicant or 'none'}): "
                "an exporter applies for its own certificates",
            )
        )
    if exporter.country != administration:
        found.append(
            FieldError(
                "/exporter/country",
                "not_this_administration",
                f"this node certifies goods exported from {administration}, "
                f"not from {exporter.country}",
            )
        )
    found += _agreement_faults(origin, app)
    found += _date_faults(app, origin.today())
    return found


def _agreement_faults(origin: OriginService, app: Application) -> list[FieldError]:
    book = origin.rule_book()
    terms = book.terms(app.agreement)
    if terms is None or not book.has_rules(app.agreement):
        known = ", ".join(t.code for t in book.agreements() if book.has_rules(t.code)) or "none"
        return [
            FieldError(
                "/agreement",
                "unknown_agreement",
                f"{app.agreement!r} is not an agreement whose rules of origin this node holds "
                f"({known})",
            )
        ]
    if app.agreement not in certificate.FORMS:
        forms = ", ".join(f"{a} (Form {f})" for a, f in certificate.FORMS.items())
        return [
            FieldError(
                "/agreement",
                "no_certificate_form",
                f"this node issues certificates of origin under {forms} only",
            )
        ]
    found = []
    importing = app.importing_country
    if importing not in terms.parties or importing == app.exporter.country:
        found.append(
            FieldError(
                "/importing_country",
                "not_a_party",
                f"{importing} is not another party to {terms.code} "
                f"({', '.join(sorted(terms.parties - {app.exporter.country}))})",
            )
        )
    if app.consignee.country != importing:
        found.append(
            FieldError(
                "/consignee/country",
                "not_the_importing_country",
                f"the consignee is in {app.consignee.country}, the goods are for {importing}",
            )
        )
    return found


def _date_faults(app: Application, today: dt.date) -> list[FieldError]:
    dates: list[tuple[tuple[str | int, ...], dt.date]] = [
        (("exporter_declaration", "date"), app.exporter_declaration.date)
    ]
    dates += [(("lines", i, "invoice", "date"), ln.invoice.date) for i, ln in enumerate(app.lines)]
    return [
        FieldError(pointer(*where), "in_the_future", f"{on} is after today ({today})")
        for where, on in dates
        if on > today
    ]


def _moved(error: FieldError, i: int) -> FieldError:
    """A calculator's error on line ``i``, named where its field is in the application."""
    return FieldError(application_pointer(error.pointer, i), error.code, error.detail)


def _first_per_field(errors: list[FieldError]) -> list[FieldError]:
    """One error per field (the same fault is found for every line and by both passes)."""
    seen: set[str] = set()
    kept = []
    for e in errors:
        if e.pointer not in seen:
            seen.add(e.pointer)
            kept.append(e)
    return kept


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
