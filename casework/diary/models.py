"""Planned contacts (issue 17, "The working day"): a visit, call, check-in or review put in
a worker's diary for a case, done when a conversation fulfils it, or cancelled.

Kept beside the feature (as trials/models.py is), on the same `db` and conventions.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from ..models import Action, Case, Conversation, User
from ..models.base import Recorded, one_of
from ..rules import PLAN_KINDS, PLAN_STATUSES


class Plan(Recorded, db.Model):
    """A contact planned with the person: who will make it, when, and what kind."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # Whose diary it is in: the worker who will make the contact.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="planned")
    done_by_conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(
        backref=backref("plans", order_by="(Plan.due_on, Plan.id)", lazy="select")
    )
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    done_by_conversation: Mapped[Conversation | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(one_of("kind", tuple(PLAN_KINDS)), name="kind"),
        CheckConstraint(one_of("status", PLAN_STATUSES), name="status"),
        # A worker's open plans by date (the diary), and a case's next one (the caseload):
        # only the planned ones are ever looked up by date, so only they are indexed.
        Index(
            "ix_plans_open_by_owner",
            "owner_id",
            "due_on",
            sqlite_where=sql("status = 'planned'"),
            postgresql_where=sql("status = 'planned'"),
        ),
        Index(
            "ix_plans_open_by_case",
            "case_id",
            "due_on",
            sqlite_where=sql("status = 'planned'"),
            postgresql_where=sql("status = 'planned'"),
        ),
        Index("ix_plans_case", "case_id"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == "planned"


# The diary's other half: the open actions a worker must do, by date. Declared here, with
# the diary that reads it, on the actions table.
Index(
    "ix_actions_open_by_assignee_due",
    Action.assignee_id,
    Action.due_on,
    sqlite_where=sql("status = 'agreed'"),
    postgresql_where=sql("status = 'agreed'"),
)
