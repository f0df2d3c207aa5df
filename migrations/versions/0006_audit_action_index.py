"""An index of audit events by action and time, for counting recent failed logins

Revision ID: 7c3f9a1e2b65
Revises: 7c3a9e51d2f6
Create Date: 2026-11-24 12:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c3f9a1e2b65'
down_revision = '7c3a9e51d2f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_action_at', ['action', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_action_at')
