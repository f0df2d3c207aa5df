"""Planner statistics kept fresh: `casework maintain` on both databases, and SQLite's
`PRAGMA optimize` as a connection closes (casework/maintenance.py)."""

from __future__ import annotations

from sqlalchemy import select, text

from casework.extensions import db
from casework.models import Person
from tests.conftest import make_demand, make_person


def statistics_of(table: str) -> int:
    """How many sqlite_stat1 rows the table has (none before any ANALYZE: no such table)."""
    with db.engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        )
        if not exists:
            return 0
        return connection.scalar(
            text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = :table"), {"table": table}
        )


def grow_by_use(practitioner, people: int = 30) -> None:
    for n in range(people):
        make_demand(make_person(practitioner, family_name=f"Grown{n}"), practitioner)
    db.session.commit()


def test_maintain_gathers_statistics_a_database_grown_by_use_lacks(runner, practitioner):
    if db.engine.dialect.name != "sqlite":
        result = runner.invoke(args=["maintain"])
        assert result.exit_code == 0, result.output
        assert "autovacuum" in result.output and "nothing to do" in result.output
        return
    grow_by_use(practitioner)
    assert statistics_of("people") == 0 and statistics_of("demands") == 0

    result = runner.invoke(args=["maintain"])

    assert result.exit_code == 0, result.output
    assert statistics_of("people") > 0 and statistics_of("demands") > 0
    assert "people" in result.output and "demands" in result.output


def test_maintain_changes_nothing_on_postgresql_and_succeeds_on_both(runner, practitioner):
    grow_by_use(practitioner, people=2)
    result = runner.invoke(args=["maintain"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(db.func.count(Person.id))) == 2


def test_a_closing_sqlite_connection_gathers_the_statistics_its_queries_wanted(practitioner):
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL: autoanalyze; nothing runs as its connections close
    grow_by_use(practitioner)  # recording people reads them by their indexes (duplicates)
    db.session.scalars(select(Person).where(Person.family_name == "Grown3")).all()
    db.session.remove()
    assert statistics_of("people") == 0  # the connection is back in the pool, still open

    db.engine.dispose()  # the pool closes its connections

    assert statistics_of("people") > 0
