"""Batch statements in the driver's own terms, below SQLAlchemy's per-row work.

A bulk list of 10,000 records makes tens of thousands of rows a request. Core's
``executemany`` turns every row's parameters through Python (compiling the
expanding ``IN``, naming each parameter, running each value's type processor):
about 40 µs a row, more than the database's own work. These statements hand the
driver plain tuples:

* **SQLite**: one prepared statement run by the driver's ``executemany`` (a loop in C);
* **PostgreSQL** (psycopg 3): ``COPY ... FROM STDIN`` for new rows, and for upserts and
  updates into a temporary table, then one ``INSERT ... SELECT`` or ``UPDATE ... FROM``.

Values go through each column's own bind processor (so an SQLite timestamp or
amount is stored exactly as Core stores it) once per column that has one. Every
statement runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

Key = tuple[str, str]  # (platform, order number)
_CHUNK = 2000  # keys a look-up at most (SQLite's limit on parameters is far above)


def is_postgresql(conn: sa.Connection) -> bool:
    return conn.dialect.name == "postgresql"


def cursor(conn: sa.Connection) -> Any:
    """A cursor of the connection's driver, inside the connection's transaction."""
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _mark(conn: sa.Connection) -> str:
    return "%s" if is_postgresql(conn) else "?"


def processed(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """``rows`` (tuples in the order of ``columns``) with each value as the driver takes it."""
    procs: list[tuple[int, Callable[[Any], Any]]] = []
    for i, name in enumerate(columns):
        proc = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        if proc is not None:
            procs.append((i, proc))
    if not procs:
        return [tuple(row) for row in rows]
    # A batch's timestamps are mostly one value (the request's time): processed once.
    last: list[tuple[Any, Any]] = [(None, None)] * len(procs)
    out = []
    for row in rows:
        values = list(row)
        for n, (i, process) in enumerate(procs):
            value = values[i]
            if value is None:
                continue
            seen, done = last[n]
            if value is not seen:
                done = process(value)
                last[n] = (value, done)
            values[i] = done
        out.append(tuple(values))
    return out


def _staged(
    conn: sa.Connection, cur: Any, table: sa.Table, columns: Sequence[str], values: list[Any]
) -> str:
    """``values`` copied into a temporary table of ``columns`` (PostgreSQL), dropped at the
    end of the transaction; its name. ``COPY`` rather than arrays: psycopg dumps a
    parameter list element by element in Python, a ``COPY`` row in C."""
    global _staging
    _staging += 1
    name = f"stage_{table.name}_{_staging}"
    names = ", ".join(columns)
    cur.execute(
        f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS "
        f"SELECT {names} FROM {table.name} WITH NO DATA"
    )
    with cur.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
    return name


_staging = 0


def insert(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """New rows: ``COPY`` on PostgreSQL, one prepared INSERT on SQLite."""
    if not rows:
        return
    values = processed(conn, table, columns, rows)
    names = ", ".join(columns)
    cur = cursor(conn)
    try:
        if is_postgresql(conn):
            with cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cur.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)
    finally:
        cur.close()


def insert_missing(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict: Sequence[str],
) -> None:
    """Rows whose ``conflict`` key is not there yet (``ON CONFLICT DO NOTHING``)."""
    if not rows:
        return
    values = processed(conn, table, columns, rows)
    names, keys = ", ".join(columns), ", ".join(conflict)
    cur = cursor(conn)
    try:
        if is_postgresql(conn):
            stage = _staged(conn, cur, table, columns, values)
            cur.execute(
                f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage} "
                f"ORDER BY {keys} ON CONFLICT ({keys}) DO NOTHING"
            )
        else:
            marks = ", ".join("?" for _ in columns)
            cur.executemany(
                f"INSERT INTO {table.name} ({names}) VALUES ({marks}) "
                f"ON CONFLICT ({keys}) DO NOTHING",
                values,
            )
    finally:
        cur.close()


def update(
    conn: sa.Connection,
    table: sa.Table,
    keys: Sequence[str],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> None:
    """Set ``columns`` of the row each tuple names: a tuple is the key's values, then the
    columns' values."""
    if not rows:
        return
    every = [*keys, *columns]
    values = processed(conn, table, every, rows)
    cur = cursor(conn)
    try:
        if is_postgresql(conn):
            stage = _staged(conn, cur, table, every, values)
            sets = ", ".join(f"{c} = d.{c}" for c in columns)
            match = " AND ".join(f"{table.name}.{k} = d.{k}" for k in keys)
            cur.execute(f"UPDATE {table.name} SET {sets} FROM {stage} AS d WHERE {match}")
        else:
            sets = ", ".join(f"{c} = ?" for c in columns)
            match = " AND ".join(f"{k} = ?" for k in keys)
            width = len(keys)
            cur.executemany(
                f"UPDATE {table.name} SET {sets} WHERE {match}",
                [(*row[width:], *row[:width]) for row in values],
            )
    finally:
        cur.close()


