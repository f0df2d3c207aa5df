"""Demands, the cases they open or join, and what happens in a case: conversations,
actions and changes of owner."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship
from sqlalchemy.types import Boolean, Date, DateTime, Integer, String, Text

from ..extensions import db
from ..rules import (
    ACTION_BY,
    ACTION_STATUSES,
    CHANNELS,
    CLOSURE_OUTCOMES,
    COHORTS,
    CONVERSATION_KINDS,
    DEMAND_KINDS,
    REFERRAL_MATCHES,
    ROUTES,
)
from .base import Recorded, one_of, utcnow
from .corrections import EnteredInError, LateNote
from .people import Person

if TYPE_CHECKING:
    from .safety import NetworkMember
from .staff import Team, User

DEMAND_ORDER = "(Demand.received_on, Demand.id)"  # a case's and a person's demands, oldest first


class Case(Recorded, db.Model):
    """One stretch of end-to-end work with a person in a team, from first demand to closure."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    # The team's way of working when the case opened: measures compare cohorts
    # as they were, even if a team later leaves the pilot.
    cohort: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    referral_match: Mapped[str | None] = mapped_column(String(10))
    real_problem: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    closure_agreed: Mapped[bool | None] = mapped_column(Boolean)
    closure_agreement_note: Mapped[str | None] = mapped_column(Text)
    closure_summary: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # How the case ended (rules.CLOSURE_OUTCOMES): "agreed" is closure by mutual agreement.
    closure_outcome: Mapped[str | None] = mapped_column(String(20))
    # The case in another team this one continues, when a transfer was accepted (ADR 0033).
    transferred_from_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    version: Mapped[int] = mapped_column(Integer)

    person: Mapped[Person] = relationship(
        backref=backref("cases", order_by="(Case.opened_on, Case.id)")
    )
    team: Mapped[Team] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    transferred_from: Mapped[Case | None] = relationship(
        remote_side=[id], foreign_keys=[transferred_from_case_id]
    )
    demands: Mapped[list[Demand]] = relationship(back_populates="case", order_by=DEMAND_ORDER)
    conversations: Mapped[list[Conversation]] = relationship(
        back_populates="case", order_by="(Conversation.held_on, Conversation.id)"
    )
    actions: Mapped[list[Action]] = relationship(back_populates="case", order_by="Action.id")
    ownership_changes: Mapped[list[OwnershipChange]] = relationship(
        back_populates="case", order_by="OwnershipChange.id"
    )
    late_notes: Mapped[list[LateNote]] = relationship(
        order_by="(LateNote.written_at, LateNote.id)", backref="case"
    )

    # SQLAlchemy adds "AND version = :old" to every UPDATE and bumps it, so two
    # writers racing past the application's own version check still collide.
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(one_of("cohort", COHORTS), name="cohort"),
        CheckConstraint(
            f"closure_outcome IS NULL OR {one_of('closure_outcome', CLOSURE_OUTCOMES)}",
            name="closure_outcome",
        ),
        CheckConstraint(
            f"referral_match IS NULL OR {one_of('referral_match', REFERRAL_MATCHES)}",
            name="referral_match",
        ),
        # A person's cases in a team in order, with their closing dates: routing and the
        # measures look up "the previous (closed) case" from the index alone (ADR 0010, 0011).
        Index("ix_cases_person_team_history", "person_id", "team_id", "opened_on", "closed_on"),
        Index("ix_cases_opened_on", "opened_on"),
        # The open cases of a worker and of a team: the caseload pages (migration 0005).
        Index(
            "ix_cases_open_by_owner",
            "owner_id",
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
        Index(
            "ix_cases_open_by_team",
            "team_id",
            "owner_id",
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
        # At most one open case per person per team, enforced by the database.
        Index(
            "uq_cases_one_open_per_team",
            "person_id",
            "team_id",
            unique=True,
            sqlite_where=text("closed_on IS NULL"),
            postgresql_where=text("closed_on IS NULL"),
        ),
    )

    @property
    def status(self) -> str:
        return "closed" if self.closed_on else "open"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    # The records as they stand: those entered in error are kept (in_error below) but leave
    # every current view.
    @property
    def current_demands(self) -> list[Demand]:
        return [d for d in self.demands if not d.in_error]

    @property
    def current_conversations(self) -> list[Conversation]:
        return [c for c in self.conversations if not c.in_error]

    @property
    def current_actions(self) -> list[Action]:
        return [a for a in self.actions if not a.in_error]

    @property
    def records_in_error(self) -> list:
        """The case's demands, conversations and actions entered in error, latest marked
        first: kept in the history, struck through, with the reason."""
        records = [r for r in (*self.demands, *self.conversations, *self.actions) if r.in_error]
        return sorted(records, key=lambda r: r.entered_in_error_at, reverse=True)

    @property
    def what_matters(self) -> Conversation | None:
        """The conversation holding the current what-matters statement, if any."""
        statements = self.what_matters_history
        return statements[0] if statements else None

    @property
    def what_matters_history(self) -> list[Conversation]:
        """Every what-matters statement, the latest said first (a visit typed up late stays
        in its place)."""
        return sorted(
            (c for c in self.conversations if c.what_matters and not c.in_error),
            key=lambda c: (c.held_on, c.id),
            reverse=True,
        )


class Demand(EnteredInError, db.Model):
    """A request for help about a person arriving into a team: a referral or a contact."""

    __tablename__ = "demands"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    cohort: Mapped[str] = mapped_column(String(10))
    received_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(20))
    stated_need: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(10))
    # How the routing rule placed it; null for imported history.
    routed_by: Mapped[str | None] = mapped_column(String(20))
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    person: Mapped[Person] = relationship(backref=backref("demands", order_by=DEMAND_ORDER))
    team: Mapped[Team] = relationship()
    case: Mapped[Case | None] = relationship(back_populates="demands")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    __table_args__ = (
        CheckConstraint(one_of("cohort", COHORTS), name="cohort"),
        CheckConstraint(one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(f"kind IS NULL OR {one_of('kind', DEMAND_KINDS)}", name="kind"),
        CheckConstraint(f"routed_by IS NULL OR {one_of('routed_by', ROUTES)}", name="routed_by"),
        # The measures' searches ("an earlier demand to the team", "came back after the
        # closure", "the case's first demand") answered from the indexes alone (ADR 0016).
        Index("ix_demands_person_team_history", "person_id", "team_id", "received_on", "case_id"),
        Index("ix_demands_case_received", "case_id", "received_on"),
        Index("ix_demands_team_received", "team_id", "received_on"),
    )


class Conversation(EnteredInError, db.Model):
    """A visit, call or meeting inside a case: a contact, not a demand."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    with_whom: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[int | None] = mapped_column(Integer)
    # A new statement of what matters, in the person's own words; the latest
    # one is the case's current statement, earlier ones are its history.
    what_matters: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="conversations")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    # Who from the person's circle was there (models/safety.py): loaded with the conversations,
    # one query for all of them, so no list of conversations reads them one by one.
    attendees: Mapped[list[NetworkMember]] = relationship(
        secondary="conversation_attendees", order_by="NetworkMember.name", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint(one_of("kind", CONVERSATION_KINDS), name="kind"),
        CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),
    )


class Action(Recorded, EnteredInError, db.Model):
    """Something agreed with the person: done by the person (and their network) or the team."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    description: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(10))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The assignee's team when they were given the action: one who has since moved team has
    # departed (a colleague pulled in from another team has not), ADR 0037.
    assignee_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    # Who in the person's circle (or which outside professional) does it (models/safety.py).
    network_member_id: Mapped[int | None] = mapped_column(ForeignKey("network_members.id"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="agreed")
    outcome: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="actions")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(one_of("by", ACTION_BY), name="by"),
        CheckConstraint(one_of("status", ACTION_STATUSES), name="status"),
        Index("ix_actions_case_by_status", "case_id", "by", "status"),  # counted from the index
        # A worker's open actions (the caseload page), not every action of their open cases.
        Index("ix_actions_assignee_status", "assignee_id", "status"),
        # The actions of colleagues who have left a team (actions.service.needing_new_owner).
        Index("ix_actions_assignee_open_team", "assignee_id", "status", "assignee_team_id"),
    )


class OwnershipChange(db.Model):
    """A deliberate change of a case's owner, with its reason. The first sets the first owner."""

    __tablename__ = "ownership_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    from_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="ownership_changes")
    from_user: Mapped[User | None] = relationship(foreign_keys=[from_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_id])
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])

    # First owner and handoffs of a case, read from the index alone (ADR 0016).
    __table_args__ = (Index("ix_ownership_changes_case_history", "case_id", "from_id", "to_id"),)
