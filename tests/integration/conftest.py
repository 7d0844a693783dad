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
