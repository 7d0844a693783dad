"""Partner LPCOs: a CITES export permit issued in the exporting partner, received over the
exchange, accepted by the CITES authority here, and checked and drawn at import.

The messages are applied as the inbox applies them (the receiver, in a
transaction); two real nodes exchange them in ``tests/e2e/test_lpco_pair.py``.
A database of its own, as ``test_lpco``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest

from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.declarations.validation import InvalidDeclaration
from silkgate.exchange import messages as m
from silkgate.exchange.envelope import Envelope
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Conflict, Forbidden, NotFound
from silkgate.lpco.commands import IssueLpco, LpcoDecision
from silkgate.node import Node
from silkgate.store import principals
from silkgate.store.db import reading, writing
from tests.conftest import SECRET, _postgres_database
from tests.lpco_helpers import licence, partner_permit, prepare_single_window, reptiles

CITES = Principal(0, "agency.cites", Role.AGENCY_OFFICER, "CITES")
CHEM = Principal(0, "agency.chem", Role.AGENCY_OFFICER, "CHEM")
OFFICER = Principal(0, "officer.li", Role.OFFICER, None)


@pytest.fixture(scope="module")
def sw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    base = os.environ.get("SILKGATE_TEST_DATABASE_URL")
    urls = _postgres_database(base) if base else None
    url = next(urls) if urls else f"sqlite:///{tmp_path_factory.mktemp('lpp') / 'lpp.db'}"
    settings = Settings(mode="test", database_url=url, secret_key=SECRET, exchange_dispatch=False)
    prepare_single_window(settings)
    n = open_node(settings)
    yield n
    n.close()
    if urls:
        next(urls, None)


def _receive(n: Node, payload: dict[str, Any], sender: str = "VN") -> dict[str, Any]:
    env = Envelope.new(m.PARTNER_LPCO, sender, "CN", payload["number"], payload, n.clock())
    with writing(n.engine) as conn:
        return n.lpco.partner.receive(conn, env, n.clock())


def _lodge(n: Node, doc: dict[str, Any]) -> dict[str, Any]:
    with reading(n.engine) as conn:
        acme = principals.find_principal(conn, "acme-trading")
    assert acme is not None
    result, _ = n.declarations.lodge(acme, doc)
    return result


def _decide(n: Node, who: Principal, number: str, action: str) -> dict[str, Any]:
    return n.lpco.register.decide(who, number, action, parse(LpcoDecision, {"reason": "seen"}))


def _codes(exc: InvalidDeclaration) -> list[str]:
    return [e.code for e in exc.errors]


def test_a_partner_permit_is_accepted_here_then_clears_an_import(sw):
    got = _receive(sw, partner_permit("CITES-2026-000101"))
    number = "VN-CITES-2026-000101"
    assert got == {"lpco": number, "status": "received", "acceptor": "CITES"}
    # Not yet accepted: the import citing it is refused (the requirement refuses).
    with pytest.raises(InvalidDeclaration) as caught:
        _lodge(sw, reptiles("12", number))
    assert _codes(caught.value) == ["lpco_not_accepted"]
    # Only the agency the requirements name accepts it (another does not see it); the
    # partner's LPCO changes only by its messages.
    with pytest.raises(NotFound):
        _decide(sw, CHEM, number, "accept")
    with pytest.raises(Forbidden):
        _decide(sw, CITES, number, "revoke")
    shown = _decide(sw, CITES, number, "accept")
    assert (shown["status"], shown["administration"], shown["balance"]) == ("issued", "VN", "20")
    with pytest.raises(Conflict):
        _decide(sw, CITES, number, "accept")
    lodged = _lodge(sw, reptiles("12", number))
    assert lodged["status"] == "under_control"  # CITES examines the specimens
    assert sw.lpco.register.get(CITES, number)["balance"] == "8"
    # The permit is the exporter's, for this importer: a declaration naming others is refused.
    with pytest.raises(InvalidDeclaration) as caught:
        _lodge(sw, reptiles("2", number, exporter="0399999999"))
    assert _codes(caught.value) == ["lpco_holder"]
    with pytest.raises(InvalidDeclaration) as caught:
        _lodge(sw, reptiles("9", number))
    assert _codes(caught.value) == ["lpco_balance"]


def test_the_partners_revocation_puts_the_import_under_control(sw):
    number = "VN-CITES-2026-000102"
    _receive(sw, partner_permit("CITES-2026-000102"))
    _decide(sw, CITES, number, "accept")
    lodged = _lodge(sw, reptiles("5", number))
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)).isoformat()
    got = _receive(sw, partner_permit("CITES-2026-000102", status="revoked", changed_at=later))
    assert got["status"] == "revoked"
    gate = sw.lpco.check.blocks_release
    with sw.declarations.ctx.unit_of_work() as uow:
        from silkgate.store import declarations as declaration_store

        d = declaration_store.get(uow.connection, lodged["mrn"])
        assert d is not None
        assert f"{number} was revoked by VN CITES" in (gate(uow, d.id) or "")
    shown = sw.declarations.get(OFFICER, lodged["mrn"])
    assert shown["status"] == "under_control"
    assert any(f"{number} was revoked by VN CITES" in r for r in shown["risk"]["reasons"])
    # An older message, arriving late, changes nothing.
    older = partner_permit("CITES-2026-000102", changed_at="2020-01-01T00:00:00+00:00")
    assert _receive(sw, older)["unchanged"] is True
    history = sw.lpco.register.get(OFFICER, number)["history"]
    assert [h["action"] for h in history] == ["receive", "accept", "partner"]


def test_bad_partner_messages_are_refused_and_change_nothing(sw):
    with pytest.raises(m.PayloadError):
        _receive(sw, partner_permit("CITES-2026-000103", country="KZ"))
    with pytest.raises(m.PayloadError):
        _receive(sw, partner_permit("CITES-2026-000104", flow="import"))
    assert not [x for x in sw.lpco.register.listing(OFFICER) if x["number"].endswith("00010" + "3")]


def test_an_export_licence_issued_here_is_announced_to_its_destination(sw):
    issued = sw.lpco.register.issue(
        CITES,
        parse(IssueLpco, licence(kind="permit", flow="export", country="VN", hs="010620",
                                 unit="NAR", quantity="30", consignee="0101234567")),
    )  # fmt: skip
    # No partner is registered on this node: nothing is queued, and the permit stands.
    assert issued["status"] == "issued" and issued["consignee"] == "0101234567"
