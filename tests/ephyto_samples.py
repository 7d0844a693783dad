"""ePhyto certificates for tests: the public sample (MIT, see data/), and one made to match."""

from __future__ import annotations

from pathlib import Path

SAMPLE = (Path(__file__).parent / "data" / "ephyto-sample.xml").read_bytes()

_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<c:SPSCertificate xmlns:c="urn:un:unece:uncefact:data:standard:SPSCertificate:17"
    xmlns:r="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
    xmlns:u="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21">
  <c:SPSExchangedDocument>
    <r:ID>{number}</r:ID><r:TypeCode>851</r:TypeCode><r:StatusCode>{status}</r:StatusCode>
    <r:IssueDateTime><u:DateTimeString>{issued}T10:00:00+12:00</u:DateTimeString></r:IssueDateTime>
    <r:IssuerSPSParty><r:Name>Ministry for Primary Industries (test)</r:Name></r:IssuerSPSParty>
  </c:SPSExchangedDocument>
  <c:SPSConsignment>
    <r:ConsignorSPSParty><r:Name>{consignor}</r:Name></r:ConsignorSPSParty>
    <r:ConsigneeSPSParty><r:Name>{consignee}</r:Name></r:ConsigneeSPSParty>
    <r:ExportSPSCountry><r:ID>{origin}</r:ID></r:ExportSPSCountry>
    <r:ImportSPSCountry><r:ID>CN</r:ID></r:ImportSPSCountry>
    <r:UnloadingBaseportSPSLocation><r:ID>CNSGH</r:ID></r:UnloadingBaseportSPSLocation>
    <r:IncludedSPSConsignmentItem>
      <r:IncludedSPSTradeLineItem>
        <r:SequenceNumeric>1</r:SequenceNumeric>
        <r:Description>Painting on wooden panel</r:Description>
        <r:ScientificName>Pinus radiata</r:ScientificName>
        <r:NetWeightMeasure unitCode="KGM">{net}</r:NetWeightMeasure>
        <r:ApplicableSPSClassification><r:SystemName>HS</r:SystemName>
          <r:ClassCode>{hs}</r:ClassCode></r:ApplicableSPSClassification>
        <r:OriginSPSCountry><r:ID>{origin}</r:ID></r:OriginSPSCountry>
      </r:IncludedSPSTradeLineItem>
    </r:IncludedSPSConsignmentItem>
  </c:SPSConsignment>
</c:SPSCertificate>
"""


def certificate(
    *,
    consignor: str,
    consignee: str,
    status: str = "70",
    origin: str = "NZ",
    hs: str = "97012100",
    net: str = "2700",
    number: str = "NZ2026-0001",
) -> bytes:
    import datetime as dt

    return _TEMPLATE.format(
        issued=(dt.date.today() - dt.timedelta(days=5)).isoformat(),
        number=number,
        status=status,
        consignor=consignor,
        consignee=consignee,
        origin=origin,
        hs=hs,
        net=net,
    ).encode()
