"""The migrations are the schema: they build the database and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from casework.extensions import db
from casework.people.names import include_object


def test_models_match_the_migrations(app):
    # The same comparison as `flask db check`: no model change without a revision.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        diffs = compare_metadata(context, db.metadata)
    assert diffs == []


def test_migrations_go_down_and_up_again(app):
    downgrade(revision="base")
    assert "cases" not in inspect(db.engine).get_table_names()
    upgrade()
    assert {"people", "cases", "demands", "audit_events"} <= set(
        inspect(db.engine).get_table_names()
    )
