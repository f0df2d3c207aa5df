"""`casework backup FILE` and `casework restore FILE`: the whole database in one file.

SQLite: the online backup API (a consistent copy page by page, safe while the app is
serving). PostgreSQL: `pg_dump --format=custom`, restored by `pg_restore --clean
--if-exists` in a single transaction. A restore checks first that the file is a
Casework backup of the same kind of database, at a revision these migrations know;
then it replaces everything and migrates the result up to the current schema.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import URL, Engine

from . import audit
from .clitools import already_exists, force_option
from .extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Tables every revision of Casework has: a file without them is not a Casework backup.
CASEWORK_TABLES = {"alembic_version", "teams", "users", "people", "demands", "cases"}
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupRefused(Exception):
    """A backup or restore that cannot go ahead; the message says why, in plain words."""


@dataclass(frozen=True)
class BackupFile:
    """What a backup file holds, found without touching the database."""

    path: Path
    kind: str  # a dialect name: "sqlite" or "postgresql"
    revision: str  # the migration its database was at


# Taking a backup


def take_backup(engine: Engine, path: Path, *, force: bool = False) -> None:
    """Write the whole database to `path` (readable by its owner only), all or nothing."""
    kind = _kind(engine)
    if path.exists() and not force:
        raise BackupRefused(already_exists(path))
    if not path.parent.is_dir():
        raise BackupRefused(f"there is no folder {path.parent} to write the backup in.")
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        if kind == "sqlite":
            _sqlite_backup(engine, partial)
        else:
            _run(_pg_tool("pg_dump"), "--format=custom", f"--file={partial}", engine=engine)
        partial.replace(path)
    except (OSError, sqlite3.Error) as error:
        said = getattr(error, "strerror", None) or error
        raise BackupRefused(f"cannot write {path}: {said}.") from error
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_backup(engine: Engine, target: Path) -> None:
    with engine.connect() as connection, closing(sqlite3.connect(target)) as out:
        connection.connection.driver_connection.backup(out)
        out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it


# Reading a backup


def read_backup(path: Path, engine: Engine) -> BackupFile:
    """Check that `path` is a Casework backup that can be restored into `engine`'s database,
    and say what it holds; refuse anything else."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupRefused(f"cannot read {path}: {error.strerror or error}.") from error
    if start.startswith(SQLITE_MAGIC):
        tables, revision = _sqlite_contents(path)
        kind = "sqlite"
    elif start.startswith(PG_DUMP_MAGIC):
        tables, revision = _pg_dump_contents(path)
        kind = "postgresql"
    else:
        raise BackupRefused(f"{path} is not a Casework backup (neither SQLite nor pg_dump).")
    missing = CASEWORK_TABLES - tables
    if missing or revision is None:
        raise BackupRefused(
            f"{path} is a {KINDS[kind]} database, but not a Casework backup "
            f"(it has no {', '.join(sorted(missing)) or 'migration revision'})."
        )
    if revision not in revisions():
        raise BackupRefused(
            f"{path} is at migration {revision}, which this version of Casework does not "
            "know: it was taken by a newer version. Restore it with that version."
        )
    if kind != _kind(engine):
        raise BackupRefused(
            f"{path} is a backup of a {KINDS[kind]} database; this Casework uses "
            f"{KINDS[_kind(engine)]}. Restore it into a {KINDS[kind]} database."
        )
    if kind == "sqlite":
        _check_sqlite_schema(path, revision)
    return BackupFile(path, kind, revision)


def _sqlite_contents(path: Path) -> tuple[set[str], str | None]:
    try:
        with closing(_open_read_only(path)) as backup:
            if backup.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupRefused(f"{path} is damaged: SQLite's check of it failed.")
            rows = backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {name for (name,) in rows}
            if "alembic_version" not in tables:
                return tables, None
            row = backup.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{path} cannot be read as a SQLite database ({error}).") from error
    return tables, row[0] if row else None


