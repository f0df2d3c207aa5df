"""Barriers that got in the way, the cases that met them, and the stories a team shares."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from ..rules import BARRIER_KINDS, BARRIER_STATUSES
from .base import Recorded, one_of, utcnow
from .cases import Case
from .staff import Team, User


class Barrier(Recorded, db.Model):
    """Something that got in the way of helping people: a team's, gathering the cases it hit."""

    __tablename__ = "barriers"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    owner_org: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="raised")
    # Why it was removed or kept (or opened again): the latest move's reason.
    status_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)

    team: Mapped[Team] = relationship()
    created_by: Mapped[User | None] = relationship()
    links: Mapped[list[BarrierCase]] = relationship(
        back_populates="barrier", order_by="BarrierCase.id"
    )
    moves: Mapped[list[BarrierMove]] = relationship(
        back_populates="barrier", order_by="BarrierMove.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(one_of("kind", BARRIER_KINDS), name="kind"),
        CheckConstraint(one_of("status", BARRIER_STATUSES), name="status"),
    )


class BarrierCase(db.Model):
    """A barrier met in a case, and what it cost the person, in their words."""

    __tablename__ = "barrier_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    barrier_id: Mapped[int] = mapped_column(ForeignKey("barriers.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    cost: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    barrier: Mapped[Barrier] = relationship(back_populates="links")
    case: Mapped[Case] = relationship(backref=backref("barrier_links", order_by="BarrierCase.id"))
    recorded_by: Mapped[User | None] = relationship()

    # One barrier is counted once in a case (the board counts cases).
    __table_args__ = (Index("uq_barrier_cases_barrier_case", "barrier_id", "case_id", unique=True),)


class BarrierMove(db.Model):
    """A barrier moved from one status to the next: who, when and why. The first raises it."""

    __tablename__ = "barrier_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    barrier_id: Mapped[int] = mapped_column(ForeignKey("barriers.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    barrier: Mapped[Barrier] = relationship(back_populates="moves")
    by: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint(one_of("to_status", BARRIER_STATUSES), name="to_status"),)


class Story(db.Model):
    """A closed case its team chose to share, pseudonymised, instead of a report (ADR 0017)."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(backref=backref("story", uselist=False))
    marked_by: Mapped[User | None] = relationship()