def _one_of(conn: sa.Connection, column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """``column`` is one of ``values``, and the parameters that says it with.

    On PostgreSQL the codes (record ids, order numbers, hashes: never a comma) travel as
    one string split by the server: psycopg turns each of 2,000 placeholders, or each
    element of an array parameter, in Python, at tens of milliseconds a statement.
    """
    if is_postgresql(conn):
        joined = ",".join(values)
        if joined.count(",") == len(values) - 1:
            return f"{column} = ANY(string_to_array(%s, ','))", [joined]
    return f"{column} IN ({', '.join([_mark(conn)] * len(values))})", list(values)


def _unprepared(conn: sa.Connection) -> dict[str, Any]:
    """Planned for its own parameters each time (PostgreSQL): psycopg prepares a statement
    run five times, and the generic plan of a look-up by a list of keys, made while the
    table was small, walks the whole table when it has grown."""
    return {"prepare": False} if is_postgresql(conn) else {}


def by_platform(keys: Sequence[Key]) -> Iterator[tuple[str, list[str]]]:
    """The order numbers of ``keys`` per platform, at most :data:`_CHUNK` at a time."""
    grouped: dict[str, list[str]] = {}
    for platform, order_no in sorted(keys):
        grouped.setdefault(platform, []).append(order_no)
    for platform, numbers in grouped.items():
        for start in range(0, len(numbers), _CHUNK):
            yield platform, numbers[start : start + _CHUNK]


def select_keyed(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    keys: Sequence[Key],
    where: str = "",
    params: Sequence[Any] = (),
    suffix: str = "",
) -> list[tuple[Any, ...]]:
    """``columns`` of ``table``'s rows of these parcels (and ``where``, with ``params``).

    ``platform = ? AND order_no IN (...)`` per platform: the form both databases answer
    from the (platform, order_no) index.
    """
    mark = _mark(conn)
    found: list[tuple[Any, ...]] = []
    cur = cursor(conn)
    try:
        for platform, numbers in by_platform(keys):
            within, listed = _one_of(conn, "order_no", numbers)
            args = [platform, *listed]
            extra = f" AND {where.replace('?', mark)}" if where else ""
            cur.execute(
                f"SELECT {', '.join(columns)} FROM {table.name} "
                f"WHERE platform = {mark} AND {within}{extra} {suffix}",
                [*args, *params],
                **_unprepared(conn),
            )
            found.extend(cur.fetchall())
    finally:
        cur.close()
    return found


def select_in(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    where: str,
    params: Sequence[Any],
    column: str,
    values: Sequence[Any],
    suffix: str = "",
) -> list[tuple[Any, ...]]:
    """``columns`` of the rows where ``where`` holds and ``column`` is one of ``values``."""
    mark = _mark(conn)
    found: list[tuple[Any, ...]] = []
    cur = cursor(conn)
    try:
        for start in range(0, len(values), _CHUNK):
            chunk = list(values[start : start + _CHUNK])
            within, args = _one_of(conn, column, chunk)
            cur.execute(
                f"SELECT {', '.join(columns)} FROM {table.name} "
                f"WHERE {where.replace('?', mark)} AND {within} {suffix}",
                [*params, *args],
                **_unprepared(conn),
            )
            found.extend(cur.fetchall())
    finally:
        cur.close()
    return found
