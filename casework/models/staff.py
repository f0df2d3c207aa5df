"""Teams and the workers who sign in."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules import COHORTS, NO_CONTACT_DAYS, PHONE, PROFESSION, ROLES, WORKING_HOURS
from .base import one_of, utcnow


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    cohort: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Days without contact after which the team's caseloads flag a case (its manager sets it).
    no_contact_days: Mapped[int] = mapped_column(
        Integer, default=NO_CONTACT_DAYS, server_default=str(NO_CONTACT_DAYS)
    )

    members: Mapped[list[User]] = relationship(back_populates="team", order_by="User.name")

    __table_args__ = (CheckConstraint(one_of("cohort", COHORTS), name="cohort"),)


class User(UserMixin, db.Model):
    """A worker who logs in: a practitioner, a team manager, an administrator or a lead."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Two-factor sign-in (casework/auth/two_factor.py): the TOTP secret (base32), set up
    # when confirmed with a first code; the last time step used, so a code works once;
    # wrong codes since the last right one (the second factor locks at MAX_WRONG_CODES).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    totp_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # How the person being helped, and colleagues, reach this worker (issue 16).
    profession: Mapped[str | None] = mapped_column(String(PROFESSION))
    phone: Mapped[str | None] = mapped_column(String(PHONE))
    working_hours: Mapped[str | None] = mapped_column(String(WORKING_HOURS))
    # A daily email of unread notifications (`casework notify send`), only if they opt in.
    email_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    team: Mapped[Team | None] = relationship(back_populates="members")

    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return self.totp_confirmed_at is not None

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_lead(self) -> bool:
        """A service lead across the locality: every team's figures, nobody's notes."""
        return self.role == "lead"
