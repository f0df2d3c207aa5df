"""Entered in error and late notes (issue 17, ADR 0037): demands, conversations and actions
can be marked entered in error (when, by whom, why) and are kept; late notes on closed
cases; each action keeps its assignee's team at the time they were given it, so a worker
who has since moved team shows as departed. The facts are built again at the first request
for a figure (the state row goes), though nothing is in error yet.

Revision ID: d1e2f3a40018
Revises: c1d2e3f40017
Create Date: 2026-12-06 07:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d1e2f3a40018"
down_revision = "c1d2e3f40017"
branch_labels = None
depends_on = None

TABLES = ("demands", "conversations", "actions")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("entered_in_error_at", sa.DateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(sa.Column("entered_in_error_by_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("entered_in_error_reason", sa.Text(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_entered_in_error_by_id_users"),
                "users",
                ["entered_in_error_by_id"],
                ["id"],
            )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_team_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_assignee_team_id_teams"), "teams", ["assignee_team_id"], ["id"]
        )
        batch_op.create_index(
            "ix_actions_assignee_open_team",
            ["assignee_id", "status", "assignee_team_id"],
            unique=False,
        )
    # Until now nobody's move was recorded: each assignee is taken to be where they were.
    op.execute(
        "UPDATE actions SET assignee_team_id = "
        "(SELECT users.team_id FROM users WHERE users.id = actions.assignee_id) "
        "WHERE assignee_id IS NOT NULL"
    )
    op.create_table(
        "late_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("written_on", sa.Date(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_late_notes_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_late_notes_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_notes")),
    )
    with op.batch_alter_table("late_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_late_notes_case_id"), ["case_id"], unique=False)
    op.execute("DELETE FROM measure_facts_state")


def downgrade():
    with op.batch_alter_table("late_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_late_notes_case_id"))
    op.drop_table("late_notes")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_assignee_open_team")
        batch_op.drop_constraint(
            batch_op.f("fk_actions_assignee_team_id_teams"), type_="foreignkey"
        )
        batch_op.drop_column("assignee_team_id")
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_entered_in_error_by_id_users"), type_="foreignkey"
            )
            batch_op.drop_column("entered_in_error_reason")
            batch_op.drop_column("entered_in_error_by_id")
            batch_op.drop_column("entered_in_error_at")
    op.execute("DELETE FROM measure_facts_state")
