"""ePhyto certificates: read safely, matched with the declaration."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from silkgate.declarations.document import DeclarationDocument
from silkgate.sps import ephyto
from tests.conftest import load_example
from tests.ephyto_samples import SAMPLE, certificate

TODAY = dt.date.today()


def painting() -> DeclarationDocument:
    raw = copy.deepcopy(load_example())
    raw["items"][1].update(hs_code="97012100", origin="NZ", description="Painting on wood")
    return DeclarationDocument.model_validate(raw)


def test_the_public_sample_is_read():
    cert = ephyto.parse(SAMPLE)
    assert (cert.number, cert.type_code, cert.status_code) == ("123ABC", "851", "70")
    assert cert.consignor == "Juan Perez" and cert.export_country == "AR"
    assert cert.items[0].hs_code == "06029048" and cert.items[0].scientific_name == "Ribes"


def test_a_matching_certificate_has_no_mismatch():
    doc = painting()
    cert = ephyto.parse(certificate(consignor=doc.exporter.name, consignee=doc.importer.name))
    assert ephyto.match(cert, doc, "CN", TODAY) == []


def test_a_withdrawn_or_tampered_certificate_lists_each_mismatch():
    doc = painting()
    cert = ephyto.parse(
        certificate(
            consignor=doc.exporter.name,
            consignee="Someone Else Ltd",
            status="40",
            hs="06029048",
            net="90000",
        )
    )
    fields = [m.field for m in ephyto.match(cert, doc, "CN", TODAY)]
    assert fields == ["status", "consignee", "item 1 HS code"]
    cert = ephyto.parse(
        certificate(consignor=doc.exporter.name, consignee=doc.importer.name, net="90000")
    )
    assert [m.field for m in ephyto.match(cert, doc, "CN", TODAY)] == ["net mass (kg)"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<c:SPSCertificate", "not well-formed XML at line 1"),
        (b"<?xml version='1.0'?><x/>", "not an UN/CEFACT SPSCertificate"),
        (
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">'
            b'<!ENTITY b "&a;&a;&a;">]><l>&b;</l>',
            "refused",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "refused",
        ),
        (b" " * (ephyto.MAX_BYTES + 1), "larger than"),
        (b'<?xml version="1.0" encoding="UTF-7"?><x/>', "send it as UTF-8"),
        (b'<?xml version="1.0" encoding="UTF-32"?><x/>', "send it as UTF-8"),
        (b'<?xml version="1.0" encoding="x-unknown"?><x/>', "send it as UTF-8"),
        (
            certificate(consignor="Juan \u202ePerez", consignee="Acme"),
            "ConsignorSPSParty/Name contains U+202E",
        ),
    ],
)
def test_malformed_or_dangerous_xml_is_refused(data, message):
    with pytest.raises(ephyto.MalformedCertificate) as exc:
        ephyto.parse(data)
    assert message in str(exc.value)