def _check_sqlite_schema(path: Path, revision: str) -> None:
    """Refuse a file whose tables, indexes, triggers or views are not exactly what the
    migrations make at its revision: the restore copies them all, so a file edited by hand
    could otherwise drop the audit trail's append-only triggers or bring triggers of its own."""
    with closing(_open_read_only(path)) as backup:
        found = _sqlite_schema(backup)
    expected = _migrated_sqlite_schema(revision)
    if found != expected:
        extra = {(kind, name) for kind, name, *_ in found - expected}
        missing = {(kind, name) for kind, name, *_ in expected - found}
        differences = [f"a changed {kind} {name}" for kind, name in sorted(extra & missing)]
        differences += [f"its own {kind} {name}" for kind, name in sorted(extra - missing)]
        differences += [f"no {kind} {name}" for kind, name in sorted(missing - extra)]
        raise BackupRefused(
            f"{path} is a Casework backup at migration {revision}, but its database is not as "
            f"the migrations made it ({'; '.join(differences[:5])}): it may have been edited."
        )


def _sqlite_schema(connection: sqlite3.Connection) -> set[tuple[str, str, str, str]]:
    """Every table, index, trigger and view with its SQL (SQLite's own objects aside)."""
    rows = connection.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    )
    return {(kind, name, table, _comparable(kind, sql or "")) for kind, name, table, sql in rows}


def _comparable(kind: str, sql: str) -> str:
    """The SQL with its spacing evened out, and a table's columns and constraints sorted:
    SQLite's batch migrations rebuild a table with its constraints in no fixed order, and
    name it in quotes (CREATE TABLE "users"), which means the same as without."""
    sql = " ".join(sql.split())
    if kind != "table" or "(" not in sql:
        return sql
    head, _, body = sql.partition("(")
    head = head.replace('"', "")
    parts, depth, start = [], 0, 0
    for at, char in enumerate(body[:-1]):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(body[start:at].strip())
            start = at + 1
    parts.append(body[start:-1].strip())
    return f"{head}({', '.join(sorted(parts))})"


def _migrated_sqlite_schema(revision: str) -> set[tuple[str, str, str, str]]:
    """The schema the migrations make at `revision`, built in a scratch SQLite file."""
    from . import create_app

    with tempfile.TemporaryDirectory() as folder:
        reference = Path(folder) / "reference.sqlite"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{reference}",
                "SECRET_KEY": current_app.config["SECRET_KEY"],
                "INSTANCE_PATH": folder,
            }
        )
        with app.app_context():
            upgrade(revision=revision)
            db.engine.dispose()
        with closing(sqlite3.connect(reference)) as connection:
            return _sqlite_schema(connection)


def _pg_dump_contents(path: Path) -> tuple[set[str], str | None]:
    pg_restore = _pg_tool("pg_restore")
    try:
        listing = _run(pg_restore, "--list", str(path))
        _run(pg_restore, f"--file={os.devnull}", str(path))  # every part of it can be read
    except BackupRefused as error:
        raise BackupRefused(f"{path} is not a whole pg_dump backup ({error})") from error
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE public (\S+) ", listing, re.MULTILINE))
    if "alembic_version" not in tables:
        return tables, None
    data = _run(pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(path))
    found = re.search(r"^COPY [^\n]*alembic_version[^\n]*\n([0-9a-f]+)\n", data, re.MULTILINE)
    return tables, found.group(1) if found else None


# Restoring


def restore_backup(engine: Engine, backup: BackupFile) -> None:
    """Replace everything in the database with the backup (read_backup checked it first)."""
    db.session.remove()
    if backup.kind == "sqlite":
        try:  # in one transaction: if it fails, the database is as it was
            with engine.connect() as connection, closing(_open_read_only(backup.path)) as src:
                src.backup(connection.connection.driver_connection)
        except sqlite3.Error as error:
            raise BackupRefused(f"SQLite could not restore {backup.path}: {error}.") from error
    else:
        _pg_restore(engine, backup)
    engine.dispose()


