"""The suite's own databases (tests/databases.py): each test starts from a clean copy of the
migrated template, on SQLite and on PostgreSQL alike."""

from sqlalchemy import create_engine, text


def run(url: str, *statements: str):
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            results = [connection.execute(text(s)) for s in statements]
            return results[-1].fetchall() if results[-1].returns_rows else None
    finally:
        engine.dispose()


def test_a_used_database_comes_back_empty_with_ids_from_one(databases, migrated_template, tmp_path):
    first = databases.fresh(migrated_template, tmp_path)
    run(
        first,
        "INSERT INTO teams (name, cohort, created_at) VALUES ('One', 'pilot', '2026-01-01')",
        "INSERT INTO teams (name, cohort, created_at) VALUES ('Two', 'usual', '2026-01-01')",
    )
    databases.release(first)

    second = databases.fresh(migrated_template, tmp_path)
    try:
        rows = run(
            second,
            "INSERT INTO teams (name, cohort, created_at) VALUES ('Three', 'pilot', '2026-01-01')",
            "SELECT id, name FROM teams",
        )
        version = run(second, "SELECT version_num FROM alembic_version")
    finally:
        databases.release(second)
    assert [tuple(row) for row in rows] == [(1, "Three")]
    assert version == run(migrated_template, "SELECT version_num FROM alembic_version")


def test_a_database_a_test_migrated_elsewhere_is_made_again(databases, migrated_template, tmp_path):
    first = databases.fresh(migrated_template, tmp_path)
    run(first, "DROP TABLE api_tokens", "UPDATE alembic_version SET version_num = 'elsewhere'")
    databases.release(first)

    second = databases.fresh(migrated_template, tmp_path)
    try:
        assert run(second, "SELECT count(*) FROM api_tokens") == [(0,)]
        assert run(second, "SELECT version_num FROM alembic_version") != [("elsewhere",)]
    finally:
        databases.release(second)


def test_two_databases_at_once_are_separate(databases, migrated_template, tmp_path):
    first = databases.fresh(migrated_template, tmp_path)
    second = databases.fresh(migrated_template, tmp_path)
    try:
        run(
            first,
            "INSERT INTO teams (name, cohort, created_at) VALUES ('A', 'pilot', '2026-01-01')",
        )
        assert run(second, "SELECT count(*) FROM teams") == [(0,)]
    finally:
        databases.release(second)
        databases.release(first)
