"""Counters of failed authentications, per source and fixed window (see ``kernel.throttle``)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from silkgate.store.db import upsert
from silkgate.store.tables import auth_failures


def count_failure(conn: sa.Connection, source: str, window_start: dt.datetime) -> int:
    """Add one failure to ``source``'s count in the window; the count after it.

    One statement (an upsert that returns the new count), so two processes
    counting at once never lose a failure.
    """
    f = auth_failures.c
    statement = (
        upsert(conn, auth_failures)
        .values(source=source, window_start=window_start, failures=1)
        .on_conflict_do_update(
            index_elements=[f.source, f.window_start], set_={"failures": f.failures + 1}
        )
        .returning(f.failures)
    )
    return int(conn.execute(statement).scalar_one())


def forget_before(conn: sa.Connection, before: dt.datetime) -> None:
    """Drop the counts of windows that started before ``before``."""
    conn.execute(auth_failures.delete().where(auth_failures.c.window_start < before))
