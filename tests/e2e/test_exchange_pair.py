"""Two real node processes, China and Viet Nam, exchanging over loopback HTTP.

Set up as `silkgate demo pair` does (two SQLite databases, keys exchanged);
each node is a `silkgate serve` process that a test may kill and restart.
"""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from silkgate.access.principals import demo_token
from silkgate.cli.pair import pair_environment, setup_pair
from silkgate.config import Settings
from silkgate.exchange import envelope
from silkgate.exchange.envelope import Envelope
from silkgate.store import risk as risk_store
from silkgate.store.db import make_engine, writing
from tests.conftest import ROOT
from tests.e2e.conftest import SILKGATE, free_port, wait_until_up


class Pair:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ports = {"CN": free_port(), "VN": free_port()}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def url(self, admin: str) -> str:
        return f"http://127.0.0.1:{self.ports[admin]}"

    def env(self, admin: str) -> dict[str, str]:
        return pair_environment(admin, self.folder, self.ports[admin])

    def set_up(self) -> None:
        """As `silkgate demo pair` does, less random selection: in tests a declaration's
        channel must not depend on chance."""
        setup_pair(self.folder, self.ports, quiet=True)
        for admin in self.ports:
            engine = self.engine(admin)
            with writing(engine) as conn:
                risk_store.update_settings(conn, exploration_share=0)
            engine.dispose()

    def start(self, admin: str) -> None:
        with open(self.folder / f"{admin.lower()}.log", "ab") as log:
            self.procs[admin] = subprocess.Popen(
                [SILKGATE, "serve"], env=self.env(admin), stdout=log, stderr=subprocess.STDOUT
            )
        wait_until_up(self.procs[admin], self.url(admin))

    def kill(self, admin: str) -> None:
        """As a power cut would: no graceful shutdown."""
        proc = self.procs.pop(admin)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            proc.wait(timeout=20)

    def token(self, admin: str, user: str) -> str:
        return demo_token(self.env(admin)["SILKGATE_SECRET_KEY"], user)

    def headers(self, admin: str, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(admin, user)}"}

    def engine(self, admin: str) -> sa.Engine:
        return make_engine(self.env(admin)["SILKGATE_DATABASE_URL"], pool_size=1)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    p = Pair(tmp_path_factory.mktemp("pair"))
    p.set_up()
    p.start("CN")
    p.start("VN")
    yield p
    p.stop()


def _export(tag: str) -> dict[str, Any]:
    doc = json.loads((ROOT / "examples" / "pair" / "export-cn-to-vn.json").read_text())
    doc["lrn"] = f"EX-{tag}"
    doc["ucr"] = f"UCR-{tag}"
    doc["transport"]["document"]["number"] = f"CMR-{tag}"
    return doc


def _lodge_export(pair: Pair, tag: str) -> str:
    r = httpx.post(
        f"{pair.url('CN')}/v1/declarations",
        json=_export(tag),
        headers=pair.headers("CN", "acme-trading"),
        timeout=20,
    )
    assert r.status_code == 201, r.text
    mrn = r.json()["mrn"]
    if r.json()["status"] != "released":
        # Selected for control: the officer lets the goods go on condition of the inspection.
        r = httpx.post(
            f"{pair.url('CN')}/v1/declarations/{mrn}/conditional_release",
            json={"reason": "released for loading; the inspection continues at the border"},
            headers=pair.headers("CN", "officer.wang"),
            timeout=20,
        )
        assert r.status_code == 200, r.text
    return str(mrn)


def _advance(pair: Pair) -> dict[str, Any]:
    r = httpx.get(
        f"{pair.url('VN')}/v1/exchange/advance-data?limit=1000",
        headers=pair.headers("VN", "officer.nguyen"),
        timeout=20,
    )
    assert r.status_code == 200, r.text
    return {a["export_declaration"]: a for a in r.json()["items"]}


def _wait(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for delivery")
        time.sleep(0.25)


def test_an_export_released_in_china_appears_as_advance_data_in_viet_nam(pair):
    tag = uuid.uuid4().hex[:8].upper()
    mrn = _lodge_export(pair, tag)
    _wait(lambda: mrn in _advance(pair))
    data = _advance(pair)[mrn]
    assert data["sender"] == "CN" and data["ucr"] == f"UCR-{tag}"
    assert data["data"]["transport"]["port_of_discharge"] == "VNLGS"

    # The importer lodges in Viet Nam, declaring half the value (docs/exchange.md's example):
    # linked and sent to control.
    example = ROOT / "examples" / "pair" / "import-vn-from-cn-undervalued.json"
    doc = json.loads(example.read_text())
    doc.update(lrn=f"IM-{tag}", ucr=f"UCR-{tag}")
    r = httpx.post(
        f"{pair.url('VN')}/v1/declarations",
        json=doc,
        headers=pair.headers("VN", "acme-trading"),
        timeout=20,
    )
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.json()["channel"]) == ("under_control", "yellow")
    linked = httpx.get(
        f"{pair.url('VN')}/v1/declarations/{r.json()['mrn']}/advance-data",
        headers=pair.headers("VN", "officer.nguyen"),
        timeout=20,
    ).json()["items"]
    assert [m["kind"] for m in linked[0]["mismatches"]] == ["value"]


