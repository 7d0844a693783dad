"""The declaration use cases called directly, without HTTP: each is one unit of work.

These go through the services as the API, the console and the CLI do, on the
real database (SQLite or PostgreSQL), and read back what was committed.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from silkgate.declarations.commands import Decision, PaymentBody
from silkgate.declarations.states import Action, IllegalTransition
from silkgate.kernel.errors import Conflict, Forbidden, InvalidRequest, Unpaid


@pytest.fixture
def people(node, tokens):
    return {name: node.tokens.resolve(token) for name, token in tokens.items()}


def lodged(node, people, declaration) -> dict:
    summary, replayed = node.declarations.lodge(people["acme-trading"], declaration)
    assert not replayed
    return summary


def events(node, people, mrn) -> list[str]:
    return [e["event"] for e in node.declarations.timeline(people["officer.li"], mrn)]


def test_an_officers_decisions_and_the_one_release_path(node, people, declaration):
    d = lodged(node, people, declaration)
    li = people["officer.li"]
    mrn = d["mrn"]
    node.declarations.act(li, mrn, Action.CONTROL, Decision())
    with pytest.raises(InvalidRequest):
        node.declarations.act(li, mrn, Action.HOLD, Decision(reason="  "))
    node.declarations.act(li, mrn, Action.HOLD, Decision(reason="check Form E"))
    with pytest.raises(IllegalTransition):
        node.declarations.act(li, mrn, Action.RELEASE, Decision())
    node.declarations.act(li, mrn, Action.RESUME, Decision())
    due = Decimal(node.declarations.account(li, mrn)["due"])
    if due > 0:
        with pytest.raises(Unpaid):
            node.declarations.act(li, mrn, Action.RELEASE, Decision())
        payment = PaymentBody(kind="payment", amount=due, currency="CNY", reference="B-1")
        node.declarations.record_payment(li, mrn, payment)
    released = node.declarations.act(li, mrn, Action.RELEASE, Decision(reason="in order"))
    assert released["status"] == "released"
    assert events(node, people, mrn)[-1] == "release"
    assert "links" not in released  # links are the API's business


def test_a_declarant_may_cancel_but_not_decide(node, people, declaration):
    mrn = lodged(node, people, declaration)["mrn"]
    acme = people["acme-trading"]
    with pytest.raises(Forbidden):
        node.declarations.act(acme, mrn, Action.CONTROL, Decision())
    with pytest.raises(Forbidden):
        node.declarations.act(people["analyst.zhao"], mrn, Action.CANCEL, Decision(reason="x"))
    cancelled = node.declarations.act(acme, mrn, Action.CANCEL, Decision(reason="duplicate"))
    assert cancelled["status"] == "cancelled"
    with pytest.raises(Conflict):
        node.declarations.record_payment(
            people["officer.li"],
            mrn,
            PaymentBody(kind="payment", amount=Decimal(1), currency="CNY", reference="B-2"),
        )


def test_a_green_declaration_is_released_by_its_payment_in_the_same_unit_of_work(
    node, people, declaration
):
    d = lodged(node, people, declaration)
    li = people["officer.li"]
    account = node.declarations.account(li, d["mrn"])
    if d["channel"] != "green" or Decimal(account["due"]) <= 0:
        pytest.skip("the example is not green with duties on this node")
    paid = node.declarations.record_payment(
        li,
        d["mrn"],
        PaymentBody(kind="payment", amount=Decimal(account["due"]), currency="CNY", reference="B"),
    )
    assert paid["status"] == "released"
    assert events(node, people, d["mrn"])[-2:] == ["payment", "release"]
    [release] = [e for e in node.declarations.timeline(li, d["mrn"]) if e["event"] == "release"]
    assert release["actor"] == "silkgate" and release["to_status"] == "released"
