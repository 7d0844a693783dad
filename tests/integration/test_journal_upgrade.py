"""Revision 0010 re-seals a journal written under the unkeyed scheme, once, and says so."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from silkgate.declarations.journal import GENESIS
from silkgate.declarations.journal_keys import JournalKeys
from silkgate.store import journal as journal_store
from silkgate.store import migrate
from silkgate.store.db import make_engine
from silkgate.store.tables import declarations, journal, journal_head
from tests.conftest import SECRET, _postgres_database

KEYS = JournalKeys(SECRET)
SCRIPTS = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
HEAD = SCRIPTS.get_current_head()
# The revision before the keyed journal: what a node that journals the old way is at.
BEFORE = SCRIPTS.get_revision("0010").down_revision
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
OLD_COLUMNS = ("at", "actor", "declaration_id", "mrn", "version", "event")
OLD_COLUMNS += ("from_status", "to_status", "reason")


@pytest.fixture
def url(tmp_path) -> Iterator[str]:
    base = os.environ.get("SILKGATE_TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path / 'old.db'}"


def unkeyed(row: dict[str, Any], prev: str) -> str:
    """How entries were hashed before revision 0010."""
    at = row["at"].astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = [row["seq"], at, row["actor"], row["mrn"], row["version"], row["event"]]
    content += [row["from_status"], row["to_status"], row["reason"]]
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def old_node(url: str, n: int = 5) -> list[dict[str, Any]]:
    """A database just before revision 0010 with ``n`` entries chained the old way."""
    migrate.upgrade(url, BEFORE)
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as conn:
            declaration_id = conn.execute(
                declarations.insert().values(
                    mrn="26CNOLD0000000001",
                    type="IM",
                    status="lodged",
                    version=1,
                    office="CNSHA",
                    declarant_id="91310000MA1FL0001X",
                    lrn="OLD-1",
                    currency="USD",
                    invoice_amount=Decimal("100"),
                    item_count=1,
                    lodged_at=T0,
                    updated_at=T0,
                )
            ).inserted_primary_key[0]
            rows, prev = [], GENESIS
            for seq in range(1, n + 1):
                row = {
                    "seq": seq,
                    "at": T0 + dt.timedelta(minutes=seq),
                    "actor": "officer.li" if seq % 2 else "silkgate",
                    "declaration_id": declaration_id if seq < n else None,
                    "mrn": "26CNOLD0000000001" if seq < n else None,
                    "version": 1,
                    "event": "lodged" if seq == 1 else "noted",
                    "from_status": None,
                    "to_status": "lodged",
                    "reason": f"step {seq} — ü",
                }
                row["prev_hash"], row["hash"] = prev, unkeyed(row, prev)
                prev = row["hash"]
                rows.append(row)
            conn.execute(journal.insert(), rows)
            conn.execute(journal_head.update().values(seq=n, hash=prev))
    finally:
        engine.dispose()
    return rows


def read(url: str) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            # The columns the revision has (no key_id before 0010), read as the store reads them.
            names = [c["name"] for c in sa.inspect(conn).get_columns("journal")]
            query = sa.select(*(journal.c[n] for n in names)).order_by(journal.c.seq)
            rows = [r._asdict() for r in conn.execute(query)]
            head = conn.execute(sa.select(journal_head)).one()._asdict()
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    return rows, head, revision


def verify(url: str, keys: JournalKeys = KEYS) -> tuple[int, Any]:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            return journal_store.verify(conn, keys)
    finally:
        engine.dispose()


def test_an_old_journal_is_resealed_under_the_key_and_the_resealing_is_journaled(url):
    old = old_node(url)
    migrate.upgrade(url, journal_key=KEYS.sealing())
    rows, head, revision = read(url)
    assert revision == HEAD and verify(url) == (6, None)
    assert (head["seq"], head["hash"]) == (6, rows[-1]["hash"])
    # The entries say what they said; only their seals changed.
    for before, after in zip(old, rows, strict=False):
        assert {k: after[k] for k in OLD_COLUMNS} == {k: before[k] for k in OLD_COLUMNS}
        assert after["key_id"] == "j1" and after["hash"] != before["hash"]
    note = rows[-1]
    assert (note["event"], note["actor"], note["key_id"]) == ("journal_rechained", "silkgate", "j1")
    assert note["reason"] == (
        "entries 1..5 re-sealed with journal key j1; "
        f"the unkeyed chain ended at entry 5 with hash {old[-1]['hash']}"
    )
    # Another secret does not verify it: the seals are keyed.
    _, problem = verify(url, JournalKeys("another-secret-0123456789"))
    assert problem is not None and problem.seq == 1
    migrate.upgrade(url, journal_key=KEYS.sealing())  # idempotent: nothing re-sealed again
    assert read(url)[0] == rows


def test_an_old_journal_that_does_not_verify_is_not_resealed(url):
    old_node(url)
    engine = make_engine(url, pool_size=1)
    with engine.begin() as conn:
        conn.execute(journal.update().where(journal.c.seq == 3).values(reason="edited"))
    engine.dispose()
    before = read(url)
    with pytest.raises(RuntimeError, match="journal entry 3 does not verify"):
        migrate.upgrade(url, journal_key=KEYS.sealing())
    assert read(url) == before and before[2] == BEFORE


def test_an_old_journal_is_not_upgraded_without_the_key(url):
    old_node(url)
    before = read(url)
    with pytest.raises(RuntimeError, match="SILKGATE_SECRET_KEY"):
        migrate.upgrade(url)
    assert read(url) == before


def test_an_empty_journal_needs_no_key(url):
    migrate.upgrade(url)
    assert verify(url) == (0, None)


def test_a_downgrade_goes_back_to_the_unkeyed_chain(url):
    old_node(url)
    migrate.upgrade(url, journal_key=KEYS.sealing())
    migrate.downgrade(url, BEFORE)
    rows, head, revision = read(url)
    assert revision == BEFORE and "key_id" not in rows[0] and len(rows) == 6
    prev = GENESIS
    for row in rows:
        assert (row["prev_hash"], row["hash"]) == (prev, unkeyed(row, prev))
        prev = row["hash"]
    assert (head["seq"], head["hash"]) == (6, prev)
    migrate.upgrade(url, journal_key=KEYS.sealing())
    assert verify(url) == (7, None)
