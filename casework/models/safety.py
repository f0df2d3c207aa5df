"""Safety and the people around the person: caution flags, the person's network (and who in
it was at a conversation) and their decisions about sharing (ADR 0031)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, orm
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import Boolean, Date, DateTime, Integer, String, Text

from ..extensions import db
from ..rules import CONSENT_DECISIONS, FLAG_CATEGORIES, RELATIONSHIPS
from .base import Recorded, one_of, utcnow
from .people import Person
from .staff import Team, User


class CautionFlag(db.Model):
    """Something a worker must know before they knock: a dog, a risk, an infection. Raised by
    a team (whose manager sees it when its review is due); ended with a reason, never deleted."""

    __tablename__ = "caution_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    review_on: Mapped[dt.date] = mapped_column(Date)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()
    team: Mapped[Team | None] = relationship()
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    __table_args__ = (
        CheckConstraint(one_of("category", FLAG_CATEGORIES), name="category"),
        # Never ended without its reason, who and when.
        CheckConstraint(
            "ended_at IS NULL OR (end_reason IS NOT NULL AND ended_by_id IS NOT NULL)",
            name="ended",
        ),
        Index("ix_caution_flags_person", "person_id", "ended_at"),
        # A team's active flags by review date: the manager's list of reviews due.
        Index(
            "ix_caution_flags_team_review",
            "team_id",
            "review_on",
            sqlite_where=sql("ended_at IS NULL"),
            postgresql_where=sql("ended_at IS NULL"),
        ),
    )

    @property
    def active(self) -> bool:
        return self.ended_at is None


class NetworkMember(Recorded, db.Model):
    """Someone in the person's circle: family, a friend, a neighbour, a carer, a professional
    or a community group. Not a person the service helps: never searched as one."""

    __tablename__ = "network_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship: Mapped[str] = mapped_column(String(20))
    role: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    # The person agrees the team may contact them.
    may_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)

    # (`relationship` is a column here, so the function is reached through `orm`.)
    person: Mapped[Person] = orm.relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (CheckConstraint(one_of("relationship", RELATIONSHIPS), name="relationship"),)

    @property
    def named(self) -> str:
        """How a list names them: "Kayden (neighbour)"."""
        return f"{self.name} ({RELATIONSHIPS[self.relationship].lower()})"


class ConversationAttendee(db.Model):
    """Someone from the person's circle who was at a conversation (`Conversation.attendees`)."""

    __tablename__ = "conversation_attendees"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    network_member_id: Mapped[int] = mapped_column(
        ForeignKey("network_members.id"), primary_key=True
    )


class ConsentDecision(db.Model):
    """The person's decision about sharing: what may be shared with whom, given or refused,
    when, and until when. A later decision stands beside the earlier ones."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    scope: Mapped[str] = mapped_column(Text)
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(one_of("decision", CONSENT_DECISIONS), name="decision"),
        CheckConstraint("expires_on IS NULL OR expires_on >= recorded_on", name="expires_on"),
    )

    def expired(self, today: dt.date) -> bool:
        return self.expires_on is not None and self.expires_on < today
