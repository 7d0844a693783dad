from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from silkgate.app import create_app
from silkgate.config import Settings
from silkgate.node import Node


@pytest.fixture(scope="session")
def client(settings: Settings, node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(settings, node)) as c:
        yield c


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def settle(client: TestClient, token: str, mrn: str, kind: str = "payment") -> dict:
    """Record a payment (or guarantee) of everything due on ``mrn``; the account after."""
    account = client.get(f"/v1/declarations/{mrn}/payments", headers=auth(token)).json()
    due = account["due" if kind == "payment" else "unsecured"]
    r = client.post(
        f"/v1/declarations/{mrn}/payments",
        json={"kind": kind, "amount": due, "currency": "CNY", "reference": f"BANK-{mrn}"},
        headers=auth(token),
    )
    assert r.status_code == 201, r.text
    return r.json()
