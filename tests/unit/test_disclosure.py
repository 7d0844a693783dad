"""What each role is shown of a declaration's journal (``declarations/disclosure.py``)."""

from __future__ import annotations

import pytest

from silkgate.declarations.disclosure import journal_view
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.events import public_part, with_note

CHANNEL = "red: red forced by profile fruit-vn; score 71.0 (model 0.91)"
OUTCOME = "fraud found, 900.00 recovered: undervalued"
CHECK = with_note("customs value: non_compliant", "price list shows 12,000 USD (see scan)")
CORRECTED = with_note("item 2: value 12000.00", "inspection finding: value (price list)")


def _principal(role: Role) -> Principal:
    return Principal(1, role.value, role, "91310115MA1K4DEMO1" if role is Role.DECLARANT else None)


def test_a_note_rides_after_the_public_part():
    assert CHECK == "customs value: non_compliant (price list shows 12,000 USD (see scan))"
    assert public_part(CHECK) == "customs value: non_compliant"
    assert with_note("customs documents: compliant", None) == "customs documents: compliant"


def test_a_declarant_reads_what_happened_not_why():
    view = journal_view(_principal(Role.DECLARANT))
    assert view.reason("channel", CHANNEL) == "red"
    assert view.reason("outcome", OUTCOME) is None
    assert view.reason("inspection_check", CHECK) == "customs value: non_compliant"
    assert view.reason("corrected", CORRECTED) == "item 2: value 12000.00"
    assert view.reason("hold", "documents missing") == "documents missing"
    assert not view.shows("advance_data") and not view.shows("partner_result")
    # A correction's version, in today's form and in the form written before notes were set apart.
    for reason in ("inspection finding: value (price list)", "inspection finding: price list"):
        assert view.version_reason("corrected", reason) == "inspection finding"
    assert view.version_reason("amended", "new invoice (see mail)") == "new invoice (see mail)"


def test_an_sps_inspector_reads_the_findings_but_no_risk_intelligence():
    view = journal_view(_principal(Role.SPS_INSPECTOR))
    assert view.reason("channel", CHANNEL) == "red"
    assert view.reason("outcome", OUTCOME) is None
    assert view.reason("inspection_check", CHECK) == CHECK
    assert not view.shows("advance_data") and view.shows("partner_result")


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN, Role.ANALYST])
def test_customs_and_analysts_read_everything(role):
    view = journal_view(_principal(role))
    for event, reason in (("channel", CHANNEL), ("outcome", OUTCOME), ("corrected", CORRECTED)):
        assert view.shows(event) and view.reason(event, reason) == reason
    assert view.version_reason("corrected", "inspection finding: x") == "inspection finding: x"
