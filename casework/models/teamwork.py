"""What a team decides for itself: asks of its manager, and its written purpose."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules import ASK_KINDS, ASK_STATUSES
from .base import one_of, utcnow
from .cases import Case
from .staff import Team, User


class Ask(db.Model):
    """An ask of the team's manager, for a case: a resource or a permission, answered yes or
    no with a reason. The team has no fixed limits; it asks, and the answer is on record."""

    __tablename__ = "asks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The case's team (a case never changes team): whose manager answers, and whose list
    # of open asks it is on.
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    kind: Mapped[str] = mapped_column(String(10))
    what: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(Text)
    # Money is kept exactly, in whole pence; None when nobody knows the cost.
    cost_pence: Mapped[int | None] = mapped_column(Integer)
    needed_by: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The manager's answer: yes or no, always with its reason, who gave it and when.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    # The asker took it back before an answer (no longer needed); not a decision.
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    case: Mapped[Case] = relationship()
    team: Mapped[Team] = relationship()
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(one_of("kind", ASK_KINDS), name="kind"),
        CheckConstraint(one_of("status", ASK_STATUSES), name="status"),
        CheckConstraint("cost_pence IS NULL OR cost_pence >= 0", name="cost_pence"),
        # A yes or a no is never without its reason, its manager and its moment.
        CheckConstraint(
            "status NOT IN ('yes', 'no') OR (reason IS NOT NULL AND decided_by_id IS NOT NULL "
            "AND decided_at IS NOT NULL)",
            name="decision",
        ),
        # The team's open asks, oldest first, and its recent decisions (the asks page).
        Index("ix_asks_team_status_asked", "team_id", "status", "asked_at"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == "open"


class TeamPurpose(db.Model):
    """One version of a team's own purpose, principles and rules, written by its manager.
    Never changed in place: each edit adds the next version, so the history is the table."""

    __tablename__ = "team_purposes"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    version: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(Text)
    # One principle (or rule) a line, as the manager wrote them.
    principles: Mapped[str | None] = mapped_column(Text)
    rules: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    changed_by: Mapped[User | None] = relationship()

    # Two managers saving at once both write "the next version": the second is refused.
    __table_args__ = (Index("uq_team_purposes_team_version", "team_id", "version", unique=True),)

    @property
    def principle_list(self) -> list[str]:
        return _lines(self.principles)

    @property
    def rule_list(self) -> list[str]:
        return _lines(self.rules)


def _lines(text_value: str | None) -> list[str]:
    """The non-blank lines of a list typed one item a line (a leading '-' or '*' dropped)."""
    lines = (line.strip().lstrip("-*•").strip() for line in (text_value or "").splitlines())
    return [line for line in lines if line]
