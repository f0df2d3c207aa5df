"""The working day (issue 17, item 1): planned contacts (`plans`: a visit, call, check-in or
review in a worker's diary, done by a conversation or cancelled), the indexes the diary
reads by, and each team's `no_contact_days` (28 unless its manager says otherwise).

Revision ID: c1d2e3f40017
Revises: b1c2d3e40016
Create Date: 2026-12-06 07:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c1d2e3f40017"
down_revision = "b1c2d3e40016"
branch_labels = None
depends_on = None

# The values as they stand at this revision (a migration never imports the app's rules).
PLAN_KINDS = ("visit", "phone", "check_in", "review")
PLAN_STATUSES = ("planned", "done", "cancelled")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_by_conversation_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_one_of("kind", PLAN_KINDS), name=op.f("ck_plans_kind")),
        sa.CheckConstraint(_one_of("status", PLAN_STATUSES), name=op.f("ck_plans_status")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_plans_case_id_cases")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_plans_owner_id_users")),
        sa.ForeignKeyConstraint(
            ["done_by_conversation_id"],
            ["conversations.id"],
            name=op.f("fk_plans_done_by_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_plans_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_plans_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    planned = sa.text("status = 'planned'")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index("ix_plans_case", ["case_id"], unique=False)
        batch_op.create_index(
            "ix_plans_open_by_owner",
            ["owner_id", "due_on"],
            unique=False,
            sqlite_where=planned,
            postgresql_where=planned,
        )
        batch_op.create_index(
            "ix_plans_open_by_case",
            ["case_id", "due_on"],
            unique=False,
            sqlite_where=planned,
            postgresql_where=planned,
        )
    agreed = sa.text("status = 'agreed'")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_actions_open_by_assignee_due",
            ["assignee_id", "due_on"],
            unique=False,
            sqlite_where=agreed,
            postgresql_where=agreed,
        )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("no_contact_days", sa.Integer(), server_default="28", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("no_contact_days")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_open_by_assignee_due")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index("ix_plans_open_by_case")
        batch_op.drop_index("ix_plans_open_by_owner")
        batch_op.drop_index("ix_plans_case")
    op.drop_table("plans")
