"""The traders' webhooks: notifications signed with HMAC-SHA256, posted to a real local
HTTP receiver by the portal's outbox."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from silkgate.kernel.errors import InvalidRequest
from silkgate.portal.services import Webhooks
from silkgate.store.db import writing
from silkgate.store.tables import portal_outbox
from tests.integration.conftest import auth, settle


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    got: list[tuple[dict[str, str], bytes]] = []
    status = {"code": 503}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(status["code"])
            self.end_headers()
            status["code"] = 204  # the first delivery fails: it is retried

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/silkgate", got
    server.shutdown()
    server.server_close()


def test_a_trader_is_notified_of_the_channel_a_question_and_the_release(
    client, node, tokens, declaration, receiver
):
    url, got = receiver
    trader = node.tokens.resolve(tokens["lotus-broker"])
    secret = node.portal.webhooks.set(trader, url)
    declaration["declarant"]["id"] = trader.party_id
    declaration["importer"]["id"] = trader.party_id
    r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["lotus-broker"]))
    assert r.status_code == 201, r.text
    mrn = r.json()["mrn"]
    officer = auth(tokens["officer.li"])
    asked = {"question": "Which port of loading?", "deadline": "2099-01-01"}
    assert (
        client.post(
            f"/v1/declarations/{mrn}/request_information", json=asked, headers=officer
        ).status_code
        == 200
    )
    # The database is shared: other tests' notifications (to addresses that do not answer)
    # would come first in the queue. Only this trader's are delivered here.
    with writing(node.engine) as conn:
        conn.execute(sa.delete(portal_outbox).where(portal_outbox.c.party_id != trader.party_id))
    notifier = node.portal.notifier
    assert notifier.deliver_due() == 1  # the receiver failed the first: it is retried later
    assert client.post(f"/v1/declarations/{mrn}/resume", headers=officer).status_code == 200
    settle(client, tokens["officer.li"], mrn)
    released = client.post(f"/v1/declarations/{mrn}/release", headers=officer)
    assert released.status_code == 200, released.text
    notifier.clock = lambda: node.clock() + dt.timedelta(hours=2)
    try:
        assert notifier.deliver_due() == 3  # the channel again, the resumption, the release
    finally:
        notifier.clock = node.clock
    mine = [(h, b) for h, b in got if json.loads(b)["mrn"] == mrn]
    assert len(mine) == 5  # the first delivery failed, and was made again
    events = sorted({h["x-silkgate-delivery"]: json.loads(b)["event"] for h, b in mine}.values())
    assert events == ["channel", "decided", "question", "released"]
    for headers, body in mine:
        signed = headers["x-silkgate-timestamp"].encode() + b"." + body
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        assert headers["x-silkgate-signature"] == f"sha256={expected}"
    said = {json.loads(b)["event"]: json.loads(b) for _, b in mine}
    assert said["question"]["question"] == "Which port of loading?"
    assert said["question"]["deadline"] == "2099-01-01"
    assert said["channel"]["channel"] == "green" and said["released"]["status"] == "released"


def test_a_webhook_address_must_be_public_https_in_production(node, tokens):
    strict = Webhooks(node.engine, node.clock, private_allowed=False)
    trader = node.tokens.resolve(tokens["acme-trading"])
    for url in (
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.8/h",
        "ftp://x",
    ):
        with pytest.raises(InvalidRequest):
            strict.set(trader, url)
