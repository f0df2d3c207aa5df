"""Transfers between teams (issue 16): the transfers table, at most one pending per case
(a partial unique index); each case's link to the case it continues
(`cases.transferred_from_case_id`); and each case fact's closure outcome, for the measures
(ADR 0033). The facts are built again at the first request for a figure (the state row
goes).

Revision ID: b1c2d3e40016
Revises: a1b2c3d40015
Create Date: 2026-12-06 07:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b1c2d3e40016"
down_revision = "a1b2c3d40015"
branch_labels = None
depends_on = None

CLOSED_FACTS = [
    "closed_on",
    "days",
    "handoffs",
    "agreed",
    "returned",
    "cohort",
    "team_id",
    "opened_on",
    "actions_person",
    "actions_team",
    "actions_done",
    "actions_dropped",
    "actions_open",
]


def upgrade():
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_team_id", sa.Integer(), nullable=False),
        sa.Column("to_team_id", sa.Integer(), nullable=False),
        sa.Column("to_owner_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_reason", sa.Text(), nullable=True),
        sa.Column("new_case_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined')", name=op.f("ck_transfers_status")
        ),
        sa.CheckConstraint("from_team_id <> to_team_id", name=op.f("ck_transfers_another_team")),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_transfers_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_transfers_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["from_team_id"], ["teams.id"], name=op.f("fk_transfers_from_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["new_case_id"], ["cases.id"], name=op.f("fk_transfers_new_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_transfers_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_owner_id"], ["users.id"], name=op.f("fk_transfers_to_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_team_id"], ["teams.id"], name=op.f("fk_transfers_to_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfers_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_transfers_from_team", ["from_team_id", "status", "requested_at"], unique=False
        )
        batch_op.create_index(
            "ix_transfers_to_team", ["to_team_id", "status", "requested_at"], unique=False
        )
        batch_op.create_index(
            "uq_transfers_one_pending",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transferred_from_case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_transferred_from_case_id_cases"),
            "cases",
            ["transferred_from_case_id"],
            ["id"],
        )

    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
        batch_op.drop_index("ix_case_facts_closed")
        batch_op.create_index(
            "ix_case_facts_closed", [*CLOSED_FACTS[:5], "outcome", *CLOSED_FACTS[5:]], unique=False
        )
    op.execute("DELETE FROM measure_facts_state")


def downgrade():
    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_case_facts_closed")
        batch_op.create_index("ix_case_facts_closed", CLOSED_FACTS, unique=False)
        batch_op.drop_column("outcome")
    op.execute("DELETE FROM measure_facts_state")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_cases_transferred_from_case_id_cases"), type_="foreignkey"
        )
        batch_op.drop_column("transferred_from_case_id")

    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index("uq_transfers_one_pending")
        batch_op.drop_index("ix_transfers_to_team")
        batch_op.drop_index("ix_transfers_from_team")
        batch_op.drop_index(batch_op.f("ix_transfers_case_id"))

    op.drop_table("transfers")
