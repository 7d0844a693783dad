"""ePhyto: UN/CEFACT SPSCertificate (version 17) phytosanitary certificates, read safely.

A certificate arrives as XML from the exporting country's plant protection
organisation (through the IPPC hub or attached by the trader). It is parsed
with defusedxml (no DTD, no entities, no network: an XML bomb or an external
entity is refused), within a size limit, and only the fields customs and the
quarantine service compare with the declaration are read. Type 851 is a
phytosanitary certificate, 657 one for re-export; status 70 is issued, 40
withdrawn.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from silkgate.declarations.document import DeclarationDocument
from silkgate.kernel.text import refused, why

MAX_BYTES = 2_000_000
NS = {
    "c": "urn:un:unece:uncefact:data:standard:SPSCertificate:17",
    "r": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21",
    "u": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21",
}
ISSUED, WITHDRAWN = "70", "40"
MAX_AGE_DAYS = 120  # a certificate older than this does not describe this consignment
PHYTO, REEXPORT = "851", "657"


class MalformedCertificate(ValueError):
    """Not a readable SPSCertificate; the message says why (and where, for bad XML)."""


@dataclass(frozen=True)
class CertificateItem:
    seq: str
    description: str
    scientific_name: str
    hs_code: str
    net_kg: Decimal | None
    origin: str


@dataclass(frozen=True)
class Certificate:
    number: str
    type_code: str
    status_code: str
    issued: str
    issuer: str
    consignor: str
    consignee: str
    export_country: str
    import_country: str
    point_of_entry: str
    items: list[CertificateItem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "type_code": self.type_code,
            "status_code": self.status_code,
            "issued": self.issued,
            "issuer": self.issuer,
            "consignor": self.consignor,
            "consignee": self.consignee,
            "export_country": self.export_country,
            "import_country": self.import_country,
            "point_of_entry": self.point_of_entry,
            "items": [
                {
                    "seq": i.seq,
                    "description": i.description,
                    "scientific_name": i.scientific_name,
                    "hs_code": i.hs_code,
                    "net_kg": None if i.net_kg is None else format(i.net_kg, "f"),
                    "origin": i.origin,
                }
                for i in self.items
            ],
        }


def _text(node: Element | None, path: str) -> str:
    found = node.find(path, NS) if node is not None else None
    value = " ".join((found.text or "").split()) if found is not None else ""
    char = refused(value)
    if char is not None:  # shown to officers and stored: no display tricks
        raise MalformedCertificate(f"{path.replace('r:', '')} {why(char)}")
    return value


def _xml(data: bytes) -> Element:
    """The XML root of ``data``, read safely, or :class:`MalformedCertificate` saying why."""
    if len(data) > MAX_BYTES:
        raise MalformedCertificate(f"the certificate is larger than {MAX_BYTES:,} bytes")
    try:
        root: Element = fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise MalformedCertificate(f"refused: {type(exc).__name__} (no DTD or entities)") from None
    except ParseError as exc:
        line, column = exc.position
        raise MalformedCertificate(f"not well-formed XML at line {line}, column {column}") from None
    except (LookupError, ValueError) as exc:
        # The XML declaration names an encoding the parser cannot read (UTF-7, UTF-32, ...).
        raise MalformedCertificate(
            f"the certificate declares an encoding this node cannot read ({exc}); send it as UTF-8"
        ) from None
    return root


def parse(data: bytes) -> Certificate:
    """The certificate in ``data``, or :class:`MalformedCertificate`."""
    root = _xml(data)
    if root.tag != f"{{{NS['c']}}}SPSCertificate":
        raise MalformedCertificate("not an UN/CEFACT SPSCertificate (version 17)")
    document = root.find("c:SPSExchangedDocument", NS)
    consignment = root.find("c:SPSConsignment", NS)
    if document is None or consignment is None:
        raise MalformedCertificate("SPSExchangedDocument or SPSConsignment is missing")
    number = _text(document, "r:ID")
    if not number:
        raise MalformedCertificate("the certificate has no number (SPSExchangedDocument/ID)")
    items = []
    for line in consignment.iterfind(".//r:IncludedSPSTradeLineItem", NS):
        hs = ""
        for classification in line.iterfind("r:ApplicableSPSClassification", NS):
            if _text(classification, "r:SystemName") == "HS":
                hs = re.sub(r"\D", "", _text(classification, "r:ClassCode"))
        weight = _text(line, "r:NetWeightMeasure")
        unit = line.find("r:NetWeightMeasure", NS)
        try:
            net = Decimal(weight) if weight else None
            if net is not None and unit is not None and unit.get("unitCode") == "TNE":
                net *= 1000
        except InvalidOperation:
            net = None
        items.append(
            CertificateItem(
                _text(line, "r:SequenceNumeric"),
                _text(line, "r:Description"),
                _text(line, "r:ScientificName"),
                hs,
                net,
                _text(line, "r:OriginSPSCountry/r:ID"),
            )
        )
    return Certificate(
        number=number,
        type_code=_text(document, "r:TypeCode"),
        status_code=_text(document, "r:StatusCode"),
        issued=_text(document, "r:IssueDateTime/u:DateTimeString"),
        issuer=_text(document, "r:IssuerSPSParty/r:Name"),
        consignor=_text(consignment, "r:ConsignorSPSParty/r:Name"),
        consignee=_text(consignment, "r:ConsigneeSPSParty/r:Name"),
        export_country=_text(consignment, "r:ExportSPSCountry/r:ID"),
        import_country=_text(consignment, "r:ImportSPSCountry/r:ID"),
        point_of_entry=_text(consignment, "r:UnloadingBaseportSPSLocation/r:ID"),
        items=items,
    )


def _issue_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None


def _same_name(a: str, b: str) -> bool:
    words = lambda s: set(re.findall(r"[a-z0-9]+", s.lower())) - {"co", "ltd", "the", "demo"}  # noqa: E731
    wa, wb = words(a), words(b)
    return bool(wa and wb) and (wa <= wb or wb <= wa or len(wa & wb) >= 2)


@dataclass(frozen=True)
class Mismatch:
    field: str
    certificate: str
    declaration: str

    def as_json(self) -> dict[str, str]:
        return {
            "field": self.field,
            "certificate": self.certificate,
            "declaration": self.declaration,
        }

    def __str__(self) -> str:
        return (
            f"{self.field}: the certificate says {self.certificate!r}, "
            f"the declaration {self.declaration!r}"
        )


def match(
    cert: Certificate, doc: DeclarationDocument, administration: str, today: dt.date
) -> list[Mismatch]:
    """What in the certificate does not match the declaration (empty: it matches)."""
    out: list[Mismatch] = []
    if cert.status_code == WITHDRAWN:
        out.append(Mismatch("status", "40 (withdrawn)", "a valid certificate"))
    elif cert.status_code != ISSUED:
        out.append(Mismatch("status", cert.status_code or "none", "70 (issued)"))
    issued = _issue_date(cert.issued)
    if issued is None:
        out.append(Mismatch("issue date", cert.issued or "none", "a date"))
    elif issued > today or (today - issued).days > MAX_AGE_DAYS:
        out.append(
            Mismatch("issue date", issued.isoformat(), f"within {MAX_AGE_DAYS} days before {today}")
        )
    if cert.type_code not in (PHYTO, REEXPORT):
        out.append(Mismatch("type", cert.type_code or "none", "851 or 657"))
    if not _same_name(cert.consignor, doc.exporter.name):
        out.append(Mismatch("consignor", cert.consignor, doc.exporter.name))
    consignee = doc.consignee.name if doc.consignee else doc.importer.name
    if not _same_name(cert.consignee, consignee):
        out.append(Mismatch("consignee", cert.consignee, consignee))
    if cert.import_country != administration:
        out.append(Mismatch("import country", cert.import_country, administration))
    if cert.point_of_entry and cert.point_of_entry != doc.transport.discharge_place:
        out.append(Mismatch("point of entry", cert.point_of_entry, doc.transport.discharge_place))
    origins = {i.origin for i in doc.items} | {doc.transport.dispatch_country}
    if cert.export_country and cert.export_country not in origins:
        out.append(Mismatch("export country", cert.export_country, ", ".join(sorted(origins))))
    declared_hs = {i.hs_code[:6] for i in doc.items}
    for item in cert.items:
        if item.hs_code and item.hs_code[:6] not in declared_hs:
            out.append(
                Mismatch(f"item {item.seq} HS code", item.hs_code, ", ".join(sorted(declared_hs)))
            )
        if item.origin and item.origin not in origins:
            out.append(Mismatch(f"item {item.seq} origin", item.origin, ", ".join(sorted(origins))))
    certified = sum((i.net_kg for i in cert.items if i.net_kg is not None), Decimal(0))
    declared = sum(
        (i.net_mass_kg for i in doc.items if i.hs_code[:6] in {c.hs_code[:6] for c in cert.items}),
        Decimal(0),
    )
    if certified and declared and abs(certified - declared) > declared * Decimal("0.1"):
        out.append(Mismatch("net mass (kg)", format(certified, "f"), format(declared, "f")))
    return out
