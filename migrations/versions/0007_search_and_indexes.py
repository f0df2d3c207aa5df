"""Fast at the size of a whole care system: a name index for search, indexes for the caseload

On SQLite an FTS5 trigram table of full names kept in step by triggers; on
PostgreSQL a pg_trgm GIN index on the same expression (casework/people/names.py).
Partial indexes of the open cases by owner and by team, for the caseload pages.
Indexes that hold every column the measures' searches read, replacing narrower
ones on the same leading columns (docs/adr/0011-fast-at-scale.md).

Revision ID: 7c3f1a2e9d10
Revises: 7c3f9a1e2b65
Create Date: 2026-11-24 02:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c3f1a2e9d10'
down_revision = '7c3f9a1e2b65'
branch_labels = None
depends_on = None

FULL_NAME = "lower(given_name || ' ' || family_name)"
NEW_FULL_NAME = "lower(new.given_name || ' ' || new.family_name)"
OPEN = sa.text('closed_on IS NULL')

# table: (narrower index dropped, its columns), (wider index added, its columns)
WIDER = {
    'cases': (
        ('ix_cases_person_team_opened', ['person_id', 'team_id', 'opened_on']),
        ('ix_cases_person_team_history', ['person_id', 'team_id', 'opened_on', 'closed_on']),
    ),
    'demands': (
        ('ix_demands_person_team_received', ['person_id', 'team_id', 'received_on']),
        ('ix_demands_person_team_history', ['person_id', 'team_id', 'received_on', 'case_id']),
    ),
    'ownership_changes': (
        ('ix_ownership_changes_case_id', ['case_id']),
        ('ix_ownership_changes_case_history', ['case_id', 'from_id', 'to_id']),
    ),
    'actions': (
        ('ix_actions_case_id', ['case_id']),
        ('ix_actions_case_by_status', ['case_id', 'by', 'status']),
    ),
}
# actions: a worker's open actions (the caseload page)
ASSIGNEE_INDEX = (
    ('ix_actions_assignee_id', ['assignee_id']),
    ('ix_actions_assignee_status', ['assignee_id', 'status']),
)
# demands: the single-column case index becomes (case_id, received_on)
CASE_INDEX = (
    ('ix_demands_case_id', ['case_id']),
    ('ix_demands_case_received', ['case_id', 'received_on']),
)


def _swap(table, old, new):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(new[0], new[1], unique=False)
        batch_op.drop_index(old[0])


MERGED = sa.text('merged_into_id IS NOT NULL')


def upgrade():
    for table, (old, new) in WIDER.items():
        _swap(table, old, new)
    # Only the few merged-away people: a whole-column index of almost all NULLs is one
    # SQLite's statistics call useless, and it scans every person instead.
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_merged_into_id')
        batch_op.create_index(
            'ix_people_merged_into_id', ['merged_into_id'], unique=False,
            sqlite_where=MERGED, postgresql_where=MERGED,
        )
    _swap('demands', *CASE_INDEX)
    _swap('actions', *ASSIGNEE_INDEX)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_opened_on', ['opened_on'], unique=False)
        batch_op.create_index(
            'ix_cases_open_by_owner', ['owner_id'], unique=False,
            sqlite_where=OPEN, postgresql_where=OPEN,
        )
        batch_op.create_index(
            'ix_cases_open_by_team', ['team_id', 'owner_id'], unique=False,
            sqlite_where=OPEN, postgresql_where=OPEN,
        )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute(
            'CREATE INDEX ix_people_full_name_trgm ON people '
            f'USING gin (({FULL_NAME}) gin_trgm_ops)'
        )
        return
    op.execute("CREATE VIRTUAL TABLE people_search USING fts5(full_name, tokenize='trigram')")
    op.execute(
        f'INSERT INTO people_search (rowid, full_name) SELECT id, {FULL_NAME} FROM people'  # noqa: S608
    )
    op.execute(
        'CREATE TRIGGER people_search_insert AFTER INSERT ON people BEGIN '  # noqa: S608
        f'INSERT INTO people_search (rowid, full_name) VALUES (new.id, {NEW_FULL_NAME}); END'
    )
    op.execute(
        'CREATE TRIGGER people_search_update AFTER UPDATE OF given_name, family_name ON people '  # noqa: S608, E501
        f'BEGIN UPDATE people_search SET full_name = {NEW_FULL_NAME} '
        'WHERE rowid = old.id; END'
    )
    op.execute(
        'CREATE TRIGGER people_search_delete AFTER DELETE ON people BEGIN '
        'DELETE FROM people_search WHERE rowid = old.id; END'
    )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_people_full_name_trgm')
    else:
        for trigger in ('insert', 'update', 'delete'):
            op.execute(f'DROP TRIGGER people_search_{trigger}')
        op.execute('DROP TABLE people_search')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_open_by_team')
        batch_op.drop_index('ix_cases_open_by_owner')
        batch_op.drop_index('ix_cases_opened_on')
    _swap('demands', *reversed(CASE_INDEX))
    _swap('actions', *reversed(ASSIGNEE_INDEX))
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_merged_into_id')
        batch_op.create_index('ix_people_merged_into_id', ['merged_into_id'], unique=False)
    for table, (old, new) in WIDER.items():
        _swap(table, new, old)
