"""The facts the measures count, kept at write time: one row per demand (its part of the
repeat-demand figure) and per case (first owner, previous closed case and its owner,
changes of owner, days end to end, came back within 90 days, its actions by who and
status), and the look-back they were built with. Left empty here: the app builds them in full the first time the measures are
asked for (casework/measures/facts.py, ADR 0020).

Revision ID: b7d2f4e10010
Revises: a5c3e7d10008
Create Date: 2026-11-24 07:21:13.074743

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d2f4e10010'
down_revision = 'a5c3e7d10008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('measure_facts_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lookback_days', sa.Integer(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_facts_state'))
    )
    op.create_table('case_facts',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('cohort', sa.String(length=10), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('referral_match', sa.String(length=10), nullable=True),
    sa.Column('first_owner_id', sa.Integer(), nullable=True),
    sa.Column('previous_case_id', sa.Integer(), nullable=True),
    sa.Column('previous_owner_id', sa.Integer(), nullable=True),
    sa.Column('handoffs', sa.Integer(), nullable=False),
    sa.Column('agreed', sa.Boolean(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('returned', sa.Boolean(), nullable=True),
    sa.Column('actions_person', sa.Integer(), nullable=False),
    sa.Column('actions_team', sa.Integer(), nullable=False),
    sa.Column('actions_done', sa.Integer(), nullable=False),
    sa.Column('actions_dropped', sa.Integer(), nullable=False),
    sa.Column('actions_open', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_facts_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_facts'))
    )
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.create_index('ix_case_facts_closed', ['closed_on', 'days', 'handoffs', 'agreed', 'returned', 'cohort', 'team_id', 'opened_on', 'actions_person', 'actions_team', 'actions_done', 'actions_dropped', 'actions_open'], unique=False)
        batch_op.create_index('ix_case_facts_opened', ['opened_on', 'referral_match', 'previous_case_id', 'first_owner_id', 'previous_owner_id', 'cohort', 'team_id'], unique=False)
        batch_op.create_index('ix_case_facts_person', ['person_id'], unique=False)
        batch_op.create_index('ix_case_facts_team_closed', ['team_id', 'closed_on'], unique=False)
        batch_op.create_index('ix_case_facts_team_opened', ['team_id', 'opened_on'], unique=False)

    op.create_table('demand_facts',
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('cohort', sa.String(length=10), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('repeat', sa.String(length=14), nullable=False),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], name=op.f('fk_demand_facts_demand_id_demands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('demand_id', name=op.f('pk_demand_facts'))
    )
    with op.batch_alter_table('demand_facts', schema=None) as batch_op:
        batch_op.create_index('ix_demand_facts_period', ['received_on', 'repeat', 'kind', 'cohort', 'team_id', 'person_id'], unique=False)
        batch_op.create_index('ix_demand_facts_person', ['person_id'], unique=False)
        batch_op.create_index('ix_demand_facts_team_period', ['team_id', 'received_on', 'repeat', 'kind', 'cohort', 'person_id'], unique=False)



def downgrade():
    with op.batch_alter_table('demand_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_demand_facts_team_period')
        batch_op.drop_index('ix_demand_facts_person')
        batch_op.drop_index('ix_demand_facts_period')

    op.drop_table('demand_facts')
    with op.batch_alter_table('case_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_case_facts_team_opened')
        batch_op.drop_index('ix_case_facts_team_closed')
        batch_op.drop_index('ix_case_facts_person')
        batch_op.drop_index('ix_case_facts_opened')
        batch_op.drop_index('ix_case_facts_closed')

    op.drop_table('case_facts')
    op.drop_table('measure_facts_state')
