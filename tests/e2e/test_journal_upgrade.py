"""`silkgate db upgrade` re-seals an old node's journal with the key from its secret."""

from __future__ import annotations

import sqlalchemy as sa

from silkgate.store.db import make_engine
from silkgate.store.tables import journal
from tests.e2e.conftest import run_cli
from tests.integration.test_journal_upgrade import BEFORE, old_node, url  # noqa: F401 (fixture)


def test_the_upgrade_reseals_an_old_journal_that_then_verifies(settings, url):  # noqa: F811
    old_node(url)
    node = settings.model_copy(update={"database_url": url})
    upgraded = run_cli(node, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    verified = run_cli(node, "journal", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "6 entries verified" in verified.stdout
    # Under another secret, the same journal does not verify.
    other = node.model_copy(update={"secret_key": "another-secret-0123456789"})
    assert run_cli(other, "journal", "verify").returncode == 1


def test_the_upgrade_refuses_an_old_journal_that_does_not_verify(settings, url):  # noqa: F811
    old_node(url)
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(journal.update().where(journal.c.seq == 2).values(actor="someone-else"))
    engine.dispose()
    node = settings.model_copy(update={"database_url": url})
    refused = run_cli(node, "db", "upgrade")
    assert refused.returncode == 1
    assert "journal entry 2 does not verify" in refused.stderr
    engine = make_engine(url, pool_size=1)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == BEFORE
    engine.dispose()
