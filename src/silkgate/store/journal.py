"""Appending to and reading the hash-chained journal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import sqlalchemy as sa

from silkgate.declarations.journal import Entry, Tampering, entry_hash, verify_chain
from silkgate.store.tables import journal, journal_head


def append(
    conn: sa.Connection,
    *,
    at: dt.datetime,
    actor: str,
    event: str,
    declaration_id: int | None = None,
    mrn: str | None = None,
    version: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
) -> Entry:
    """Append one entry inside the caller's transaction (which must be a write transaction).

    Locking the head row serialises appenders on PostgreSQL; on SQLite the
    write transaction already holds the database lock.
    """
    head = conn.execute(
        sa.select(journal_head.c.seq, journal_head.c.hash)
        .where(journal_head.c.id == 1)
        .with_for_update()
    ).one()
    entry = Entry(head.seq + 1, at, actor, mrn, version, event, from_status, to_status, reason)
    digest = entry_hash(entry, head.hash)
    conn.execute(
        journal.insert().values(
            seq=entry.seq,
            at=at,
            actor=actor,
            declaration_id=declaration_id,
            mrn=mrn,
            version=version,
            event=event,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            prev_hash=head.hash,
            hash=digest,
        )
    )
    conn.execute(
        journal_head.update().where(journal_head.c.id == 1).values(seq=entry.seq, hash=digest)
    )
    return entry


def _entry(row: sa.Row) -> Entry:  # type: ignore[type-arg]
    return Entry(
        row.seq,
        row.at,
        row.actor,
        row.mrn,
        row.version,
        row.event,
        row.from_status,
        row.to_status,
        row.reason,
    )


def entries_for(conn: sa.Connection, declaration_id: int) -> list[Entry]:
    rows = conn.execute(
        sa.select(journal).where(journal.c.declaration_id == declaration_id).order_by(journal.c.seq)
    )
    return [_entry(r) for r in rows]


def verify(conn: sa.Connection, batch: int = 5000) -> tuple[int, Tampering | None]:
    """Verify the whole chain, streaming it in ``batch``-sized pages."""
    head = conn.execute(sa.select(journal_head).where(journal_head.c.id == 1)).one()

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

    return verify_chain(rows(), head.seq, head.hash)
