"""Shared fixtures: one real database per test session, built by the real migrations.

SQLite by default; set ``SILKGATE_TEST_DATABASE_URL`` to a PostgreSQL URL (any
database on the server) and the session creates, uses and drops a database of
its own there. Tests never assume an empty database: each makes its own data.
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from silkgate import demo
from silkgate.bootstrap import open_node
from silkgate.config import Settings
from silkgate.node import Node
from silkgate.store import migrate, refdata
from silkgate.store.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "import-declaration.json"
SECRET = "test-secret-key-0123456789"


def _postgres_database(base_url: str) -> Iterator[str]:
    name = f"silkgate_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(
        base_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = base_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("SILKGATE_TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'silkgate.db'}"


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        mode="test",
        database_url=database_url,
        secret_key=SECRET,
        administration="CN",
        timezone="Asia/Shanghai",
        # Tests deliver the outbox themselves, when they mean to.
        exchange_dispatch=False,
    )


@pytest.fixture(scope="session")
def prepared(settings: Settings) -> dict[str, str]:
    """Migrated database with reference data and the demo users; name -> token."""
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url, pool_size=1)
    refdata.load(engine)
    users = demo.setup(engine, settings.secret_key)
    demo.load_tariff(settings, engine)
    demo.load_origin(settings, engine)
    # No random selection in tests: a declaration's channel must not depend on chance.
    from silkgate.store import risk as risk_store
    from silkgate.store.db import writing

    with writing(engine) as conn:
        risk_store.update_settings(conn, exploration_share=0)
    engine.dispose()
    return {user.name: token for user, token in users}


@pytest.fixture(scope="session")
def node(settings: Settings, prepared: dict[str, str]) -> Iterator[Node]:
    n = open_node(settings)
    yield n
    n.close()


@pytest.fixture(scope="session")
def tokens(prepared: dict[str, str]) -> dict[str, str]:
    return prepared


def load_example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


@pytest.fixture
def declaration() -> dict[str, Any]:
    """A fresh copy of the README's example declaration, with a unique LRN."""
    doc = copy.deepcopy(load_example())
    doc["lrn"] = "T-" + uuid.uuid4().hex[:12].upper()
    return doc
