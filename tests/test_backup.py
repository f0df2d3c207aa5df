"""`casework backup` and `casework restore`, on whichever database the suite runs on
(SQLite by default, PostgreSQL with TEST_DATABASE_URL: CI runs both)."""

from __future__ import annotations

import sqlite3

import pytest
from flask_migrate import downgrade
from sqlalchemy import create_engine, func, select, text

from casework import backup
from casework.extensions import db
from casework.models import AuditEvent, Person
from tests.conftest import make_person, migrate


def names() -> set[str]:
    db.session.rollback()  # read what the command committed
    return set(db.session.scalars(select(Person.family_name)))


def take(runner, path, *extra):
    result = runner.invoke(args=["backup", str(path), *extra])
    assert result.exit_code == 0, result.output
    return result


def test_a_round_trip_brings_back_the_data_and_undoes_the_change(runner, practitioner, tmp_path):
    kept = make_person(practitioner, family_name="Kept")
    path = tmp_path / "casework.backup"
    take(runner, path)
    make_person(practitioner, family_name="AddedAfterwards")
    kept.family_name = "Renamed"
    db.session.commit()

    result = runner.invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code == 0, result.output
    assert "Restored the database" in result.output
    assert {n for n in names() if n in {"Kept", "Renamed", "AddedAfterwards"}} == {"Kept"}
    restored = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert (restored.action, restored.detail["file"]) == ("restore", str(path))


