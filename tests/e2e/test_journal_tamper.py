"""`silkgate journal verify` finds a changed, moved, removed or rewritten journal row.

A real node process lodges and signs anchors; the CLI verifies the real
database; the tampering is done with plain SQL, as anyone who can write to
the database could.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import httpx
import sqlalchemy as sa

from silkgate.declarations.journal import Entry, entry_hash
from silkgate.declarations.journal_keys import derive
from silkgate.store.db import make_engine
from silkgate.store.tables import journal, journal_head
from tests.e2e.conftest import run_cli
from tests.integration.conftest import auth


def lodge(url: str, token: str, doc: dict[str, Any], suffix: str) -> dict[str, Any]:
    doc = {**doc, "lrn": doc["lrn"] + suffix}
    r = httpx.post(f"{url}/v1/declarations", json=doc, headers=auth(token), timeout=30)
    assert r.status_code == 201, r.text
    return r.json()


def lodged_entry(conn: sa.Connection, mrn: str) -> dict[str, Any]:
    row = conn.execute(
        sa.select(journal).where(journal.c.mrn == mrn, journal.c.event == "lodged")
    ).one()
    return row._asdict()


@contextlib.contextmanager
def restored(engine: sa.Engine, seq: int) -> Iterator[None]:
    """Put entries ``seq``... and the head back as they were, whatever the test did."""
    with engine.connect() as conn:
        rows = [r._asdict() for r in conn.execute(sa.select(journal).where(journal.c.seq >= seq))]
        head = conn.execute(sa.select(journal_head)).one()._asdict()
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(journal.delete().where(journal.c.seq >= seq))
            conn.execute(journal.insert(), rows)
            conn.execute(journal_head.update().values(seq=head["seq"], hash=head["hash"]))


def rewrite(engine: sa.Engine, seq: int, key_for: Any, **changes: Any) -> None:
    """Change entry ``seq`` and recompute every later hash, and the head, with ``key_for``."""
    with engine.begin() as conn:
        rows = conn.execute(sa.select(journal).where(journal.c.seq >= seq).order_by(journal.c.seq))
        prev = None
        for r in rows.all():
            e = Entry(*(getattr(r, f.name) for f in dataclasses.fields(Entry)))
            if e.seq == seq:
                e = dataclasses.replace(e, **changes)
                prev = r.prev_hash
            digest = entry_hash(e, prev, key_for(e.key_id))
            values = {f.name: getattr(e, f.name) for f in dataclasses.fields(Entry)}
            conn.execute(
                journal.update()
                .where(journal.c.seq == e.seq)
                .values(**values, prev_hash=prev, hash=digest)
            )
            prev = digest
        conn.execute(journal_head.update().values(hash=prev))


def verify(settings, *args: str):
    return run_cli(settings, "journal", "verify", *args)


def test_tampering_is_found_and_named(settings, live_node, tokens, declaration):
    mrn = lodge(live_node, tokens["acme-trading"], declaration, "A")["mrn"]
    ok = verify(settings)
    assert ok.returncode == 0, ok.stderr
    assert "journal intact" in ok.stdout

    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with engine.connect() as conn:
            victim = lodged_entry(conn, mrn)
        with restored(engine, victim["seq"]):
            with engine.begin() as conn:
                conn.execute(
                    journal.update()
                    .where(journal.c.seq == victim["seq"])
                    .values(actor="someone-else")
                )
            changed = verify(settings)
            assert changed.returncode == 1
            assert f"#{victim['seq']}" in changed.stderr and "TAMPERED" in changed.stderr

            with engine.begin() as conn:
                conn.execute(journal.delete().where(journal.c.seq == victim["seq"]))
            removed = verify(settings)
            assert removed.returncode == 1 and f"#{victim['seq']}" in removed.stderr
    finally:
        engine.dispose()
    assert verify(settings).returncode == 0


def test_an_entry_moved_to_another_declaration_is_found(settings, live_node, tokens, declaration):
    first = lodge(live_node, tokens["acme-trading"], declaration, "M1")["mrn"]
    second = lodge(live_node, tokens["acme-trading"], declaration, "M2")["mrn"]
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with engine.connect() as conn:
            victim = lodged_entry(conn, first)
            other = lodged_entry(conn, second)["declaration_id"]
        with restored(engine, victim["seq"]):
            with engine.begin() as conn:
                conn.execute(
                    journal.update()
                    .where(journal.c.seq == victim["seq"])
                    .values(declaration_id=other)
                )
            moved = verify(settings)
            assert moved.returncode == 1, moved.stdout
            assert f"#{victim['seq']}" in moved.stderr and "TAMPERED" in moved.stderr
    finally:
        engine.dispose()
    assert verify(settings).returncode == 0


def test_a_history_rewritten_with_the_key_fails_against_an_earlier_anchor(
    settings, live_node, tokens, declaration, tmp_path
):
    admin = auth(tokens["admin"])
    mrn = lodge(live_node, tokens["acme-trading"], declaration, "R1")["mrn"]
    assert httpx.get(f"{live_node}/v1/journal/anchor").status_code == 401
    refused = httpx.get(f"{live_node}/v1/journal/anchor", headers=auth(tokens["officer.li"]))
    assert refused.status_code == 403
    served = httpx.get(f"{live_node}/v1/journal/anchor", headers=admin)
    assert served.status_code == 200, served.text
    anchor = tmp_path / "anchor.json"
    anchor.write_text(served.text)
    printed = run_cli(settings, "journal", "anchor")  # `silkgate journal anchor > anchor.json`
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["seq"] >= served.json()["seq"]
    card = tmp_path / "card.json"
    assert run_cli(settings, "node", "card", "-o", str(card)).returncode == 0
    anchored = served.json()["seq"]
    lodge(live_node, tokens["acme-trading"], declaration, "R2")  # the journal goes on

    holds = verify(settings, "--anchor", str(anchor), "--card", str(card))
    assert holds.returncode == 0, holds.stderr
    assert f"anchor holds: entry {anchored}" in holds.stdout

    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with engine.connect() as conn:
            victim = lodged_entry(conn, mrn)
        assert victim["seq"] <= anchored
        with restored(engine, victim["seq"]):
            # Without the key, the rewritten entry itself does not verify.
            rewrite(engine, victim["seq"], lambda kid: derive("a guess", kid), reason="edited")
            outsider = verify(settings)
            assert outsider.returncode == 1 and f"#{victim['seq']}" in outsider.stderr
            # An insider with the journal key passes the plain check...
            rewrite(engine, victim["seq"], settings.journal_keys().key, reason="edited")
            assert verify(settings).returncode == 0
            # ...but not against the anchor taken before the rewrite.
            for extra in ([], ["--card", str(card)]):
                found = verify(settings, "--anchor", str(anchor), *extra)
                assert found.returncode == 1, found.stdout
                assert f"#{anchored}" in found.stderr and "rewritten" in found.stderr
    finally:
        engine.dispose()
    assert verify(settings, "--anchor", str(anchor)).returncode == 0


def test_an_altered_anchor_is_refused(settings, live_node, tokens, tmp_path):
    served = httpx.get(f"{live_node}/v1/journal/anchor", headers=auth(tokens["admin"])).json()
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps({**served, "seq": served["seq"] + 1}))
    refused = verify(settings, "--anchor", str(edited))
    assert refused.returncode == 1 and "differ from what was signed" in refused.stderr
