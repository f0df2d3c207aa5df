"""Asks of the manager (a resource or a permission for a case, answered yes or no with a
reason) and each team's own purpose, principles and rules, one row per version

Revision ID: a5c3e7d10008
Revises: ca4415a23586
Create Date: 2026-11-24 04:16:02.829240

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a5c3e7d10008'
down_revision = 'ca4415a23586'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('team_purposes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('principles', sa.Text(), nullable=True),
    sa.Column('rules', sa.Text(), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_team_purposes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_purposes_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_purposes'))
    )
    with op.batch_alter_table('team_purposes', schema=None) as batch_op:
        batch_op.create_index('uq_team_purposes_team_version', ['team_id', 'version'], unique=True)

    op.create_table('asks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('cost_pence', sa.Integer(), nullable=True),
    sa.Column('needed_by', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('resource', 'permission')", name=op.f('ck_asks_kind')),
    sa.CheckConstraint("status IN ('open', 'yes', 'no', 'withdrawn')", name=op.f('ck_asks_status')),
    sa.CheckConstraint("status NOT IN ('yes', 'no') OR (reason IS NOT NULL AND decided_by_id IS NOT NULL AND decided_at IS NOT NULL)", name=op.f('ck_asks_decision')),
    sa.CheckConstraint('cost_pence IS NULL OR cost_pence >= 0', name=op.f('ck_asks_cost_pence')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_asks_asked_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_asks_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_asks_decided_by_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_asks_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asks'))
    )
    with op.batch_alter_table('asks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asks_asked_by_id'), ['asked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asks_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_asks_team_status_asked', ['team_id', 'status', 'asked_at'], unique=False)



def downgrade():
    with op.batch_alter_table('asks', schema=None) as batch_op:
        batch_op.drop_index('ix_asks_team_status_asked')
        batch_op.drop_index(batch_op.f('ix_asks_case_id'))
        batch_op.drop_index(batch_op.f('ix_asks_asked_by_id'))

    op.drop_table('asks')
    with op.batch_alter_table('team_purposes', schema=None) as batch_op:
        batch_op.drop_index('uq_team_purposes_team_version')

    op.drop_table('team_purposes')
