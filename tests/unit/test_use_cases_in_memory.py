"""The decisions and payments use cases on the in-memory store: the rules, without a database.

Each test runs the real services (``declarations/services/decisions.py``,
``payments.py``) over the fake unit of work of ``tests/fakes.py`` and reads
back what was committed: statuses, payments, the journal's notes. The same
use cases on SQLite and PostgreSQL are ``tests/integration/test_use_cases.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from silkgate.declarations import events as ev
from silkgate.declarations.commands import Decision, PaymentBody
from silkgate.declarations.services.context import Context
from silkgate.declarations.services.decisions import Decisions
from silkgate.declarations.services.payments import Payments
from silkgate.declarations.states import Action, IllegalTransition
from silkgate.declarations.validation import CodeLists
from silkgate.kernel.actors import SYSTEM, Principal, Role
from silkgate.kernel.clock import ManualClock
from silkgate.kernel.errors import Conflict, Forbidden, InvalidRequest, NotFound, Unpaid
from silkgate.kernel.events import JournalNote, MessageBus, Noted
from tests.fakes import LODGED_AT, InMemoryStore

TRADER = "CN9111000012345678"
OFFICER = Principal(1, "officer.li", Role.OFFICER, None)
DECLARANT = Principal(2, "acme-trading", Role.DECLARANT, TRADER)
OTHER_DECLARANT = Principal(3, "other-trading", Role.DECLARANT, "CN9111000087654321")
ANALYST = Principal(4, "analyst.zhao", Role.ANALYST, None)
CODES = CodeLists(
    administration="CN", hs_subheadings=frozenset(), countries=frozenset(),
    currencies={"CNY": 2, "USD": 2}, units=frozenset(), package_types=frozenset(),
    locations=frozenset(), offices=frozenset({"CNSHA"}),
)  # fmt: skip


class Gate:
    """A release gate that holds the goods with ``reason`` (None: lets them go)."""

    def __init__(self, reason: str | None) -> None:
        self.reason = reason
        self.asked: list[tuple[object, int]] = []  # (unit of work, declaration id)

    def blocks_release(self, uow, declaration_id: int) -> str | None:
        self.asked.append((uow, declaration_id))
        return self.reason


class Node:
    """The two use cases over one in-memory store, as the bootstrap would wire them."""

    def __init__(self, *gates: Gate) -> None:
        self.bus = MessageBus()
        self.store = InMemoryStore(self.bus)
        self.clock = ManualClock(LODGED_AT)
        ctx = Context(
            engine=None,  # writing through the unit of work, these use cases read no engine
            unit_of_work=self.store.unit_of_work,
            codes=CODES,
            tariff=None,  # and assess nothing
            currency="CNY",
            minor_unit=2,
            clock=self.clock,
            gates=gates,
        )
        self.decisions = Decisions(ctx)
        self.payments = Payments(ctx)

    def act(self, who: Principal, mrn: str, action: Action, reason: str | None = None) -> dict:
        return self.decisions.act(who, mrn, action, Decision(reason=reason))

    def pay(self, mrn: str, amount: str, kind: str = "payment", currency: str = "CNY") -> dict:
        body = PaymentBody(kind=kind, amount=Decimal(amount), currency=currency, reference="B-1")
        return self.payments.record_payment(OFFICER, mrn, body)

    def status(self, mrn: str) -> str:
        return self.store.declaration(mrn).status

    def journal(self) -> list[str]:
        return [n.event for n in self.store.journal]


@pytest.fixture
def node() -> Node:
    return Node()


def test_release_is_refused_while_duties_and_taxes_are_unsecured(node):
    d = node.store.add_declaration(status="under_control", channel="red", assessed="120.50")
    for action in (Action.RELEASE, Action.CONDITIONAL_RELEASE):
        with pytest.raises(Unpaid, match=r"120\.50 CNY are neither paid nor guaranteed"):
            node.act(OFFICER, d.mrn, action, "the goods may go")
    node.pay(d.mrn, "100")
    with pytest.raises(Unpaid, match=r"20\.50 CNY"):
        node.act(OFFICER, d.mrn, Action.RELEASE)
    assert node.status(d.mrn) == "under_control"
    assert node.journal() == ["payment"]  # the refusals left nothing


def test_an_officer_releases_once_the_duties_are_paid(node):
    d = node.store.add_declaration(status="under_control", channel="red", assessed="120.50")
    paid = node.pay(d.mrn, "120.50")
    # Goods under control are not released by their payment: the officer decides.
    assert paid["status"] == "under_control" and paid["unsecured"] == "0.00"
    later = node.clock.advance(dt.timedelta(minutes=5))
    released = node.act(OFFICER, d.mrn, Action.RELEASE, "in order")
    assert released["status"] == "released" == node.status(d.mrn)
    assert node.journal() == ["payment", "release"]
    release = node.store.journal[-1]
    assert release == JournalNote(
        later, "officer.li", "release", d.id, d.mrn, 1,
        "under_control", "released", "in order",
    )  # fmt: skip
    assert node.store.declaration(d.mrn).updated_at == later


def test_a_guarantee_secures_release_without_paying(node):
    d = node.store.add_declaration(status="under_control", channel="yellow", assessed="60")
    account = node.pay(d.mrn, "60", kind="guarantee")
    assert (account["paid"], account["guaranteed"], account["due"]) == ("0.00", "60.00", "60.00")
    released = node.act(OFFICER, d.mrn, Action.CONDITIONAL_RELEASE, "lab sample taken")
    assert released["status"] == "conditionally_released"
    assert node.journal() == ["guarantee", "conditional_release"]


def test_a_green_declaration_is_released_by_the_payment_that_secures_it(node):
    d = node.store.add_declaration(status="lodged", channel="green", assessed="80")
    part = node.pay(d.mrn, "30")
    assert part["status"] == "lodged" and part["unsecured"] == "50.00"
    whole = node.pay(d.mrn, "50")
    assert whole["status"] == "released" == node.status(d.mrn)
    # One unit of work: the payment's event, then the release it allowed.
    assert [type(e) for e in node.store.opened[-1].events] == [ev.PaymentRecorded, ev.Released]
    assert node.journal() == ["payment", "payment", "release"]
    release = node.store.journal[-1]
    assert release.actor == SYSTEM
    assert (release.from_status, release.to_status) == ("lodged", "released")
    assert release.reason == "green channel, duties and taxes paid or guaranteed"
    assert [p.amount for p in node.store.payments(d.mrn)] == [Decimal(30), Decimal(50)]


def test_a_payment_does_not_release_goods_selected_for_control(node):
    d = node.store.add_declaration(status="under_control", channel="yellow", assessed="80")
    assert node.pay(d.mrn, "80")["status"] == "under_control"
    assert node.journal() == ["payment"]


def test_a_gate_holds_release_but_not_a_conditional_release():
    gate = Gate("the joint inspection (task 9) is not complete")
    node = Node(Gate(None), gate)
    d = node.store.add_declaration(status="under_control", channel="red", assessed="0")
    with pytest.raises(Conflict, match=r"task 9\) is not complete"):
        node.act(OFFICER, d.mrn, Action.RELEASE)
    # Asked inside the releasing unit of work, which then kept nothing.
    assert gate.asked == [(node.store.opened[-1], d.id)]
    assert node.status(d.mrn) == "under_control" and node.journal() == []
    released = node.act(OFFICER, d.mrn, Action.CONDITIONAL_RELEASE, "inspect at the warehouse")
    assert released["status"] == "conditionally_released"
    assert len(gate.asked) == 1  # not asked for a conditional release
    gate.reason = None
    assert node.act(OFFICER, d.mrn, Action.RELEASE)["status"] == "released"


def test_a_gate_is_asked_before_the_duties():
    node = Node(Gate("held by the quarantine service"))
    d = node.store.add_declaration(status="under_control", channel="red", assessed="10")
    with pytest.raises(Conflict, match="quarantine"):
        node.act(OFFICER, d.mrn, Action.RELEASE)


@pytest.mark.parametrize(
    "action",
    [Action.CONTROL, Action.HOLD, Action.RELEASE, Action.CONDITIONAL_RELEASE, Action.REJECT],
)
def test_officers_actions_are_refused_to_the_declarant(node, action):
    d = node.store.add_declaration(status="lodged", channel="green", assessed="0")
    with pytest.raises(Forbidden, match="only customs officers"):
        node.act(DECLARANT, d.mrn, action, "because")
    assert node.status(d.mrn) == "lodged" and node.journal() == []


def test_the_declarant_cancels_its_own_declaration_and_no_one_elses(node):
    mine = node.store.add_declaration(assessed="10")
    theirs = node.store.add_declaration(assessed="10", declarant_id="CN9111000087654321")
    # Another declarant's declaration is not found, as if it did not exist.
    with pytest.raises(NotFound, match=f"no declaration {theirs.mrn}"):
        node.act(DECLARANT, theirs.mrn, Action.CANCEL, "duplicate")
    with pytest.raises(Forbidden, match="analyst may not cancel"):
        node.act(ANALYST, mine.mrn, Action.CANCEL, "duplicate")
    with pytest.raises(Forbidden, match="recorded by customs staff"):
        node.payments.record_payment(
            DECLARANT,
            mine.mrn,
            PaymentBody(kind="payment", amount=Decimal(10), currency="CNY", reference="B-1"),
        )
    assert node.act(DECLARANT, mine.mrn, Action.CANCEL, "duplicate")["status"] == "cancelled"
    assert node.status(theirs.mrn) == "lodged"
    assert node.journal() == ["cancel"]
    with pytest.raises(Conflict, match="cancelled: nothing is due"):
        node.pay(mine.mrn, "10")
    with pytest.raises(NotFound):
        node.act(OFFICER, "26CNSHA99999999999", Action.CONTROL)


@pytest.mark.parametrize(
    "action",
    [
        Action.HOLD,
        Action.CONDITIONAL_RELEASE,
        Action.REJECT,
        Action.CANCEL,
        Action.SEIZE,
        Action.DESTROY,
    ],
)
def test_a_reason_is_required(node, action):
    d = node.store.add_declaration(status="under_control", channel="red")
    for blank in (None, "   "):
        with pytest.raises(InvalidRequest) as refused:
            node.act(OFFICER, d.mrn, action, blank)
        [error] = refused.value.errors
        assert (error.pointer, error.code) == ("/reason", "missing")
    assert node.store.opened == []  # refused before any unit of work
    assert node.status(d.mrn) == "under_control"


def test_a_payment_is_in_the_national_currency_and_at_most_what_is_due(node):
    d = node.store.add_declaration(status="lodged", channel="green", assessed="80")
    with pytest.raises(InvalidRequest) as refused:
        node.pay(d.mrn, "10.005", currency="USD")
    assert [e.pointer for e in refused.value.errors] == ["/currency", "/amount"]
    with pytest.raises(InvalidRequest) as refused:
        node.pay(d.mrn, "80.01")
    assert [(e.pointer, e.code) for e in refused.value.errors] == [
        ("/amount", "exceeds_amount_due")
    ]
    node.pay(d.mrn, "30", kind="guarantee")
    with pytest.raises(InvalidRequest) as refused:
        node.pay(d.mrn, "50.01", kind="guarantee")  # 30 of the 80 are guaranteed already
    assert refused.value.errors[0].code == "exceeds_amount_due"
    assert [p.kind for p in node.store.payments(d.mrn)] == ["guarantee"]
    assert node.status(d.mrn) == "lodged"


def test_decisions_follow_the_transition_table(node):
    d = node.store.add_declaration(status="lodged", channel="green", assessed="0")
    node.act(OFFICER, d.mrn, Action.CONTROL)
    node.act(OFFICER, d.mrn, Action.HOLD, "check the certificate of origin")
    with pytest.raises(IllegalTransition):
        node.act(OFFICER, d.mrn, Action.RELEASE)
    node.act(OFFICER, d.mrn, Action.RESUME)
    assert node.journal() == ["control", "hold", "resume"]
    moves = [(n.from_status, n.to_status, n.reason) for n in node.store.journal]
    assert moves == [
        ("lodged", "under_control", None),
        ("under_control", "held", "check the certificate of origin"),
        ("held", "under_control", None),
    ]


def test_handlers_run_in_the_unit_of_work_and_their_events_are_journaled_after(node):
    def note_outbox(event: ev.Released, uow) -> None:
        assert uow.declarations.get(event.mrn).status == "released"  # the change is visible
        uow.collect(Noted.of(dataclasses.replace(event.note(), event="outbox")))

    node.bus.subscribe(ev.Released, note_outbox)
    d = node.store.add_declaration(status="lodged", channel="green", assessed="15")
    node.pay(d.mrn, "15")
    assert node.journal() == ["payment", "release", "outbox"]
    assert [type(e).__name__ for e in node.store.opened[-1].events] == [
        "PaymentRecorded",
        "Released",
        "Noted",
    ]


class Crash(RuntimeError):
    pass


def _crash(event, uow) -> None:
    uow.collect(Noted.of(event.note()))  # raised by the handler, dropped with the rest
    raise Crash(type(event).__name__)


def test_a_handler_that_raises_rolls_the_payment_and_the_release_back(node):
    d = node.store.add_declaration(status="lodged", channel="green", assessed="15")
    node.bus.subscribe(ev.Released, _crash)
    with pytest.raises(Crash):
        node.pay(d.mrn, "15")
    assert node.status(d.mrn) == "lodged"
    assert node.store.payments(d.mrn) == [] and node.journal() == []
    assert not node.store.opened[-1].committed
    node.bus.unsubscribe(ev.Released, _crash)
    assert node.pay(d.mrn, "15")["status"] == "released"
    assert node.journal() == ["payment", "release"]


def test_a_handler_that_raises_rolls_an_officers_decision_back(node):
    d = node.store.add_declaration(status="under_control", channel="red", assessed="0")
    node.bus.subscribe(ev.Decided, _crash)
    with pytest.raises(Crash):
        node.act(OFFICER, d.mrn, Action.HOLD, "wait for the laboratory")
    assert node.status(d.mrn) == "under_control" and node.journal() == []
