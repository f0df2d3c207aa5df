"""An index of each person's cases in a team by opening date, for the measures

Revision ID: 5d1e2c7a9b40
Revises: 94a3c666b284
Create Date: 2026-11-24 00:58:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d1e2c7a9b40'
down_revision = '94a3c666b284'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(
            'ix_cases_person_team_opened', ['person_id', 'team_id', 'opened_on'], unique=False
        )


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_person_team_opened')
