"""The people each list read showed, one row each, indexed by person: a person's "who
looked at my record" finds the searches, caseloads and lists that showed them by index,
not by reading every event's JSON (ADR 0025). Append-only like audit_events, by the same
kind of triggers. Events already holding `person_ids` are copied in.

Revision ID: d4b8e2f60012
Revises: c1a9e5d20011
Create Date: 2026-12-06 02:15:00

"""
import json

import sqlalchemy as sa
from alembic import op

revision = "d4b8e2f60012"
down_revision = "c1a9e5d20011"
branch_labels = None
depends_on = None

MESSAGE = "audit events are append-only: they cannot be changed or deleted"
SQLITE_UP = [
    f"""CREATE TRIGGER audit_event_people_no_{verb.lower()} BEFORE {verb} ON audit_event_people
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
    for verb in ("UPDATE", "DELETE")
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS audit_event_people_no_{verb}" for verb in ("update", "delete")
]
# audit_events_append_only() is migration 0005's function.
POSTGRESQL_UP = [
    """CREATE TRIGGER audit_event_people_no_change BEFORE UPDATE OR DELETE ON audit_event_people
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_event_people_no_truncate BEFORE TRUNCATE ON audit_event_people
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_people_no_truncate ON audit_event_people",
    "DROP TRIGGER IF EXISTS audit_event_people_no_change ON audit_event_people",
]


def upgrade():
    op.create_table(
        "audit_event_people",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["audit_events.id"],
            name=op.f("fk_audit_event_people_event_id_audit_events"),
        ),
        sa.PrimaryKeyConstraint("event_id", "person_id", name=op.f("pk_audit_event_people")),
    )
    op.create_index(
        "ix_audit_event_people_person", "audit_event_people", ["person_id", "event_id"]
    )
    events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("detail", sa.JSON))
    people = sa.table(
        "audit_event_people", sa.column("event_id", sa.Integer), sa.column("person_id", sa.Integer)
    )
    connection = op.get_bind()
    text = sa.cast(events.c.detail, sa.Text)
    rows = connection.execute(
        sa.select(events.c.id, events.c.detail).where(text.like('%"person_ids"%'))
    )
    batch = []
    for event_id, detail in rows:
        detail = json.loads(detail) if isinstance(detail, str) else detail
        shown = (detail or {}).get("person_ids") or []
        batch += [{"event_id": event_id, "person_id": int(p)} for p in sorted(set(shown))]
        if len(batch) >= 10_000:
            connection.execute(people.insert(), batch)
            batch = []
    if batch:
        connection.execute(people.insert(), batch)
    dialect = connection.dialect.name
    for statement in POSTGRESQL_UP if dialect == "postgresql" else SQLITE_UP:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_DOWN if dialect == "postgresql" else SQLITE_DOWN:
        op.execute(statement)
    op.drop_index("ix_audit_event_people_person", table_name="audit_event_people")
    op.drop_table("audit_event_people")