def _counts(pair: Pair, mrns: list[str]) -> tuple[int, int, int]:
    """(delivered at CN, advance rows at VN, inbox rows at VN) for these exports."""
    cn, vn = pair.engine("CN"), pair.engine("VN")
    try:
        with cn.connect() as conn:
            delivered = conn.execute(
                sa.text(
                    "SELECT count(*) FROM exchange_outbox WHERE status = 'delivered' "
                    "AND type = 'advance_export_data' AND subject IN :s"
                ).bindparams(sa.bindparam("s", expanding=True)),
                {"s": mrns},
            ).scalar()
        with vn.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT count(*) FROM advance_export_data WHERE export_declaration IN :s"
                ).bindparams(sa.bindparam("s", expanding=True)),
                {"s": mrns},
            ).scalar()
            inbox = conn.execute(
                sa.text(
                    "SELECT count(*) FROM exchange_inbox WHERE type = 'advance_export_data' "
                    "AND subject IN :s"
                ).bindparams(sa.bindparam("s", expanding=True)),
                {"s": mrns},
            ).scalar()
    finally:
        cn.dispose()
        vn.dispose()
    return int(delivered or 0), int(rows or 0), int(inbox or 0)


@pytest.mark.parametrize("victim", ["VN", "CN"])
def test_a_node_killed_mid_stream_loses_and_doubles_nothing(pair, victim):
    mrns = []
    for i in range(40):
        mrns.append(_lodge_export(pair, f"{victim}{i:03d}{uuid.uuid4().hex[:6]}".upper()))
        if i == 15:
            pair.kill(victim)
            time.sleep(1.0)
            if victim == "CN":  # the sender is down: nothing can be lodged until it is back
                pair.start("CN")
        if i == 25 and victim == "VN":
            pair.start("VN")
    _wait(lambda: _counts(pair, mrns)[0] == len(mrns), timeout=90)
    delivered, rows, inbox = _counts(pair, mrns)
    assert (delivered, rows, inbox) == (40, 40, 40)


def _cn_signed(pair: Pair) -> tuple[Envelope, str]:
    from silkgate.bootstrap import open_node

    env = pair.env("CN")
    node = open_node(
        Settings(
            mode="demo",
            database_url=env["SILKGATE_DATABASE_URL"],
            secret_key=env["SILKGATE_SECRET_KEY"],
            administration="CN",
            currency="CNY",
        )
    )
    try:
        at = node.exchange.clock()
        ref = f"CN-MAA-E2E-{uuid.uuid4().hex[:6]}"
        message = Envelope.new(
            "assistance",
            "CN",
            "VN",
            ref,
            {
                "reference": ref,
                "action": "open",
                "kind": "alert",
                "author": "officer.li",
                "body": "Counterfeit chargers declared as phone parts",
            },
            at,
        )
        kid, key = node.exchange.signer()
        return message, envelope.sign(message, key, kid, at)
    finally:
        node.close()


def test_replayed_forged_and_unsigned_messages_are_refused_and_logged(pair):
    inbox = f"{pair.url('VN')}/v1/exchange/inbox"
    jose = {"Content-Type": "application/jose"}
    message, token = _cn_signed(pair)
    first = httpx.post(inbox, content=token, headers=jose, timeout=20)
    assert first.status_code == 200 and first.headers["silkgate-receipt-status"] == "accepted"
    replay = httpx.post(inbox, content=token, headers=jose, timeout=20)
    assert replay.status_code == 200 and replay.headers["silkgate-receipt-status"] == "duplicate"

    head, body, sig = token.split(".")
    content = json.loads(base64.urlsafe_b64decode(body + "=="))
    content["payload"]["body"] = "All clear, release the goods"
    content["id"] = str(uuid.uuid4())
    forged_body = base64.urlsafe_b64encode(envelope.canonical(content)).rstrip(b"=").decode()
    forged = httpx.post(inbox, content=f"{head}.{forged_body}.{sig}", headers=jose, timeout=20)
    assert forged.status_code == 401 and "signature" in forged.json()["detail"]

    unsigned_head = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    unsigned = httpx.post(
        inbox, content=f"{unsigned_head}.{forged_body}.", headers=jose, timeout=20
    )
    assert unsigned.status_code == 401

    cases = httpx.get(
        f"{pair.url('VN')}/v1/assistance", headers=pair.headers("VN", "officer.nguyen"), timeout=20
    ).json()["items"]
    assert [c["reference"] for c in cases].count(message.subject) == 1
    answer = httpx.get(
        f"{pair.url('VN')}/v1/exchange/refusals", headers=pair.headers("VN", "admin"), timeout=20
    )
    assert answer.status_code == 200, answer.text
    refusals = answer.json()["items"]
    assert {"bad_signature", "unsigned"} <= {r["code"] for r in refusals}
    assert all(r["remote"] == "127.0.0.1" for r in refusals)
