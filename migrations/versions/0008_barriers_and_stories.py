"""Barriers (what got in the way, the cases where it was met, its moves) and stories to share

A team's barriers gather the cases where each was met, with what it cost the person
in their words; each change of status is kept with who, when and why. A closed case
marked as a story is shown pseudonymised (docs/adr/0017-stories-pseudonymised.md).

Revision ID: ca4415a23586
Revises: 7c3f1a2e9d10
Create Date: 2026-11-24 04:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ca4415a23586'
down_revision = '7c3f1a2e9d10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('barriers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('owner_org', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('rule', 'eligibility', 'form', 'handoff', 'it_system', 'funding', 'other')", name=op.f('ck_barriers_kind')),
    sa.CheckConstraint("status IN ('raised', 'with_leader', 'removed', 'kept')", name=op.f('ck_barriers_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_barriers_created_by_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_barriers_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_barriers'))
    )
    with op.batch_alter_table('barriers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_barriers_team_id'), ['team_id'], unique=False)

    op.create_table('barrier_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('barrier_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("to_status IN ('raised', 'with_leader', 'removed', 'kept')", name=op.f('ck_barrier_moves_to_status')),
    sa.ForeignKeyConstraint(['barrier_id'], ['barriers.id'], name=op.f('fk_barrier_moves_barrier_id_barriers')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_barrier_moves_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_barrier_moves'))
    )
    with op.batch_alter_table('barrier_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_barrier_moves_barrier_id'), ['barrier_id'], unique=False)

    op.create_table('barrier_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('barrier_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('cost', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['barrier_id'], ['barriers.id'], name=op.f('fk_barrier_cases_barrier_id_barriers')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_barrier_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_barrier_cases_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_barrier_cases'))
    )
    with op.batch_alter_table('barrier_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_barrier_cases_case_id'), ['case_id'], unique=False)
        batch_op.create_index('uq_barrier_cases_barrier_case', ['barrier_id', 'case_id'], unique=True)

    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_stories_case_id_cases')),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_stories_marked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stories')),
    sa.UniqueConstraint('case_id', name=op.f('uq_stories_case_id'))
    )


def downgrade():
    op.drop_table('stories')
    with op.batch_alter_table('barrier_cases', schema=None) as batch_op:
        batch_op.drop_index('uq_barrier_cases_barrier_case')
        batch_op.drop_index(batch_op.f('ix_barrier_cases_case_id'))

    op.drop_table('barrier_cases')
    with op.batch_alter_table('barrier_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_barrier_moves_barrier_id'))

    op.drop_table('barrier_moves')
    with op.batch_alter_table('barriers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_barriers_team_id'))

    op.drop_table('barriers')
