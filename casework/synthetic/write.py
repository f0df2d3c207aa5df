"""Write generated rows in bulk: COPY on PostgreSQL, one executemany per table on SQLite.

Row by row through the ORM, a million demands take the best part of an hour;
this way they take seconds. The rows carry their own ids, so PostgreSQL's
sequences are moved past them afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import contextmanager

from sqlalchemy import Connection, MetaData, text
from sqlalchemy.schema import AddConstraint, DropConstraint


def _sqlite_rows(rows: list[tuple]):
    """The rows with dates and moments as SQLite keeps them (text), converting only the
    columns that hold them. Every moment generated is already in UTC."""
    sample = rows[:1000]
    dated = [
        i
        for i in range(len(sample[0]) if sample else 0)
        if any(isinstance(row[i], dt.date) for row in sample)
    ]
    for row in rows:
        row = list(row)
        for i in dated:
            value = row[i]
            if value is not None:
                # 'YYYY-MM-DD' for a date; 'YYYY-MM-DD HH:MM:SS.ffffff' for a moment
                row[i] = (
                    value.isoformat(" ", "microseconds")[:26]
                    if isinstance(value, dt.datetime)
                    else value.isoformat()
                )
        yield row


@contextmanager
def foreign_keys_checked_at_the_end(connection: Connection, metadata: MetaData, tables):
    """PostgreSQL checks a foreign key row by row as COPY writes (most of the time of a bulk
    load); dropped and added again inside the same transaction, each is checked once, in
    one pass over the table. SQLite's checks are cheap: nothing to do there."""
    if connection.dialect.name != "postgresql":
        yield
        return
    keys = [key for table in tables for key in metadata.tables[table].foreign_key_constraints]
    for key in keys:
        connection.execute(DropConstraint(key))
    yield
    for key in keys:
        connection.execute(AddConstraint(key))


def write_rows(connection: Connection, table: str, columns: tuple[str, ...], rows: list):
    """Insert the rows (tuples in `columns` order) into the table, in bulk."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    cursor = raw.cursor()
    cursor.execute("PRAGMA cache_size = -262144")  # 256 MB: the indexes are built as rows go in
    cursor.executemany(
        f"INSERT INTO {table} ({quoted}) VALUES ({marks})",  # noqa: S608 - our own table names
        _sqlite_rows(rows),
    )
    cursor.close()


def after_bulk_write(connection: Connection, tables: Iterable[str]) -> None:
    """Move PostgreSQL's id sequences past the ids written, then refresh the planner's
    statistics (a live database would have them; without, the first plans are poor)."""
    if connection.dialect.name == "postgresql":
        for table in tables:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
            )
    connection.execute(text("ANALYZE"))
