"""Engines and transactions for SQLite (embedded) and PostgreSQL (production).

SQLite runs in WAL mode so readers never wait for the writer, and syncs every commit. Write
transactions start with ``BEGIN IMMEDIATE``: SQLite then takes the write lock
up front and waits for it (``busy_timeout``) instead of failing half-way when
two writers meet. PostgreSQL needs nothing special: the journal head row lock
serialises appenders.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import dml as postgresql_dml
from sqlalchemy.dialects.sqlite import dml as sqlite_dml


def make_engine(url: str, *, pool_size: int = 10) -> sa.Engine:
    """An engine for ``url``; creates the directory of an SQLite file if needed."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _configure_sqlite(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's begin event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: the write-ahead log is synced at every commit, so an acknowledged
        # declaration survives a power cut too. Group commit pays it once per batch.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class _WriterLock:
    """One writer at a time on an SQLite file, across threads and processes.

    SQLite's own busy handler polls with growing sleeps, so a writer that
    finds the database locked may sleep long after it was freed. A lock file
    held with ``flock`` wakes the next writer at once. Thread lock first:
    ``flock`` belongs to the open file, which all threads of a process share.
    """

    def __init__(self, path: Path) -> None:
        self._thread_lock = threading.Lock()
        self._fd = os.open(f"{path}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


_writer_locks: dict[str, _WriterLock] = {}
_writer_locks_guard = threading.Lock()
# Engines live as long as the node; remembering their lock saves a path lookup per write.
_lock_of_engine: weakref.WeakKeyDictionary[sa.Engine, _WriterLock | None] = (
    weakref.WeakKeyDictionary()
)


def _writer_lock(engine: sa.Engine) -> _WriterLock | None:
    try:
        return _lock_of_engine[engine]
    except KeyError:
        pass
    database = engine.url.database
    lock: _WriterLock | None = None
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        key = str(Path(database).resolve())
        with _writer_locks_guard:
            lock = _writer_locks.get(key)
            if lock is None:
                lock = _writer_locks[key] = _WriterLock(Path(key))
    _lock_of_engine[engine] = lock
    return lock


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection inside a write transaction, committed on exit, rolled back on error."""
    lock = _writer_lock(engine)
    with lock.held() if lock else nullcontext(), engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection inside a read transaction (one consistent snapshot)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def upsert(conn: sa.Connection, table: sa.Table) -> sqlite_dml.Insert | postgresql_dml.Insert:
    """An INSERT that can say ``on_conflict_do_update``, in the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql_dml.insert(table)
    return sqlite_dml.insert(table)
