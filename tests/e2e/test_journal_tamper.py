"""`silkgate journal verify` finds a changed or removed journal row."""

from __future__ import annotations

import sqlalchemy as sa

from silkgate.store.db import make_engine
from silkgate.store.tables import journal
from tests.e2e.conftest import run_cli
from tests.integration.conftest import auth


def test_tampering_is_found_and_named(settings, node, tokens, declaration):
    from fastapi.testclient import TestClient

    from silkgate.app import create_app

    with TestClient(create_app(settings, node)) as client:
        r = client.post("/v1/declarations", json=declaration, headers=auth(tokens["acme-trading"]))
        assert r.status_code == 201
    ok = run_cli(settings, "journal", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "journal intact" in ok.stdout

    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with engine.begin() as conn:
            victim = (
                conn.execute(
                    sa.select(journal).where(
                        journal.c.mrn == r.json()["mrn"], journal.c.event == "lodged"
                    )
                )
                .one()
                ._asdict()
            )
            conn.execute(
                journal.update().where(journal.c.seq == victim["seq"]).values(actor="someone-else")
            )
        changed = run_cli(settings, "journal", "verify")
        assert changed.returncode == 1
        assert f"#{victim['seq']}" in changed.stderr and "TAMPERED" in changed.stderr

        with engine.begin() as conn:
            conn.execute(
                journal.update().where(journal.c.seq == victim["seq"]).values(actor=victim["actor"])
            )
            conn.execute(journal.delete().where(journal.c.seq == victim["seq"]))
        removed = run_cli(settings, "journal", "verify")
        assert removed.returncode == 1 and f"#{victim['seq']}" in removed.stderr
    finally:
        with engine.begin() as conn:
            conn.execute(journal.delete().where(journal.c.seq == victim["seq"]))
            conn.execute(journal.insert().values(**victim))
        engine.dispose()
    assert run_cli(settings, "journal", "verify").returncode == 0
