"""A year of measures for a whole care system in well under a second (issue 16): three
things kept with the facts, each so a figure reads an index instead of sorting a year.
- case_facts.in_two_teams: the person has cases in two or more teams; with its index, the
  split_across_teams figure reads those few people's cases, not every case.
- demand_facts.previous_on and previous_in_cohort_on: the day of the person's demand before
  (of any team; of the same cohort), so the people with a demand in a period are counted by
  their first demand in it.
- demand_facts by person and day, so "had a demand in the period" is one search.
- measure_facts_state.format: facts built by code of another format (an app server not yet
  restarted after the upgrade) are built again by the new code.
The facts are built again on first use (the state row is removed).

Revision ID: f1a2b3c40020
Revises: e1f2a3b40019
Create Date: 2026-12-06 14:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f1a2b3c40020"
down_revision = "e1f2a3b40019"
branch_labels = None
depends_on = None

PERSON_DEMANDS = ["person_id", "received_on", "cohort", "team_id"]
PERIOD = ["received_on", "repeat", "kind", "cohort", "team_id", "person_id"]
PREVIOUS = ["previous_on", "previous_in_cohort_on"]
SPLIT_INDEX = ["in_two_teams", "person_id", "team_id", "opened_on", "closed_on"]


def upgrade():
    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("in_two_teams", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_case_facts_in_two_teams", SPLIT_INDEX, unique=False)
    with op.batch_alter_table("demand_facts", schema=None) as batch_op:
        for name in PREVIOUS:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
        batch_op.drop_index("ix_demand_facts_person")
        batch_op.create_index("ix_demand_facts_person", PERSON_DEMANDS, unique=False)
        batch_op.drop_index("ix_demand_facts_period")
        batch_op.create_index("ix_demand_facts_period", PERIOD + PREVIOUS, unique=False)
    with op.batch_alter_table("measure_facts_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("format", sa.Integer(), nullable=False, server_default="0"))
    op.execute("DELETE FROM measure_facts_state")


def downgrade():
    with op.batch_alter_table("measure_facts_state", schema=None) as batch_op:
        batch_op.drop_column("format")
    with op.batch_alter_table("demand_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_demand_facts_period")
        batch_op.create_index("ix_demand_facts_period", PERIOD, unique=False)
        batch_op.drop_index("ix_demand_facts_person")
        batch_op.create_index("ix_demand_facts_person", ["person_id"], unique=False)
        for name in PREVIOUS:
            batch_op.drop_column(name)
    with op.batch_alter_table("case_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_case_facts_in_two_teams")
        batch_op.drop_column("in_two_teams")
    op.execute("DELETE FROM measure_facts_state")
