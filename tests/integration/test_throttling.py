"""Throttling by source: failed authentication (API and console), and the partner inbox."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from silkgate.app import create_app
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.exchange import envelope, identity
from silkgate.exchange.envelope import Envelope
from silkgate.node import Node
from silkgate.store.db import reading
from silkgate.store.tables import exchange_refusals
from tests.integration.conftest import auth

LIMIT = 3
INBOX_LIMIT = 20
_hosts = itertools.count(1)


def a_source() -> tuple[str, int]:
    """A client address no other test uses (the counts are per address, in the database)."""
    n = next(_hosts)
    return (f"10.{uuid.uuid4().int % 250}.{n // 250}.{n % 250 + 1}", 40000)


@pytest.fixture(scope="module")
def strict_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"auth_failure_limit": LIMIT, "inbox_refusal_limit": INBOX_LIMIT}
    )


@pytest.fixture(scope="module")
def workers(strict_settings: Settings, prepared: dict[str, str]) -> Iterator[list[Node]]:
    """Two nodes on the one database, as two worker processes of `silkgate serve` are."""
    nodes = [open_node(strict_settings), open_node(strict_settings)]
    yield nodes
    for n in nodes:
        n.close()


def client(settings: Settings, node: Node, source: tuple[str, int]) -> TestClient:
    return TestClient(create_app(settings, node), client=source, follow_redirects=False)


# -- failed authentication --------------------------------------------------------------------


def test_failed_tokens_are_answered_429_after_the_limit(strict_settings, workers, tokens):
    source = a_source()
    c = client(strict_settings, workers[0], source)
    for _ in range(LIMIT):
        assert (
            c.get("/v1/declarations", headers=auth("sg_wrong-" + uuid.uuid4().hex)).status_code
            == 401
        )
    r = c.get("/v1/declarations", headers=auth("sg_wrong-" + uuid.uuid4().hex))
    assert r.status_code == 429
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "/problems/throttled"
    assert 1 <= int(r.headers["retry-after"]) <= strict_settings.auth_failure_window_seconds
    # A valid token from the same address is answered as always.
    assert c.get("/v1/declarations", headers=auth(tokens["officer.li"])).status_code == 200
    # Another address is not held back.
    other = client(strict_settings, workers[0], a_source())
    assert other.get("/v1/declarations", headers=auth("sg_wrong")).status_code == 401


def test_worker_processes_count_the_same_failures(strict_settings, workers):
    source = a_source()
    first, second = (client(strict_settings, n, source) for n in workers)
    answers = [
        (first if i % 2 else second).get("/v1/declarations", headers=auth(f"sg_wrong-{i}"))
        for i in range(LIMIT + 1)
    ]
    assert [r.status_code for r in answers] == [401] * LIMIT + [429]
    # The first worker, which saw only part of the failures, knows the count too.
    r = first.get("/v1/declarations", headers=auth("sg_wrong-again"))
    assert r.status_code == 429


def test_failed_console_logins_are_throttled_and_a_valid_one_still_works(
    strict_settings, workers, tokens
):
    c = client(strict_settings, workers[0], a_source())
    here = {"Origin": "http://testserver"}
    for i in range(LIMIT):
        r = c.post("/console/login", data={"token": f"sg_guess-{i}"}, headers=here)
        assert r.status_code == 401 and "unknown or revoked" in r.text
    r = c.post("/console/login", data={"token": "sg_guess-more"}, headers=here)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "Too many failed logins" in r.text
    r = c.post("/console/login", data={"token": tokens["officer.li"]}, headers=here)
    assert r.status_code == 303 and r.headers["location"] == "/console"


def test_a_valid_token_costs_no_database_write(node, settings, tokens):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement.split(None, 1)[0].upper())

    c = client(settings, node, a_source())
    assert c.get("/v1/tariff/09012100", headers=auth(tokens["officer.li"])).status_code == 200
    sa.event.listen(node.engine, "before_cursor_execute", seen)
    try:
        for _ in range(20):
            r = c.get("/v1/exchange/card", headers=auth(tokens["officer.li"]))
            assert r.status_code in (200, 404)
            r = c.get("/v1/declarations?limit=1", headers=auth(tokens["officer.li"]))
            assert r.status_code == 200
    finally:
        sa.event.remove(node.engine, "before_cursor_execute", seen)
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements), statements


# -- the partner inbox --------------------------------------------------------------------------


def forged(n: int) -> list[str]:
    """``n`` messages signed by a key no partner holds, and ``n`` that are not even JWS."""
    key, now = identity.new_key(), dt.datetime.now(dt.UTC)
    kid = identity.key_id("ZZ", key, now.date())
    signed = [
        envelope.sign(Envelope.new("assistance", "ZZ", "CN", f"S-{i}", {}, now), key, kid, now)
        for i in range(n)
    ]
    return signed + [f"junk.{i}.x" for i in range(n)]


def refusal_rows(n: Node, remote: str) -> dict[str, int]:
    r = exchange_refusals.c
    with reading(n.engine) as conn:
        rows = conn.execute(sa.select(r.code, r.messages).where(r.remote == remote)).all()
    return {code: messages for code, messages in rows}


def test_refused_messages_are_counted_per_source_and_code_not_stored_one_by_one(
    strict_settings, workers
):
    source = a_source()
    c = client(strict_settings, workers[0], source)
    for _ in range(2):
        r = c.post("/v1/exchange/inbox", json={"messages": forged(4)})
        assert r.status_code == 200
        assert {x["status"] for x in r.json()["results"]} == {"refused"}
    assert refusal_rows(workers[0], source[0]) == {"unknown_sender": 8, "malformed": 8}
    listed = workers[0].exchange.refusals(_admin(), 1000)
    [unknown] = [x for x in listed if x["remote"] == source[0] and x["code"] == "unknown_sender"]
    assert unknown["count"] == 8 and unknown["kid"].startswith("ZZ-")
    assert unknown["last_at"] >= unknown["at"]


def test_a_source_with_too_many_refusals_is_answered_429_before_any_work(strict_settings, workers):
    source = a_source()
    c = client(strict_settings, workers[0], source)
    r = c.post("/v1/exchange/inbox", json={"messages": forged(INBOX_LIMIT // 2)})
    assert r.status_code == 200
    before = refusal_rows(workers[0], source[0])
    assert sum(before.values()) == INBOX_LIMIT
    for body in ({"messages": forged(5)}, {"nothing": "here"}):
        r = c.post("/v1/exchange/inbox", json=body)
        assert r.status_code == 429 and r.json()["type"] == "/problems/throttled"
        assert 1 <= int(r.headers["retry-after"]) <= strict_settings.inbox_window_seconds
    r = c.post("/v1/exchange/inbox", content="x", headers={"Content-Type": "application/jose"})
    assert r.status_code == 429
    assert refusal_rows(workers[0], source[0]) == before  # nothing written for those
    # The other worker learns it at its first refusal from that source.
    other_worker = client(strict_settings, workers[1], source)
    assert other_worker.post("/v1/exchange/inbox", json={"messages": ["junk"]}).status_code == 200
    assert other_worker.post("/v1/exchange/inbox", json={"messages": ["junk"]}).status_code == 429
    # Another source is served.
    other = client(strict_settings, workers[0], a_source())
    assert other.post("/v1/exchange/inbox", json={"messages": ["junk"]}).status_code == 200


def _admin():
    from silkgate.kernel.actors import Principal, Role

    return Principal(0, "admin", Role.ADMIN, None)
