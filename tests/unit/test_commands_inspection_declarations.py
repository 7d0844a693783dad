"""The inspection's and the declaration's commands: each shape rule, with its pointer and code."""

from __future__ import annotations

import pytest

from silkgate.declarations.commands import Decision, PaymentBody
from silkgate.inspection.commands import Assignment, CheckResult, PartnerInspectionResult
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import InvalidRequest


def faults(model, raw) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRequest) as refused:
        parse(model, raw)
    return [(e.pointer, e.code) for e in refused.value.errors]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"status": "maybe"}, [("/status", "invalid")]),
        ({"status": "non_compliant"}, [("/finding", "missing")]),
        ({"status": "non_compliant", "finding": {}}, [("/finding", "missing")]),
        (
            {"status": "non_compliant", "finding": {"item": 1}},
            [("/finding/kind", "missing"), ("/finding/note", "missing")],
        ),
        (
            {"status": "compliant", "finding": {"kind": "value"}},
            [("/finding/kind", "inconsistent")],
        ),
        ({"status": "compliant", "finding": "fine"}, [("/finding", "invalid")]),
        (
            {
                "status": "non_compliant",
                "finding": {"kind": "documents", "note": "x", "corrected": {"value": "1"}},
            },
            [("/finding/corrected", "invalid")],
        ),
        (
            {"status": "non_compliant", "finding": {"kind": "value", "note": "x", "corrected": {}}},
            [("/finding/corrected", "invalid")],
        ),
        (
            {"status": "non_compliant", "finding": {"kind": "pest", "note": "larvae", "pest": {}}},
            [("/finding/pest/scientific_name", "missing")],
        ),
        ({"status": "compliant", "finding": {"note": "x" * 501}}, [("/finding/note", "invalid")]),
        ({"status": "compliant", "colour": "red"}, [("/colour", "unknown_field")]),
    ],
)
def test_a_check_result_names_each_fault(raw, expected):
    assert faults(CheckResult, raw) == expected


def test_a_check_result_keeps_the_finding_as_sent():
    finding = {"kind": "pest", "note": "larvae", "pest": {"scientific_name": "X", "stage": "larva"}}
    result = parse(CheckResult, {"status": "non_compliant", "finding": finding})
    assert result.finding_json() == finding
    assert parse(CheckResult, {"status": "compliant"}).finding_json() is None


def test_an_assignment_names_someone():
    assert faults(Assignment, {}) == [("", "invalid")]
    assert faults(Assignment, {"officer": ""}) == [("/officer", "invalid")]
    assert parse(Assignment, {"sps_inspector": "inspector.chen"}).named() == {
        "sps_inspector": "inspector.chen"
    }


def test_a_partner_result_has_its_shape():
    good = {
        "administration": "TH",
        "reference": " TH-1 ",
        "result": "compliant",
        "checks": ["pests"],
        "inspected_on": "2026-11-18",
    }
    assert parse(PartnerInspectionResult, good).as_json()["reference"] == "TH-1"
    assert parse(PartnerInspectionResult, good).as_json()["inspected_on"] == "2026-11-18"
    assert faults(PartnerInspectionResult, {**good, "checks": ["pests", "x"]}) == [
        ("/checks", "invalid")
    ]
    assert faults(PartnerInspectionResult, {**good, "reference": "  "}) == [
        ("/reference", "invalid")
    ]
    assert faults(PartnerInspectionResult, {**good, "administration": "thai"}) == [
        ("/administration", "invalid")
    ]


def test_a_decision_and_a_payment():
    assert parse(Decision, {"reason": "  "}).reason is None
    assert parse(Decision, {"reason": " pest found "}).reason == "pest found"
    good = {"kind": "payment", "amount": "10.00", "currency": "CNY", "reference": " P-1 "}
    assert parse(PaymentBody, good).reference == "P-1"
    assert faults(PaymentBody, {**good, "reference": "  "}) == [("/reference", "missing")]
    assert faults(PaymentBody, {**good, "kind": "cash"}) == [("/kind", "invalid")]
    assert faults(PaymentBody, {**good, "amount": "-5"}) == [("/amount", "invalid")]
