"""`silkgate serve --workers 2`: several processes share the port and the database."""

from __future__ import annotations

import copy
import signal
import subprocess

import httpx

from tests.e2e.conftest import SILKGATE, free_port, node_env, wait_until_up


def test_two_workers_lodge_and_stop_cleanly(settings, node, tokens, declaration):
    port = free_port()
    proc = subprocess.Popen(
        [SILKGATE, "serve", "--port", str(port), "--workers", "2"],
        env=node_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base)
        mrns = set()
        headers = {"Authorization": f"Bearer {tokens['acme-trading']}"}
        for i in range(20):
            doc = copy.deepcopy(declaration)
            doc["lrn"] = f"{declaration['lrn'][:20]}-W{i}"
            # A new connection each time, so both workers take some.
            r = httpx.post(f"{base}/v1/declarations", json=doc, headers=headers, timeout=10)
            assert r.status_code == 201, r.text
            mrns.add(r.json()["mrn"])
        assert len(mrns) == 20
        # Each worker advertises the port given on the command line.
        node.exchange.ensure_key()
        for _ in range(4):
            card = httpx.get(f"{base}/v1/exchange/card", timeout=10)
            assert card.status_code == 200 and card.json()["endpoint"] == base
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
