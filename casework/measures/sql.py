"""Date arithmetic that reads the same on SQLite and PostgreSQL.

SQLite keeps dates as ISO text and has no date type to subtract; PostgreSQL
subtracts dates natively. These two constructs hide that difference so the
measures are written once, as SQL, for both.
"""

from __future__ import annotations

from sqlalchemy import Date, Integer, literal_column, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class days_before(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """`days_before(date, n)`: the date n whole days before `date`."""

    type = Date()
    inherit_cache = True
    name = "days_before"


@compiles(days_before)
def _days_before_default(element, compiler, **kw):  # PostgreSQL and others: date - integer
    day, days = list(element.clauses)
    return f"({compiler.process(day, **kw)} - CAST({compiler.process(days, **kw)} AS INTEGER))"


@compiles(days_before, "sqlite")
def _days_before_sqlite(element, compiler, **kw):
    day, days = list(element.clauses)
    return (
        f"date({compiler.process(day, **kw)}, "
        f"'-' || CAST({compiler.process(days, **kw)} AS TEXT) || ' days')"
    )


class days_between(FunctionElement):  # noqa: N801
    """`days_between(later, earlier)`: whole days from `earlier` to `later`."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


def any_row(*conditions):
    """`EXISTS (SELECT 1 FROM ... WHERE conditions)`. SQLite answers this from a covering
    index; for `EXISTS (SELECT * ...)`, what `exists()` writes, it reads every table row."""
    return select(literal_column("1")).where(*conditions).exists()


def for_reporting(session) -> None:
    """PostgreSQL, for the rest of this transaction: no JIT compilation (for these statements
    it costs most of a second each and saves less) and sorts and hashes in memory (the
    default 4 MB spills a year's window of demands to disk). SQLite: nothing to set."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))
