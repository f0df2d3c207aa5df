"""The audit trail is append-only in the database itself: UPDATE and DELETE are refused

Revision ID: 7c3a9e51d2f6
Revises: 5d1e2c7a9b40
Create Date: 2026-11-24 10:00:00

Triggers, not a rule in the app: nothing that connects to the database (the app, a
command, a script, a console) can edit or remove an audit event. On PostgreSQL
TRUNCATE is refused too. A later migration that rebuilds audit_events (SQLite batch
mode copies the table) must create these triggers again (ADR 0011).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c3a9e51d2f6'
down_revision = '5d1e2c7a9b40'
branch_labels = None
depends_on = None

MESSAGE = "audit events are append-only: they cannot be changed or deleted"

SQLITE_UP = [
    f"""CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
    for verb in ("UPDATE", "DELETE")
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS audit_events_no_{verb}" for verb in ("update", "delete")]

POSTGRESQL_UP = [
    f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$""",
    """CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
]


def _statements(up: bool) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return POSTGRESQL_UP if up else POSTGRESQL_DOWN
    return SQLITE_UP if up else SQLITE_DOWN


def upgrade():
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade():
    for statement in _statements(up=False):
        op.execute(statement)
