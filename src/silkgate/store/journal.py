"""Appending to and reading the keyed, hash-chained journal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from silkgate.declarations.journal import (
    GENESIS,
    Anchored,
    Entry,
    Keys,
    Tampering,
    entry_hash,
    verify_chain,
)
from silkgate.declarations.journal_keys import JournalKeys
from silkgate.kernel.events import JournalNote
from silkgate.store.tables import journal, journal_head

_HEAD = sa.select(journal_head.c.seq, journal_head.c.hash).where(journal_head.c.id == 1)
_INSERT = journal.insert()
_MOVE_HEAD = journal_head.update().where(journal_head.c.id == 1)


# What to journal; the sequence number and hashes are assigned on append.
Event = JournalNote


def append(conn: sa.Connection, keys: JournalKeys, *events: Event) -> list[Entry]:
    """Append ``events`` in order, sealed with the current journal key, in the caller's
    (write) transaction.

    Locking the head row serialises appenders on PostgreSQL; on SQLite the
    write transaction already holds the database lock. One head update covers
    the whole batch.
    """
    head = conn.execute(_HEAD.with_for_update()).one()
    key_id, key = keys.sealing()
    seq, prev = head.seq, head.hash
    entries, rows = [], []
    for ev in events:
        seq += 1
        entry = Entry(
            seq,
            ev.at,
            ev.actor,
            ev.declaration_id,
            ev.mrn,
            ev.version,
            ev.event,
            ev.from_status,
            ev.to_status,
            ev.reason,
            key_id,
        )
        digest = entry_hash(entry, prev, key)
        rows.append(
            {**ev.__dict__, "seq": seq, "key_id": key_id, "prev_hash": prev, "hash": digest}
        )
        entries.append(entry)
        prev = digest
    if rows:
        conn.execute(_INSERT, rows)
        conn.execute(_MOVE_HEAD, {"seq": seq, "hash": prev})
    return entries


def _entry(row: sa.Row[Any]) -> Entry:
    return Entry(
        row.seq,
        row.at,
        row.actor,
        row.declaration_id,
        row.mrn,
        row.version,
        row.event,
        row.from_status,
        row.to_status,
        row.reason,
        row.key_id,
    )


def entries_for(conn: sa.Connection, declaration_id: int) -> list[Entry]:
    rows = conn.execute(
        sa.select(journal).where(journal.c.declaration_id == declaration_id).order_by(journal.c.seq)
    )
    return [_entry(r) for r in rows]


def head(conn: sa.Connection) -> tuple[int, str, dt.datetime | None]:
    """The newest entry's sequence number, hash and time (``0``, genesis, None: empty)."""
    seq, digest = conn.execute(_HEAD).one()
    if seq == 0:
        return 0, GENESIS, None
    at = conn.execute(sa.select(journal.c.at).where(journal.c.seq == seq)).scalar_one_or_none()
    return seq, digest, at


def verify(
    conn: sa.Connection, keys: Keys, anchor: Anchored | None = None, batch: int = 5000
) -> tuple[int, Tampering | None]:
    """Verify the whole chain (and ``anchor``), streaming it in ``batch``-sized pages."""
    top = conn.execute(_HEAD).one()

    def rows() -> Iterator[tuple[Entry, str, str]]:
        last = 0
        while True:
            page = conn.execute(
                sa.select(journal).where(journal.c.seq > last).order_by(journal.c.seq).limit(batch)
            ).all()
            if not page:
                return
            for r in page:
                yield _entry(r), r.prev_hash, r.hash
            last = page[-1].seq

    return verify_chain(rows(), top.seq, top.hash, keys, anchor)
