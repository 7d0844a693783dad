"""The single window's LPCOs: issued by agencies, checked and drawn down at lodging.

A database of its own (the requirements in force are the node's, and would
reach every other test's lodgings): SQLite, or PostgreSQL with
``SILKGATE_TEST_DATABASE_URL``. The lodgings are lithium batteries, which the
illustrative requirements put under an import licence of CHEM that holds the
goods when missing.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.declarations.commands import Decision
from silkgate.declarations.states import Action
from silkgate.declarations.validation import InvalidDeclaration
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Forbidden, InvalidRequest
from silkgate.lpco.commands import AmendLpco, IssueLpco, LpcoDecision
from silkgate.node import Node
from silkgate.store import principals
from silkgate.store.db import reading
from silkgate.tariff.files import FileErrors
from tests.conftest import SECRET, _postgres_database
from tests.lpco_helpers import batteries, licence, prepare_single_window

CHEM = Principal(0, "agency.chem", Role.AGENCY_OFFICER, "CHEM")
RADIO = Principal(0, "agency.radio", Role.AGENCY_OFFICER, "RADIO")
OFFICER = Principal(0, "officer.li", Role.OFFICER, None)


@pytest.fixture(scope="module")
def lpco_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("SILKGATE_TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('lpco') / 'lpco.db'}"


@pytest.fixture(scope="module")
def lpco_settings(lpco_url: str) -> Settings:
    return Settings(mode="test", database_url=lpco_url, secret_key=SECRET, exchange_dispatch=False)


@pytest.fixture(scope="module")
def lpco_tokens(lpco_settings: Settings) -> dict[str, str]:
    return prepare_single_window(lpco_settings)


@pytest.fixture(scope="module")
def sw(lpco_settings: Settings, lpco_tokens: dict[str, str]) -> Iterator[Node]:
    """The single window's node (China), with the illustrative LPCO requirements."""
    n = open_node(lpco_settings)
    yield n
    n.close()


def _acme(n: Node) -> Principal:
    with reading(n.engine) as conn:
        found = principals.find_principal(conn, "acme-trading")
    assert found is not None
    return found


def _issue(n: Node, **changes: Any) -> str:
    issued = n.lpco.register.issue(CHEM, parse(IssueLpco, licence(**changes)))
    number: str = issued["number"]
    return number


def _lodge(n: Node, doc: dict[str, Any]) -> dict[str, Any]:
    result, _ = n.declarations.lodge(_acme(n), doc)
    return result


def _balance(n: Node, number: str) -> str:
    found: str = n.lpco.register.get(OFFICER, number)["balance"]
    return found


def _codes(exc: InvalidDeclaration) -> list[tuple[str, str]]:
    return [(e.pointer, e.code) for e in exc.errors]


def test_an_import_draws_the_licence_down_and_a_cancellation_gives_it_back(sw):
    number = _issue(sw)
    assert number.startswith("CHEM-")
    lodged = _lodge(sw, batteries("600", number))
    assert lodged["status"] == "lodged"  # green, waiting for the duties
    assert _balance(sw, number) == "400"
    with reading(sw.engine) as conn:
        shown = sw.lpco.check.of_declaration(conn, _id(sw, lodged["mrn"]))
    assert [(c["status"], c["number"], c["drawn"]) for c in shown] == [("ok", number, "600")]
    sw.declarations.act(_acme(sw), lodged["mrn"], Action.CANCEL, Decision(reason="not sent"))
    assert _balance(sw, number) == "1000"
    got = sw.lpco.register.get(CHEM, number)
    assert [d["live"] for d in got["drawdowns"]] == [False]


def _id(n: Node, mrn: str) -> int:
    from silkgate.store import declarations as declaration_store

    with reading(n.engine) as conn:
        d = declaration_store.get(conn, mrn)
    assert d is not None
    return d.id


def test_an_amendment_gives_back_and_draws_again(sw):
    number = _issue(sw)
    doc = batteries("600", number)
    lodged = _lodge(sw, doc)
    doc["items"][0]["net_mass_kg"] = "250"
    doc["totals"]["gross_mass_kg"] = "300"
    sw.declarations.amend(_acme(sw), lodged["mrn"], doc, reason="fewer batteries")
    assert _balance(sw, number) == "750"


def test_a_missing_licence_holds_the_goods_with_the_reason(sw):
    lodged = _lodge(sw, batteries("100", None))
    assert lodged["status"] == "under_control"
    with reading(sw.engine) as conn:
        shown = sw.lpco.check.of_declaration(conn, _id(sw, lodged["mrn"]))
    assert [(c["status"], c["held"]) for c in shown] == [("missing", True)]
    risk = sw.declarations.get(OFFICER, lodged["mrn"])["risk"]
    assert any("import licence (L100" in r for r in risk["reasons"]), risk
    assert "import licence L100 missing" in (_gate(sw, lodged["mrn"]) or "")


def _gate(n: Node, mrn: str) -> str | None:
    """Why the LPCOs hold the release of ``mrn`` (the joint inspection is a gate of its own)."""
    with n.declarations.ctx.unit_of_work() as uow:
        return n.lpco.check.blocks_release(uow, _id(n, mrn))


