"""A use case is one transaction: a crash in any handler leaves nothing half-written.

Each test registers a handler that raises on one event, runs a use case that
raises that event, and checks that neither the change, nor the other
handlers' writes, nor the journal kept anything.
"""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from silkgate.declarations.commands import PaymentBody
from silkgate.declarations.events import Released
from silkgate.inspection.commands import CheckResult
from silkgate.inspection.events import CheckRecorded, InspectionCompleted
from silkgate.kernel.commands import parse
from silkgate.kernel.events import Event
from tests.integration.conftest import auth


class Injected(RuntimeError):
    """The crash a test injects between two steps of a use case."""


@contextlib.contextmanager
def crash_on(node, event_type: type[Event]) -> Iterator[None]:
    def crash(event, uow) -> None:
        raise Injected(f"crash after {type(event).__name__}")

    node.bus.subscribe(event_type, crash)
    try:
        yield
    finally:
        node.bus.unsubscribe(event_type, crash)


def _journal(client, officer, mrn) -> list[str]:
    return [
        e["event"]
        for e in client.get(f"/v1/declarations/{mrn}/journal", headers=officer).json()["items"]
    ]


def test_a_crash_while_releasing_on_payment_keeps_neither_payment_nor_release(
    client, tokens, node, declaration
):
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
    mrn, officer = r.json()["mrn"], auth(tokens["officer.li"])
    account = client.get(f"/v1/declarations/{mrn}/payments", headers=officer).json()
    if r.json()["channel"] != "green" or account["due"] == "0.00":
        pytest.skip("the example is not green with duties on this node")
    journal_before = _journal(client, officer, mrn)
    li = node.tokens.resolve(tokens["officer.li"])
    with crash_on(node, Released), pytest.raises(Injected):
        node.declarations.record_payment(
            li, mrn, PaymentBody(
                kind="payment", amount=Decimal(account["due"]),
                currency=account["currency"], reference="BANK-CRASH",
            ),
        )  # fmt: skip
    after = client.get(f"/v1/declarations/{mrn}/payments", headers=officer).json()
    assert after["status"] == "lodged" and after["paid"] == "0.00" and after["payments"] == []
    assert _journal(client, officer, mrn) == journal_before


def _red_with_task(client, tokens, declaration) -> tuple[str, dict, str]:
    exporter = f"Exporter {uuid.uuid4().hex[:8]} (test)"
    analyst = auth(tokens["analyst.zhao"])
    name = f"uow-{exporter}"
    client.post(
        "/v1/risk/profiles",
        json={"name": name, "condition": f'declaration.exporter == "{exporter}"', "effect": "red"},
        headers=analyst,
    )
    doc = copy.deepcopy(declaration)
    doc["exporter"]["name"] = exporter
    r = client.post("/v1/declarations", json=doc, headers=auth(tokens["acme-trading"]))
    assert r.status_code == 201 and r.json()["channel"] == "red", r.text
    client.delete(f"/v1/risk/profiles/{name}", headers=analyst)
    mrn = r.json()["mrn"]
    task = client.get(f"/v1/declarations/{mrn}", headers=auth(tokens["officer.li"])).json()
    return mrn, task["inspection"], name


def test_a_crash_after_a_correction_keeps_neither_the_new_version_nor_the_result(
    client, tokens, node, declaration
):
    mrn, task, _ = _red_with_task(client, tokens, declaration)
    officer = auth(tokens["officer.li"])
    value = next(c for c in task["checks"] if c["check"] == "value")
    before = client.get(f"/v1/declarations/{mrn}", headers=officer).json()
    li = node.tokens.resolve(tokens["officer.li"])
    finding = {
        "kind": "value",
        "item": 1,
        "note": "invoice found in the container",
        "corrected": {"value": str(Decimal(before["document"]["items"][0]["value"]) * 2)},
    }
    with crash_on(node, CheckRecorded), pytest.raises(Injected):
        node.inspections.record(
            li,
            task["id"],
            value["seq"],
            parse(CheckResult, {"status": "non_compliant", "finding": finding}),
        )
    after = client.get(f"/v1/declarations/{mrn}", headers=officer).json()
    assert after["version"] == before["version"] == 1
    assert after["assessment"] == before["assessment"]
    check = next(c for c in after["inspection"]["checks"] if c["seq"] == value["seq"])
    assert check["status"] == "open" and after["inspection"]["started_at"] is None
    assert "corrected" not in _journal(client, officer, mrn)
    # Without the crash, the correction and the result are kept together.
    r = client.post(
        f"/v1/inspections/{task['id']}/checks/{value['seq']}",
        json={"status": "non_compliant", "finding": finding},
        headers=officer,
    )
    assert r.status_code == 200, r.text
    assert client.get(f"/v1/declarations/{mrn}", headers=officer).json()["version"] == 2


def test_a_crash_in_the_outcome_handler_leaves_the_inspection_open(
    client, tokens, node, declaration
):
    mrn, task, _ = _red_with_task(client, tokens, declaration)
    officer = auth(tokens["officer.li"])
    for check in task["checks"]:
        who = auth(tokens["inspector.chen" if check["service"] == "sps" else "officer.li"])
        r = client.post(
            f"/v1/inspections/{task['id']}/checks/{check['seq']}",
            json={"status": "compliant"},
            headers=who,
        )
        assert r.status_code == 200, r.text
    li = node.tokens.resolve(tokens["officer.li"])
    with crash_on(node, InspectionCompleted), pytest.raises(Injected):
        node.inspections.complete(li, task["id"])
    d = client.get(f"/v1/declarations/{mrn}", headers=officer).json()
    assert d["inspection"]["status"] == "open"
    events = _journal(client, officer, mrn)
    assert "inspected" not in events and "outcome" not in events
    # Completed without the crash: the outcome is recorded in the same transaction.
    r = client.post(f"/v1/inspections/{task['id']}/complete", headers=officer)
    assert r.status_code == 200 and r.json()["status"] == "completed"
    events = _journal(client, officer, mrn)
    assert events[-2:] == ["inspected", "outcome"]
