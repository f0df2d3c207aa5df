"""Test databases on SQLite (the default) or PostgreSQL (TEST_DATABASE_URL).

The migrations run once, into a template; every test starts from a clean copy of a
template. On SQLite a copy is a file copy. On PostgreSQL the migrated template is
cloned once into a working database that is emptied before each test (every row
deleted, ids restarted: see `_emptying`); a test that needs a second database at
the same time, or a copy of another template (the demo's), gets a CREATE DATABASE …
TEMPLATE clone that is dropped after it. See docs/adr (the per-test PostgreSQL
database).
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url


def for_environment(folder: Path) -> SqliteDatabases | PostgresDatabases:
    url = os.environ.get("TEST_DATABASE_URL")
    return PostgresDatabases(url) if url else SqliteDatabases(folder)


class SqliteDatabases:
    """A template is a file; a test's database is a copy of it in the test's folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._names = itertools.count(1)

    def new_template(self, build: Callable[[str], None], base: str | None = None) -> str:
        """A template built by `build(url)`, starting empty or from the template `base`."""
        path = self.folder / f"template{next(self._names)}.sqlite"
        if base:
            shutil.copy(make_url(base).database, path)
        url = f"sqlite:///{path}"
        build(url)
        return url

    def fresh(self, template: str, folder: Path) -> str:
        path = folder / f"casework{next(self._names)}.sqlite"
        shutil.copy(make_url(template).database, path)
        return f"sqlite:///{path}"

    def release(self, url: str) -> None:
        """Nothing to do: the file goes with the test's temporary folder."""

    def reuse_for(self, template: str) -> None:
        """Nothing to do: copying a file is quicker than emptying one."""

    def close(self) -> None:
        pass


class PostgresDatabases:
    """Databases named after TEST_DATABASE_URL's and this process, on its server."""

    def __init__(self, url: str):
        self.url = make_url(url)
        self.prefix = f"{self.url.database}_{os.getpid()}"
        self.admin = self._connect(self.url.database)
        self.admin.execute("SET lock_timeout = '20s'")
        self._names = itertools.count(1)
        self.created: list[str] = []
        self.work: str | None = None  # the database emptied and used again, and its template
        self.work_template: str | None = None
        self.work_in_use = False
        self.work_schema: tuple = ()
        self.emptying: list[str] = []  # the statements that empty it

    def _url(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _connect(self, name: str):
        import psycopg

        url = self.url.set(drivername="postgresql", database=name)
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def _create(self, template: str | None = None) -> str:
        name = f"{self.prefix}_{next(self._names)}"
        source = f' TEMPLATE "{make_url(template).database}"' if template else ""
        self.admin.execute(f'CREATE DATABASE "{name}"{source}')
        self.created.append(name)
        return name

    def _drop(self, name: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.remove(name)

    def new_template(self, build: Callable[[str], None], base: str | None = None) -> str:
        url = self._url(self._create(base))
        build(url)  # which must close its connections: a template is copied only when idle
        return url

    def fresh(self, template: str, folder: Path) -> str:
        if self.work_in_use or template != self.work_template:
            return self._url(self._create(template))
        self.work_in_use = True
        if self.work is None or not self._emptied(self.work):
            if self.work is not None:
                self._drop(self.work)
            self.work = self._create(template)
        return self._url(self.work)

    def release(self, url: str) -> None:
        name = make_url(url).database
        if name == self.work:
            self.work_in_use = False
        else:
            self._drop(name)

    def reuse_for(self, template: str) -> None:
        """Tests on `template` share one database, emptied before each of them."""
        self.work_template = template
        with self._connect(make_url(template).database) as connection:
            self.work_schema = _schema(connection)
            self.emptying = _emptying(connection)

    def _emptied(self, name: str) -> bool:
        """Empty every table but alembic_version and restart the ids; False if the database
        is not as its template left it (a test migrated it elsewhere): it is made again."""
        import psycopg

        try:
            with self._connect(name) as connection:
                connection.execute("SET lock_timeout = '20s'")
                if _schema(connection) != self.work_schema:
                    return False
                with connection.transaction():  # nobody else ever sees the triggers off
                    for statement in self.emptying:
                        connection.execute(statement)
        except psycopg.Error:
            return False
        return True

    def close(self) -> None:
        for name in list(self.created):
            self._drop(name)
        self.admin.close()


def _tables(connection) -> list[str]:
    return _names(
        connection, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    )


def _emptying(connection) -> list[str]:
    """DELETE from each table, those that others point at last; ids restarted. (On tables
    this small, three times quicker than TRUNCATE, and ten times quicker than a new
    database from the template, measured on a loaded 2-core machine.) Triggers are off
    meanwhile: the audit trail's refuse a DELETE."""
    guarded = _names(
        connection,
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE NOT t.tgisinternal AND n.nspname = 'public'",
    )
    referred_last = _names(
        connection,
        """WITH RECURSIVE below (table_id, depth) AS (
            SELECT c.oid, 0 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'
            UNION ALL
            SELECT f.conrelid, below.depth + 1 FROM below JOIN pg_constraint f
            ON f.confrelid = below.table_id AND f.contype = 'f' AND f.conrelid <> f.confrelid
            WHERE below.depth < 50  -- keys in a circle: the DELETE fails, the copy is made anew
        )
        SELECT c.relname FROM below JOIN pg_class c ON c.oid = below.table_id
        GROUP BY c.relname ORDER BY max(below.depth) DESC, c.relname""",
    )
    sequences = _names(
        connection,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'S'",
    )
    return [
        *(f"ALTER TABLE {table} DISABLE TRIGGER USER" for table in guarded),
        *(f"DELETE FROM {table}" for table in referred_last),  # noqa: S608 (names quoted)
        *(f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in guarded),
        *(f"ALTER SEQUENCE {sequence} RESTART" for sequence in sequences),
    ]


def _names(connection, query: str) -> list[str]:
    """The first column of `query`, each name quoted for SQL."""
    from psycopg.sql import Identifier

    return [Identifier(row[0]).as_string(connection) for row in connection.execute(query)]


def _schema(connection) -> tuple:
    """The tables and the migration they are at: enough to tell a database left elsewhere."""
    version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    return tuple(_tables(connection)), tuple(version)
