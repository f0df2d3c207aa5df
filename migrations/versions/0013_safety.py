"""Safety and the people around the person (issue 18, ADR 0031): caution flags, the
person's network (who in it does an action, and who was at a conversation), and their
decisions about sharing.

Revision ID: e5f1a7c30013
Revises: d4b8e2f60012
Create Date: 2026-12-07 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e5f1a7c30013"
down_revision = "d4b8e2f60012"
branch_labels = None
depends_on = None

FLAG_CATEGORIES = "'lone_working', 'animal', 'infection', 'safeguarding', 'access', 'other'"
RELATIONSHIPS = "'family', 'friend', 'neighbour', 'carer', 'professional', 'community', 'other'"


def _who(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"))


def upgrade():
    op.create_table(
        "caution_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            f"category IN ({FLAG_CATEGORIES})", name=op.f("ck_caution_flags_category")
        ),
        sa.CheckConstraint(
            "ended_at IS NULL OR (end_reason IS NOT NULL AND ended_by_id IS NOT NULL)",
            name=op.f("ck_caution_flags_ended"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_caution_flags_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_caution_flags_team_id_teams")
        ),
        _who("caution_flags", "raised_by_id"),
        _who("caution_flags", "ended_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caution_flags")),
    )
    op.create_index("ix_caution_flags_person", "caution_flags", ["person_id", "ended_at"])
    op.create_index(
        "ix_caution_flags_team_review",
        "caution_flags",
        ["team_id", "review_on"],
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "network_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relationship", sa.String(length=20), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("may_contact", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"relationship IN ({RELATIONSHIPS})", name=op.f("ck_network_members_relationship")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_network_members_person_id_people")
        ),
        _who("network_members", "created_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_members")),
    )
    op.create_index("ix_network_members_person_id", "network_members", ["person_id"])
    op.create_table(
        "conversation_attendees",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("network_member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_attendees_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["network_member_id"],
            ["network_members.id"],
            name=op.f("fk_conversation_attendees_network_member_id_network_members"),
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "network_member_id", name=op.f("pk_conversation_attendees")
        ),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("decision IN ('given', 'refused')", name=op.f("ck_consents_decision")),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on >= recorded_on", name=op.f("ck_consents_expires_on")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_consents_person_id_people")
        ),
        _who("consents", "recorded_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index("ix_consents_person_id", "consents", ["person_id"])
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("network_member_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_network_member_id_network_members"),
            "network_members",
            ["network_member_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_actions_network_member_id_network_members"), type_="foreignkey"
        )
        batch_op.drop_column("network_member_id")
    op.drop_index("ix_consents_person_id", table_name="consents")
    op.drop_table("consents")
    op.drop_table("conversation_attendees")
    op.drop_index("ix_network_members_person_id", table_name="network_members")
    op.drop_table("network_members")
    op.drop_index("ix_caution_flags_team_review", table_name="caution_flags")
    op.drop_index("ix_caution_flags_person", table_name="caution_flags")
    op.drop_table("caution_flags")