def test_the_backup_is_for_its_owner_only_and_never_overwritten_unasked(runner, app, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    path = folder / "casework.backup"
    take(runner, path)
    assert path.stat().st_mode & 0o777 == 0o600
    path.write_bytes(b"an older file")

    result = runner.invoke(args=["backup", str(path)])

    assert result.exit_code == 1
    assert "already exists" in result.output and "add --force" in result.output
    assert path.read_bytes() == b"an older file"
    take(runner, path, "--force")
    assert path.read_bytes() != b"an older file"
    assert [p.name for p in folder.iterdir()] == ["casework.backup"]  # nothing left behind


def test_a_failed_backup_says_why_and_leaves_no_file(runner, app, tmp_path, monkeypatch):
    result = runner.invoke(args=["backup", str(tmp_path / "absent" / "casework.backup")])
    assert result.exit_code == 1
    assert "there is no folder" in result.output and "No backup was written" in result.output

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_sqlite_backup", broken)
    monkeypatch.setattr(backup, "_run", broken)
    folder = tmp_path / "backups"
    folder.mkdir()
    result = runner.invoke(args=["backup", str(folder / "casework.backup")])
    assert result.exit_code == 1
    assert "No space left on device. No backup was written." in result.output
    assert list(folder.iterdir()) == []


def test_a_backup_is_audited(runner, app, tmp_path):
    take(runner, tmp_path / "casework.backup")
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert (event.action, event.entity) == ("backup", "database")


def test_restore_asks_first_and_a_no_changes_nothing(runner, practitioner, tmp_path):
    path = tmp_path / "casework.backup"
    take(runner, path)
    make_person(practitioner, family_name="Afterwards")

    for answer in ("n\n", ""):  # "no", and no one there to answer
        result = runner.invoke(args=["restore", str(path)], input=answer)
        assert result.exit_code == 1
        assert "Continue?" in result.output and "Nothing was changed" in result.output
        assert "Afterwards" in names()

    result = runner.invoke(args=["restore", str(path)], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Afterwards" not in names()


def foreign_sqlite(path, revision: str | None) -> None:
    """A SQLite file with Casework's tables (or not) at `revision`."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE people (id INTEGER)")
        if revision:
            for table in ("teams", "users", "demands", "cases"):
                connection.execute(f"CREATE TABLE {table} (id INTEGER)")
            connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
            connection.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    connection.close()


BAD_FILES = {
    "text": (lambda p: p.write_text("name,date\nAnne,2 May\n"), "is not a Casework backup"),
    "empty": (lambda p: p.write_bytes(b""), "is not a Casework backup"),
    "other SQLite": (lambda p: foreign_sqlite(p, None), "not a Casework backup (it has no"),
    "newer Casework": (lambda p: foreign_sqlite(p, "ffffffffffff"), "taken by a newer version"),
    "cut short": (
        lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x10\x00" + b"\x00" * 200),
        "cannot be read as a SQLite database",
    ),
    "missing": (lambda p: None, "cannot read"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_file_that_is_not_a_casework_backup_is_refused_and_nothing_changes(
    runner, practitioner, tmp_path, kind
):
    make_person(practitioner, family_name="Present")
    path = tmp_path / "suspect.backup"
    make, message = BAD_FILES[kind]
    make(path)

    result = runner.invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code == 1
    assert message in result.output and "Nothing was changed" in result.output
    assert "Present" in names()


def test_a_damaged_backup_is_refused(runner, practitioner, tmp_path):
    make_person(practitioner, family_name="Present")
    path = tmp_path / "casework.backup"
    take(runner, path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    db.session.remove()

    result = runner.invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code == 1
    assert "Nothing was changed" in result.output
    assert "Present" in names()


def test_a_backup_of_the_other_kind_of_database_is_refused(app, tmp_path):
    path = tmp_path / "casework.sqlite"
    migrate(tmp_path, f"sqlite:///{path}")
    # Never connects: the refusal comes from reading the file.
    postgresql = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")

    with pytest.raises(backup.BackupRefused, match="backup of a SQLite database; this Casework"):
        backup.read_backup(path, postgresql)
    assert backup.read_backup(path, create_engine("sqlite://")).revision == backup.revisions()[-1]


def test_without_postgresqls_programs_the_error_says_what_to_install(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backup.glob, "glob", lambda pattern: [])
    path = tmp_path / "casework.dump"
    path.write_bytes(b"PGDMP" + b"\x00" * 100)

    with pytest.raises(backup.BackupRefused, match="apt-get install postgresql-client"):
        backup.read_backup(path, db.engine)


def test_a_backup_from_an_older_migration_is_restored_then_migrated(runner, practitioner, tmp_path):
    make_person(practitioner, family_name="FromBefore")
    previous = backup.revisions()[-2]
    downgrade(revision=previous)
    db.engine.dispose()
    path = tmp_path / "older.backup"
    backup.take_backup(db.engine, path)
    assert backup.read_backup(path, db.engine).revision == previous
    migrate_up(runner)
    make_person(practitioner, family_name="Afterwards")

    result = runner.invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code == 0, result.output
    assert {"FromBefore"} <= names() and "Afterwards" not in names()
    with db.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == backup.revisions()[-1]


def migrate_up(runner) -> None:
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_a_backup_taken_while_someone_is_writing_holds_only_what_was_committed(
    runner, practitioner, tmp_path
):
    # (The domain function, not the command: on SQLite the command's audit event would
    # wait for the open write to finish.)
    make_person(practitioner, family_name="Committed")
    path = tmp_path / "casework.backup"
    with db.engine.connect() as writer:
        writer.execute(text("UPDATE people SET family_name = 'Uncommitted'"))  # still open
        backup.take_backup(db.engine, path)
        writer.rollback()
    db.engine.dispose()
    make_person(practitioner, family_name="Later")

    assert runner.invoke(args=["restore", str(path), "--yes"]).exit_code == 0
    assert names() == {"Committed"}
    assert db.session.scalar(select(func.count(Person.id))) == 1


def tamper(path, *statements) -> None:
    with sqlite3.connect(path) as connection:
        for statement in statements:
            connection.execute(statement)
    connection.close()


def sqlite_triggers() -> list[str]:
    with db.engine.connect() as connection:
        query = text("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        return list(connection.execute(query).scalars())


TAMPERED = {
    # The audit trail would no longer be append-only after the restore.
    "audit trigger dropped": ("DROP TRIGGER audit_events_no_delete",),
    # A trigger of its own would run inside the restored database from then on.
    "extra trigger": (
        "CREATE TRIGGER promote AFTER UPDATE ON users BEGIN "
        "UPDATE users SET role = 'admin' WHERE id = NEW.id; END",
    ),
    "extra view": ("CREATE VIEW everyone AS SELECT * FROM people",),
    "extra table": ("CREATE TABLE stash (what TEXT)",),
    "column added": ("ALTER TABLE people ADD COLUMN stash TEXT",),
}


@pytest.mark.parametrize("how", TAMPERED)
def test_a_backup_whose_schema_is_not_its_migrations_is_refused(
    runner, practitioner, tmp_path, how
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("edits a SQLite file; edited pg_dump archives are not checked (deploying)")
    make_person(practitioner, family_name="Present")
    triggers_before = sqlite_triggers()
    path = tmp_path / "casework.backup"
    take(runner, path)
    tamper(path, *TAMPERED[how])
    db.session.remove()

    result = runner.invoke(args=["restore", str(path), "--yes"])

    assert result.exit_code == 1, result.output
    assert "not as the migrations made it" in result.output
    assert "Nothing was changed" in result.output
    assert sqlite_triggers() == triggers_before
    assert {"audit_events_no_delete", "audit_events_no_update"} <= set(triggers_before)