def _pg_restore(engine: Engine, backup: BackupFile) -> None:
    """pg_restore in one transaction: if it fails, nothing it did stays."""
    known = revisions()
    older = known.index(backup.revision) < known.index(_current_revision(engine))
    if older:
        # Tables of later migrations are not in the backup: --clean would leave them
        # behind, and the upgrade after the restore could not create them again.
        downgrade(revision=backup.revision)
    engine.dispose()  # no connection of ours may hold a lock that pg_restore waits for
    flags = ("--clean", "--if-exists", "--single-transaction", "--exit-on-error")
    try:
        _run(_pg_tool("pg_restore"), *flags, "--no-owner", "--no-privileges", str(backup.path),
             engine=engine)  # fmt: skip
    except BackupRefused:
        if older:
            upgrade()  # back to the schema it had
        raise


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def revisions() -> list[str]:
    """Every migration revision, oldest first."""
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


# PostgreSQL's client programs


def _kind(engine: Engine) -> str:
    if engine.dialect.name not in KINDS:
        raise BackupRefused(f"backups of a {engine.dialect.name} database are not supported.")
    return engine.dialect.name


def _pg_tool(name: str) -> str:
    """The program on PATH, or the newest in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if versions:
        return max(versions, key=lambda p: [int(n) for n in re.findall(r"\d+", p)])
    raise BackupRefused(
        f"{name} was not found. Install PostgreSQL's client programs (on Debian or Ubuntu: "
        f"apt-get install postgresql-client) or put {name} on PATH."
    )


def _run(program: str, *args: str, engine: Engine | None = None) -> str:
    """Run a PostgreSQL client program (connected to the app's database if `engine`)."""
    env = dict(os.environ)
    command = [program, *args]
    if engine is not None:
        url: URL = engine.url
        if url.password:
            env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps shows it
        libpq = url.set(drivername="postgresql", password=None)
        command.append(f"--dbname={libpq.render_as_string(hide_password=False)}")
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        said = result.stderr.strip().replace("\n", " ") or f"exit status {result.returncode}"
        raise BackupRefused(f"{Path(program).name} failed: {said.rstrip('.')}.")
    return result.stdout


# The commands


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@force_option
@with_appcontext
def backup_command(file: Path, force: bool) -> None:
    """Copy the whole database into FILE, safely while the app is serving."""
    try:
        take_backup(db.engine, file, force=force)
    except BackupRefused as error:
        _refuse(f"{error} No backup was written.")
    audit.record("backup", "database", None, file=str(file))
    db.session.commit()
    click.echo(f"Backed up the database to {file} ({file.stat().st_size:,} bytes).")
    click.echo("It holds everyone's records: keep it as safe as the database itself.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking first.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace everything in the database with the backup in FILE."""
    try:
        backup = read_backup(file, db.engine)
    except BackupRefused as error:
        _refuse(f"{error} Nothing was changed.")
    where = db.engine.url.render_as_string(hide_password=True)
    question = f"This replaces everything in {where} with the backup in {file}. Continue?"
    if not yes and not _confirmed(question):
        _refuse("not confirmed (add --yes to restore without asking). Nothing was changed.")
    try:
        restore_backup(db.engine, backup)
    except BackupRefused as error:
        _refuse(f"{error} The restore did not finish; the database is as it was.")
    upgrade()  # a backup taken before later migrations gets them now
    audit.record("restore", "database", None, file=str(file), revision=backup.revision)
    db.session.commit()
    click.echo(f"Restored the database from {file}.")


def _confirmed(question: str) -> bool:
    try:
        return click.confirm(question, default=False)
    except click.Abort:  # no one to answer (no terminal, end of input)
        return False


def _refuse(message: str):
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def register(app) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