def test_bad_licences_are_refused_with_the_field_and_change_nothing(sw):
    number = _issue(sw)
    other = _issue(sw, holder="91440300MA5OTHER01")
    expired = _issue(sw, valid_from="2024-01-01", valid_until="2024-12-31")
    pieces = _issue(sw, unit="NAR", quantity="500")
    suspended = _issue(sw)
    sw.lpco.register.decide(CHEM, suspended, "suspend", parse(LpcoDecision, {"reason": "audit"}))
    cases = {
        other: "lpco_holder",
        expired: "lpco_expired",
        suspended: "lpco_suspended",
        "CHEM-2020-999999": "lpco_unknown",
    }
    for cited, code in cases.items():
        with pytest.raises(InvalidDeclaration) as caught:
            _lodge(sw, batteries("100", cited))
        assert ("/items/0/documents/0/reference", code) in _codes(caught.value), cited
    with pytest.raises(InvalidDeclaration) as caught:
        _lodge(sw, batteries("100", pieces))
    assert _codes(caught.value) == [("/items/0/supplementary_quantity", "lpco_unit")]
    assert _balance(sw, number) == "1000"
    assert _balance(sw, pieces) == "500"


def test_a_period_that_ends_before_it_starts_names_valid_until(sw):
    before = sw.lpco.register.listing(CHEM, limit=1000)
    with pytest.raises(InvalidRequest) as exc:
        _issue(sw, valid_from="2026-06-01", valid_until="2026-05-31")
    [error] = exc.value.errors
    assert (error.pointer, error.code) == ("/valid_until", "invalid_period")
    assert sw.lpco.register.listing(CHEM, limit=1000) == before  # nothing was issued


def test_an_agency_cannot_act_on_another_agencys_licence(sw):
    number = _issue(sw)
    with pytest.raises(Forbidden, match="issued by CHEM; RADIO may not revoke it"):
        sw.lpco.register.decide(RADIO, number, "revoke", parse(LpcoDecision, {"reason": "x"}))
    with pytest.raises(Forbidden):
        sw.lpco.register.amend(RADIO, number, parse(AmendLpco, {"reason": "x", "quantity": "1"}))
    assert sw.lpco.register.get(CHEM, number)["status"] == "issued"


def test_amending_the_quantity_moves_the_balance_and_is_journaled(sw):
    number = _issue(sw)
    _lodge(sw, batteries("600", number))
    amended = sw.lpco.register.amend(
        CHEM, number, parse(AmendLpco, {"reason": "more allowed", "quantity": "1500"})
    )
    assert (amended["quantity"], amended["balance"]) == ("1500", "900")
    with pytest.raises(InvalidRequest) as caught:
        sw.lpco.register.amend(
            CHEM, number, parse(AmendLpco, {"reason": "less", "quantity": "500"})
        )
    assert [(e.pointer, e.code) for e in caught.value.errors] == [("/quantity", "below_drawn")]
    assert "600 KGM is drawn already" in caught.value.errors[0].detail
    history = sw.lpco.register.get(CHEM, number)["history"]
    assert [h["action"] for h in history] == ["issue", "amend"]
    assert history[1]["changes"] == {"quantity": ["1000", "1500"]}
    # Moments are ISO 8601 in UTC: a "T" between the date and the time, and a "Z".
    shown = sw.lpco.register.get(CHEM, number)
    for moment in (history[0]["at"], shown["issued_at"], shown["drawdowns"][0]["drawn_at"]):
        assert dt.datetime.fromisoformat(moment).tzinfo == dt.UTC
        assert moment[10] == "T" and moment.endswith("Z"), moment


def test_a_revocation_puts_the_declarations_relying_on_it_under_control(sw):
    number = _issue(sw)
    lodged = _lodge(sw, batteries("300", number))
    assert lodged["status"] == "lodged"
    sw.lpco.register.decide(
        CHEM, number, "revoke", parse(LpcoDecision, {"reason": "the holder's storage failed"})
    )
    mrn = lodged["mrn"]
    shown = sw.declarations.get(OFFICER, mrn)
    assert shown["status"] == "under_control"
    assert f"{number} was revoked by CHEM" in (_gate(sw, mrn) or "")
    assert any("was revoked by CHEM: the holder" in r for r in shown["risk"]["reasons"])


def test_concurrent_lodgings_never_overdraw_a_licence(sw, lpco_settings):
    """Two lodgings of 600 kg against 1,000 kg, prepared first (each saw the whole balance),
    then committed at once from two nodes (engines and pools of their own, as worker
    processes have): one draws, the other is held for an insufficient balance."""
    number = _issue(sw)
    nodes = [open_node(lpco_settings) for _ in range(2)]
    acme = _acme(sw)
    try:
        prepared = [nodes[i].declarations.prepare(acme, batteries("600", number)) for i in range(2)]
        assert all(p.lpco.facts == {1: "ok"} for p in prepared)
        barrier = threading.Barrier(2)

        def commit(i: int) -> Any:
            barrier.wait()
            return nodes[i].declarations.commit([prepared[i]])[0]

        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(commit, range(2)))
    finally:
        for n in nodes:
            n.close()
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(o[0]["status"] for o in outcomes) == ["lodged", "under_control"]
    assert _balance(sw, number) == "400"
    got = sw.lpco.register.get(CHEM, number)
    assert [d["quantity"] for d in got["drawdowns"] if d["live"]] == ["600"]


def test_a_requirements_file_with_errors_loads_nothing(sw):
    before = len(sw.lpco.requirements.sets())
    bad = b'title = "x"\n[[requirement]]\nhs = "12"\nflow = "inward"\nlpco = "permit"\n'
    with pytest.raises(FileErrors) as caught:
        sw.lpco.requirements.load(bad, source="bad.toml", actor="test")
    assert {e.column for e in caught.value.errors} >= {"hs", "flow", "missing", "valid_from"}
    assert len(sw.lpco.requirements.sets()) == before


def test_the_public_look_up(sw):
    found = sw.lpco.requirements.lookup("85076000", None, None, dt.date.today())
    assert [(r["lpco"], r["agency"], r["missing"]) for r in found] == [
        ("import_licence", "CHEM", "hold")
    ]
