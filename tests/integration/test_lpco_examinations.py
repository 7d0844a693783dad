"""Agencies that examine goods join the joint inspection as a service with its own checks.

An LPCO with an examination condition (or a requirement that says so) puts
its agency's checks in the joint inspection of every declaration drawing on
it: the agency's officer records them, no other agency may, and release waits
for every service. A database of its own, as ``test_lpco``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.inspection.commands import CheckResult
from silkgate.inspection.services.planning import InspectionGates
from silkgate.kernel.actors import Principal, Role
from silkgate.kernel.commands import parse
from silkgate.kernel.errors import Forbidden, InvalidRequest, NotFound
from silkgate.lpco.commands import IssueLpco
from silkgate.node import Node
from silkgate.store import declarations as declaration_store
from silkgate.store import principals
from silkgate.store.db import reading
from tests.conftest import SECRET, _postgres_database
from tests.lpco_helpers import batteries, licence, prepare_single_window

CHEM = Principal(0, "agency.chem", Role.AGENCY_OFFICER, "CHEM")
RADIO = Principal(0, "agency.radio", Role.AGENCY_OFFICER, "RADIO")
OFFICER = Principal(0, "officer.li", Role.OFFICER, None)


@pytest.fixture(scope="module")
def sw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    base = os.environ.get("SILKGATE_TEST_DATABASE_URL")
    urls = _postgres_database(base) if base else None
    url = next(urls) if urls else f"sqlite:///{tmp_path_factory.mktemp('lpex') / 'lpex.db'}"
    settings = Settings(mode="test", database_url=url, secret_key=SECRET, exchange_dispatch=False)
    prepare_single_window(settings)
    n = open_node(settings)
    yield n
    n.close()
    if urls:
        next(urls, None)


def _lodge(n: Node, kg: str, **changes: Any) -> tuple[str, int]:
    number = n.lpco.register.issue(CHEM, parse(IssueLpco, licence(**changes)))["number"]
    with reading(n.engine) as conn:
        acme = principals.find_principal(conn, "acme-trading")
    assert acme is not None
    result, _ = n.declarations.lodge(acme, batteries(kg, number))
    with reading(n.engine) as conn:
        d = declaration_store.get(conn, result["mrn"])
    assert d is not None
    return result["mrn"], d.id


def _task(n: Node, declaration_id: int) -> dict[str, Any]:
    with reading(n.engine) as conn:
        task = n.inspections.of_declaration(conn, declaration_id)
    assert task is not None
    return task


def _gate(n: Node, declaration_id: int) -> str | None:
    with n.declarations.ctx.unit_of_work() as uow:
        return InspectionGates().blocks_release(uow, declaration_id)


def _record(n: Node, who: Principal, task_id: int, seq: int, status: str, **finding: Any) -> Any:
    body = {"status": status, "finding": finding or None}
    return n.inspections.record(who, task_id, seq, parse(CheckResult, body))


def test_an_examination_condition_puts_the_agency_in_the_joint_inspection(sw):
    mrn, declaration_id = _lodge(sw, "300", examine=True)
    shown = sw.declarations.get(OFFICER, mrn)
    assert shown["status"] == "under_control"  # not released before the agency has examined
    assert any("CHEM examines the goods" in r for r in shown["risk"]["reasons"])
    task = _task(sw, declaration_id)
    checks = [(c["service"], c["agency"], c["check"], c["item"]) for c in task["checks"]]
    # The goods are opened for the agency: customs looks at them at the same time.
    assert checks == [
        ("customs", None, "documents", None),
        ("customs", None, "quantity", None),
        ("customs", None, "description", None),
        ("agency", "CHEM", "goods", 1),
        ("agency", "CHEM", "conditions", 1),
    ]
    assert "fire-rated warehouse" in task["checks"][4]["description"]
    # The agency reads its own checks only, and no other agency the task at all.
    mine = sw.inspections.get(CHEM, task["id"])
    assert [c["service"] for c in mine["checks"]] == ["agency", "agency"]
    assert task["id"] in [t["id"] for t in sw.inspections.queue(CHEM, status="open")]
    assert task["id"] not in [t["id"] for t in sw.inspections.queue(RADIO, status="open")]
    with pytest.raises(NotFound):
        sw.inspections.get(RADIO, task["id"])
    with pytest.raises(NotFound):
        _record(sw, RADIO, task["id"], 4, "compliant")
    # Customs does not record the agency's checks, nor the agency customs'.
    with pytest.raises(Forbidden, match="the agency CHEM"):
        _record(sw, OFFICER, task["id"], 4, "compliant")
    with pytest.raises(Forbidden):
        _record(sw, CHEM, task["id"], 1, "compliant")
    with pytest.raises(InvalidRequest) as caught:
        _record(sw, CHEM, task["id"], 4, "non_compliant", kind="treatment", note="x")
    assert caught.value.errors[0].pointer == "/finding/kind"
    # Release waits for every service.
    assert "not complete" in (_gate(sw, declaration_id) or "")
    _record(sw, CHEM, task["id"], 4, "compliant")
    _record(sw, CHEM, task["id"], 5, "compliant")
    for seq in (1, 2, 3):
        _record(sw, OFFICER, task["id"], seq, "compliant")
    done = sw.inspections.complete(OFFICER, task["id"])
    assert (done["status"], done["result"]) == ("completed", "compliant")
    assert _gate(sw, declaration_id) is None
    timeline = sw.declarations.timeline(OFFICER, mrn)
    assert any("CHEM goods: compliant" in (e.get("reason") or "") for e in timeline)


def test_an_agency_finding_holds_the_goods(sw):
    _, declaration_id = _lodge(sw, "200", examine=True, conditions="")
    task = _task(sw, declaration_id)
    assert [c["check"] for c in task["checks"] if c["agency"]] == ["goods"]
    _record(sw, CHEM, task["id"], 4, "non_compliant", kind="licence", note="cells, not batteries")
    for seq in (1, 2, 3):
        _record(sw, OFFICER, task["id"], seq, "compliant")
    sw.inspections.complete(OFFICER, task["id"])
    assert "CHEM found the goods not compliant" in (_gate(sw, declaration_id) or "")


def test_without_an_examination_no_agency_joins(sw):
    _, declaration_id = _lodge(sw, "100")
    with reading(sw.engine) as conn:
        assert sw.inspections.of_declaration(conn, declaration_id) is None
