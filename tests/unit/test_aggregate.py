"""The declaration aggregate: transitions, the one release path, and the events it raises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from silkgate.declarations import events as ev
from silkgate.declarations.aggregate import (
    Declaration,
    DeclarationState,
    ReleaseFacts,
    Selection,
)
from silkgate.declarations.disclosure import channel_shown
from silkgate.declarations.states import Action, IllegalTransition, Status
from silkgate.kernel.errors import Conflict, Unpaid
from silkgate.kernel.events import MessageBus, notes
from tests.fakes import FakeUnitOfWork, InMemoryStore

AT = dt.datetime(2026, 6, 30, 8, 0, tzinfo=dt.UTC)


def draft(status: str = "lodged", channel: str | None = None) -> DeclarationState:
    return DeclarationState(
        id=7, mrn="26CNTEST000000001", type="IM", status=status, version=1, office="CNSHA",
        declarant_id="T1", lrn="L1", currency="USD", invoice_amount=Decimal("100"),
        item_count=1, arrival_date=None, lodged_at=AT, updated_at=AT, channel=channel,
    )  # fmt: skip


def lodge(channel: str | None, due: str = "10", quarantine: bool = False) -> Declaration:
    selection = None if channel is None else Selection(channel, ("why",), (), quarantine)
    return Declaration.lodge(
        draft(), actor="acme", at=AT, document=None, assessed="duties 10 CNY",
        total_due=Decimal(due), selection=selection,
    )  # fmt: skip


def names(d: Declaration) -> list[str]:
    return [n.event for n in notes(d.take_events())]


@pytest.mark.parametrize(
    ("channel", "due", "quarantine", "status", "journal"),
    [
        ("red", "10", False, Status.UNDER_CONTROL, ["lodged", "assessed", "channel"]),
        ("yellow", "0", False, Status.UNDER_CONTROL, ["lodged", "assessed", "channel"]),
        ("green", "10", True, Status.UNDER_CONTROL, ["lodged", "assessed", "channel"]),
        ("green", "10", False, Status.LODGED, ["lodged", "assessed", "channel"]),
        ("blue", "0", False, Status.RELEASED, ["lodged", "assessed", "channel", "release"]),
        (None, "0", False, Status.LODGED, ["lodged", "assessed"]),
    ],
)
def test_selectivity_routes_a_new_declaration(channel, due, quarantine, status, journal):
    d = lodge(channel, due, quarantine)
    assert d.status is status and d.channel == channel
    assert names(d) == journal


def test_events_are_bound_to_the_stored_declaration():
    d = lodge("red")
    d.stored(DeclarationState(**{**draft("under_control", "red").__dict__, "id": 42}))
    events = d.take_events()
    assert all(isinstance(e, ev.DeclarationEvent) and e.declaration_id == 42 for e in events)
    channel = next(e for e in events if isinstance(e, ev.ChannelAssigned))
    assert (channel.from_status, channel.to_status) == ("lodged", "under_control")
    assert d.take_events() == []  # taken once


def test_release_needs_the_duties_secured_and_nothing_blocking():
    d = Declaration(draft("under_control", "red"))
    with pytest.raises(Unpaid, match=r"12\.50 CNY"):
        d.decide(Action.RELEASE, at=AT, actor="li", reason=None,
                 facts=ReleaseFacts(Decimal("12.50"), "CNY"))  # fmt: skip
    with pytest.raises(Conflict, match="not complete"):
        d.decide(Action.RELEASE, at=AT, actor="li", reason=None,
                 facts=ReleaseFacts(Decimal(0), "CNY", "inspection not complete"))  # fmt: skip
    assert d.status is Status.UNDER_CONTROL and d.take_events() == []
    d.decide(Action.RELEASE, at=AT, actor="li", reason="ok", facts=ReleaseFacts(Decimal(0), "CNY"))
    [released] = d.take_events()
    assert isinstance(released, ev.Released) and released.actor == "li"
    assert d.status is Status.RELEASED and d.changed


def test_the_transition_table_is_checked_first():
    d = Declaration(draft("held", "red"))
    with pytest.raises(IllegalTransition, match="lift the hold"):
        d.decide(Action.RELEASE, at=AT, actor="li", reason=None,
                 facts=ReleaseFacts(Decimal(99), "CNY"))  # fmt: skip
    d = Declaration(draft("released", "green"))
    with pytest.raises(IllegalTransition):
        d.decide(Action.CANCEL, at=AT, actor="acme", reason="oops")


def test_payment_releases_green_goods_once_secured_and_not_yellow_ones():
    green = Declaration(draft("lodged", "green"))
    green.settle(Decimal("0.01"), AT)
    assert green.status is Status.LODGED
    green.settle(Decimal(0), AT)
    assert green.status is Status.RELEASED
    [released] = green.take_events()
    assert released.note().reason == "green channel, duties and taxes paid or guaranteed"
    yellow = Declaration(draft("under_control", "yellow"))
    yellow.settle(Decimal(0), AT)
    assert yellow.status is Status.UNDER_CONTROL and not yellow.changed


def test_an_amendment_keeps_the_stricter_channel():
    d = Declaration(draft("under_control", "red"))
    d.amend(at=AT, actor="acme", reason="typo", document=None)
    assert d.status is Status.LODGED and d.version == 2
    d.select(Selection("green", ("no risk found",)), AT, kept="red")
    assert d.channel == "red" and d.status is Status.UNDER_CONTROL
    events = d.take_events()
    assert events[-1].note().reason.startswith("red (kept from before the amendment; now green)")


def test_a_signal_escalates_goods_not_yet_released():
    d = Declaration(draft("lodged", "green"))
    d.escalate("yellow", "advance data differs", AT)
    assert (d.status, d.channel) == (Status.UNDER_CONTROL, "yellow")
    assert names(d) == ["channel"]
    d = Declaration(draft("under_control", "red"))
    d.escalate("yellow", "advance data differs", AT)
    assert d.channel == "red"
    assert names(d) == []  # planned for, not journaled twice
    d = Declaration(draft("released", "green"))
    d.escalate("yellow", "too late", AT)
    assert not d.changed and d.take_events() == []


def test_handlers_react_to_events_and_their_reactions_are_settled_too():
    bus = MessageBus()
    seen: list[str] = []

    def plan(event: ev.ChannelAssigned, uow: FakeUnitOfWork) -> None:
        seen.append(f"plan {event.channel}")
        uow.collect(ev.Decided(**{**_common(event), "action": "hold"}))

    bus.subscribe(ev.ChannelAssigned, plan)
    bus.subscribe(ev.DeclarationEvent, lambda e, uow: seen.append(type(e).__name__))
    store = InMemoryStore(bus)
    d = lodge("red")
    with store.unit_of_work() as uow:
        uow.collect(*d.take_events())
    assert seen == ["Lodged", "Assessed", "plan red", "ChannelAssigned", "Decided"]
    assert [n.event for n in notes(uow.events)] == ["lodged", "assessed", "channel", "hold"]
    assert store.journal == notes(uow.events)


def _common(event: ev.DeclarationEvent) -> dict:
    keys = ("at", "actor", "declaration_id", "mrn", "version", "type", "office")
    return {k: getattr(event, k) for k in keys}


PHYTO = {"item": 1, "hs_prefix": "08", "origin": None, "control": "phyto_certificate",
         "document": "N851", "description": "Fresh fruit: phytosanitary certificate"}  # fmt: skip
TREATMENT = {"item": 1, "hs_prefix": "0810", "origin": "VN", "control": "treatment",
             "document": None, "description": "Fruit fly treatment"}  # fmt: skip


def test_a_quarantine_hold_says_which_sps_requirements_hold_the_goods():
    selection = Selection(
        "green", ("SPS requirement, item 1: ...", "score 12"), (PHYTO, TREATMENT), True
    )
    d = lodge("green", quarantine=True)
    d.select(selection, AT)
    channel = [n for n in notes(d.take_events()) if n.event == "channel"][-1]
    held = (
        "held for quarantine inspection (SPS requirements item 1 phyto certificate N851 (HS 08), "
        "item 1 treatment (HS 0810 from VN))"
    )
    assert channel.reason == f"green; {held}: SPS requirement, item 1: ...; score 12"
    # The trader reads the channel and the published requirements, not the risk behind them.
    assert channel_shown(channel.reason) == f"green; {held}"


@pytest.mark.parametrize(
    ("reason", "public"),
    [
        ("red: profile ivory matched; score 80", "red"),
        ("yellow (kept from before the amendment; now green): no risk found", "yellow"),
        (
            "green; held for quarantine inspection: quarantine inspection required by p1",
            "green; held for quarantine inspection",
        ),
        ("blue", "blue"),
    ],
)
def test_what_a_trader_reads_of_a_channel(reason, public):
    assert channel_shown(reason) == public
