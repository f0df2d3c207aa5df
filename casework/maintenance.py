"""Keeping the query planner's statistics fresh as the database grows by use.

SQLite gathers statistics only when told (ANALYZE); its advice
(https://sqlite.org/lang_analyze.html#pragopt) is `PRAGMA optimize` when a connection
closes, which ANALYZEs the tables that connection's queries would have planned better
with fresh statistics, and now and then from a maintenance job. The first is the pool's
"close" event (casework/__init__.py); the second is `casework maintain`, run from cron
beside the backup. PostgreSQL's autovacuum daemon already runs ANALYZE (autoanalyze) on
every table whose rows changed enough, so there is nothing to add there.

On both, `casework maintain` also forgets what "nothing saved twice" (ADR 0036) no longer
needs: API idempotency keys past their 24 hours, and spent form tokens older than the
oldest form a token is still accepted from (rules.FORM_TOKEN_DAYS).
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import click
from flask.cli import with_appcontext
from sqlalchemy import Connection, delete, text

from . import clock, rules
from .extensions import db
from .models import FormToken, IdempotencyKey

# Rows read per index by ANALYZE: SQLite suggests 100 to 1000 for PRAGMA optimize. An
# approximate statistic is as good for choosing a plan, and the job stays quick at any size.
ANALYSIS_LIMIT = 1000
# From SQLite 3.46, bit 0x10000 makes PRAGMA optimize look at every table, not only the
# ones this connection has read (a fresh connection, as here, has read none).
EVERY_TABLE_SINCE = (3, 46, 0)


def optimize_on_close(dbapi_connection) -> None:
    """`PRAGMA optimize` on an SQLite connection about to close (nothing for others)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        dbapi_connection.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        dbapi_connection.execute("PRAGMA optimize")
    except sqlite3.Error:  # a connection closed because it broke: statistics can wait
        pass


def optimize_sqlite(connection: Connection) -> list[str]:
    """Gather the statistics an SQLite database is missing or has outgrown; the tables done."""
    connection.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
    if sqlite3.sqlite_version_info >= EVERY_TABLE_SINCE:
        # bit 1 on: only say what it would do (ANALYZE "main"."people"), then do it
        planned = [row[0] for row in connection.execute(text("PRAGMA optimize(0x10003)"))]
        connection.execute(text("PRAGMA optimize(0x10002)"))
        return [statement.split(".")[-1].strip('"') for statement in planned]
    # Older SQLite's PRAGMA optimize looks only at the tables this connection has read,
    # which is none: every table instead, at the same bounded cost per index.
    connection.execute(text("ANALYZE"))
    return list(connection.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1 ORDER BY tbl")))


def forget_spent_claims(session) -> tuple[int, int]:
    """Remove idempotency keys past their hours and form tokens past their days; how many
    of each. A form token is kept as long as a form carrying it is accepted, so a form sent
    again is always recognised (casework/once.py refuses older ones)."""
    now = clock.now()
    keys = session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.created_at < now - dt.timedelta(hours=rules.IDEMPOTENCY_HOURS)
        )
    ).rowcount
    tokens = session.execute(
        delete(FormToken).where(
            FormToken.used_at < now - dt.timedelta(days=rules.FORM_TOKEN_DAYS + 1)
        )
    ).rowcount
    session.commit()
    return keys, tokens


@click.command("maintain")
@with_appcontext
def maintain_command() -> None:
    """Forget spent idempotency keys and form tokens, and keep the database's query-planning
    statistics fresh (run it nightly from cron)."""
    keys, tokens = forget_spent_claims(db.session)
    click.echo(f"Forgot {keys:,} expired idempotency keys and {tokens:,} spent form tokens.")
    engine = db.engine
    if engine.dialect.name != "sqlite":
        click.echo(
            "PostgreSQL: nothing to do. Its autovacuum daemon keeps the planner's statistics "
            "fresh (autoanalyze) as tables change; leave it switched on."
        )
        return
    with engine.begin() as connection:
        tables = optimize_sqlite(connection)
    if not tables:
        click.echo("SQLite: PRAGMA optimize found every table's statistics fresh.")
        return
    click.echo(
        f"SQLite: statistics gathered (at most {ANALYSIS_LIMIT:,} rows an index) for "
        f"{len(tables)} table{'' if len(tables) == 1 else 's'}: {', '.join(tables)}."
    )


def register(app) -> None:
    app.cli.add_command(maintain_command)
