"""Transit through three real node processes, China, Kazakhstan and Uzbekistan, over loopback
HTTP: set up as `silkgate demo trio` does (three SQLite databases, each node the others'
partner), worked with the `silkgate transit` commands of docs/transit.md, and with the
transit node killed and restarted mid-journey."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from silkgate.cli.trio import TRIO
from tests.conftest import ROOT
from tests.e2e.conftest import SILKGATE, free_port
from tests.e2e.test_exchange_pair import Pair

HOLDER = "91310115MA1K4DEMO1"
EXAMPLE = ROOT / "examples" / "transit" / "horgos-tashkent.json"
OFFICERS = {"CN": "officer.li", "KZ": "officer.nurlan", "UZ": "officer.dilnoza"}


class Trio(Pair):
    """The pair's harness with three nodes."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.ports = {admin: free_port() for admin in TRIO}

    def officer(self, admin: str) -> dict[str, str]:
        return self.headers(admin, OFFICERS[admin])

    def cli(self, admin: str, user: str, *args: str) -> subprocess.CompletedProcess[str]:
        """``silkgate transit ARGS`` against ``admin``'s node as ``user``."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SILKGATE_")}
        env.update(
            COLUMNS="200", SILKGATE_NODE_URL=self.url(admin), SILKGATE_TOKEN=self.token(admin, user)
        )
        return subprocess.run(
            [SILKGATE, "transit", *args], env=env, capture_output=True, text=True, timeout=60
        )

    def count(self, admin: str, sql: str, **params: Any) -> int:
        engine = self.engine(admin)
        try:
            with engine.connect() as conn:
                return int(conn.execute(sa.text(sql), params).scalar() or 0)
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trio]:
    t = Trio(tmp_path_factory.mktemp("trio"))
    t.set_up()
    for admin in TRIO:
        t.start(admin)
    yield t
    t.stop()


def _wait(condition: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.25)


def _movement(trio: Trio, admin: str, mrn: str) -> dict[str, Any] | None:
    r = httpx.get(
        f"{trio.url(admin)}/v1/transit/movements/{mrn}", headers=trio.officer(admin), timeout=20
    )
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return dict(r.json())


def _status(trio: Trio, admin: str, mrn: str) -> str | None:
    found = _movement(trio, admin, mrn)
    return None if found is None else str(found["status"])


def _guarantee(trio: Trio, amount: str = "5000000.00") -> str:
    reference = "G-" + uuid.uuid4().hex[:12].upper()
    body = {"reference": reference, "holder": HOLDER, "kind": "comprehensive", "amount": amount}
    r = httpx.post(
        f"{trio.url('CN')}/v1/transit/guarantees", json=body, headers=trio.officer("CN"), timeout=20
    )
    assert r.status_code == 201, r.text
    return reference


def _balance(trio: Trio, reference: str) -> Decimal:
    r = httpx.get(
        f"{trio.url('CN')}/v1/transit/guarantees/{reference}",
        headers=trio.headers("CN", "acme-trading"),
        timeout=20,
    )
    assert r.status_code == 200, r.text
    return Decimal(r.json()["balance"])


def _lodge_and_release(trio: Trio, reference: str) -> str:
    doc = json.loads(EXAMPLE.read_text())
    doc.update(lrn="TR-" + uuid.uuid4().hex[:10].upper(), guarantee=reference)
    r = httpx.post(
        f"{trio.url('CN')}/v1/transit/movements",
        json=doc,
        headers=trio.headers("CN", "acme-trading"),
        timeout=20,
    )
    assert r.status_code == 201, r.text
    mrn = str(r.json()["mrn"])
    url = f"{trio.url('CN')}/v1/transit/movements/{mrn}/release"
    r = httpx.post(url, headers=trio.officer("CN"), timeout=20)
    assert r.status_code == 200 and r.json()["status"] == "released", r.text
    return mrn


def _step(trio: Trio, admin: str, mrn: str, step: str, body: dict[str, Any]) -> None:
    r = httpx.post(
        f"{trio.url(admin)}/v1/transit/movements/{mrn}/{step}",
        json=body,
        headers=trio.officer(admin),
        timeout=20,
    )
    assert r.status_code == 200, r.text


def test_the_walkthrough_of_docs_transit_with_the_cli(trio: Trio, tmp_path: Path) -> None:
    doc = json.loads(EXAMPLE.read_text())
    doc["lrn"] = "TR-CLI-" + uuid.uuid4().hex[:8].upper()
    file = tmp_path / "movement.json"
    file.write_text(json.dumps(doc))
    before = trio.cli("CN", "acme-trading", "balance", "CN-G-ACME-0001", "--json")
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout)["balance"] == "5000000.00"

    lodged = trio.cli("CN", "acme-trading", "lodge", str(file), "--json")
    assert lodged.returncode == 0, lodged.stderr
    mrn = json.loads(lodged.stdout)["mrn"]
    refused = trio.cli("CN", "acme-trading", "release", mrn)
    assert refused.returncode == 1 and "404" in refused.stderr  # not an officer
    released = trio.cli("CN", "officer.li", "release", mrn)
    assert released.returncode == 0 and "released for transit" in released.stdout
    _wait(lambda: _status(trio, "UZ", mrn) == "released", "the record at Tashkent")
    expected = trio.cli("UZ", "officer.dilnoza", "list", "--office", "UZTAS", "--view", "expected")
    assert mrn in expected.stdout and "CNHRS → KZHOR → UZTAS" in expected.stdout
    _wait(lambda: _status(trio, "KZ", mrn) == "released", "the record at Khorgos")
    wrong = trio.cli("KZ", "officer.nurlan", "cross", mrn, "--office", "UZTAS")
    assert wrong.returncode == 1 and "/office" in wrong.stderr
    crossed = trio.cli("KZ", "officer.nurlan", "cross", mrn, "--office", "KZHOR")
    assert crossed.returncode == 0 and "en_route" in crossed.stdout, crossed.stderr
    assert trio.cli("UZ", "officer.dilnoza", "arrive", mrn, "--office", "UZTAS").returncode == 0
    control = trio.cli("UZ", "officer.dilnoza", "control", mrn, "--result", "satisfactory")
    assert control.returncode == 0, control.stderr

    _wait(lambda: _status(trio, "CN", mrn) == "discharged", "the discharge in China")
    shown = trio.cli("CN", "officer.li", "show", mrn)
    assert "discharged" in shown.stdout and "crossed at KZHOR by KZ" in shown.stdout
    after = trio.cli("CN", "acme-trading", "balance", "CN-G-ACME-0001")
    assert "5000000.00 CNY" in after.stdout and f"{mrn}: " in after.stdout
    discharged = trio.cli("CN", "officer.li", "list", "--office", "CNHRS", "--view", "discharged")
    assert mrn in discharged.stdout
    _wait(lambda: _status(trio, "KZ", mrn) == "discharged", "the write-off at Khorgos")


def test_the_transit_node_killed_mid_journey_loses_and_doubles_nothing(trio: Trio) -> None:
    reference = _guarantee(trio)
    mrns = [_lodge_and_release(trio, reference) for _ in range(3)]
    trio.kill("KZ")  # after release, before the crossing: the records may be in flight
    mrns += [_lodge_and_release(trio, reference) for _ in range(3)]
    reserved = Decimal("5000000.00") - _balance(trio, reference)
    assert reserved > 0
    trio.start("KZ")
    _wait(lambda: all(_status(trio, "KZ", m) == "released" for m in mrns), "the records at KZ")

    for mrn in mrns:
        _step(trio, "KZ", mrn, "crossing", {"office": "KZHOR"})
    trio.kill("KZ")  # the crossings are committed at KZ, perhaps not yet sent
    trio.start("KZ")
    _wait(lambda: all(_status(trio, "CN", m) == "en_route" for m in mrns), "the crossings at CN")
    for mrn in mrns:
        _step(trio, "UZ", mrn, "arrival", {"office": "UZTAS"})
        _step(trio, "UZ", mrn, "control", {"result": "satisfactory"})
    _wait(lambda: all(_status(trio, "CN", m) == "discharged" for m in mrns), "the discharges")
    _wait(lambda: all(_status(trio, "KZ", m) == "discharged" for m in mrns), "the write-offs")

    assert _balance(trio, reference) == Decimal("5000000.00")
    for mrn in mrns:
        steps = [s["step"] for s in (_movement(trio, "CN", mrn) or {})["steps"]]
        assert steps == ["crossed", "arrived", "control"]
        one = {"m": mrn}
        assert trio.count("KZ", "SELECT count(*) FROM transit_movements WHERE mrn = :m", **one) == 1
        for admin, kind in (("KZ", "transit_record"), ("CN", "transit_crossing"),
                            ("KZ", "transit_write_off")):  # fmt: skip
            sql = "SELECT count(*) FROM exchange_inbox WHERE type = :t AND subject = :m"
            assert trio.count(admin, sql, t=kind, **one) == 1, (admin, kind)
        events = "SELECT count(*) FROM journal WHERE mrn = :m AND event = :e"
        for event in ("transit_released", "transit_crossed", "transit_discharged"):
            assert trio.count("CN", events, e=event, **one) == 1, event
        freed = "SELECT count(*) FROM transit_reservations WHERE mrn = :m AND freed_at IS NOT NULL"
        assert trio.count("CN", freed, **one) == 1
