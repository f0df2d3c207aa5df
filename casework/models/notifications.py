"""What a worker is told: a case given to them, a demand passed to them, a transfer to their
team. Kept in the database, so every app server sees the same list (the header's count, the
list, and the daily email digest)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..rules import NOTIFICATION_KINDS, NOTIFICATION_TEXT
from .base import one_of, utcnow
from .staff import User


class Notification(db.Model):
    """One thing one worker is told. Its text says what happened and where, never a health
    or care detail: the same words go into the email digest."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(String(NOTIFICATION_TEXT))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(one_of("kind", tuple(NOTIFICATION_KINDS)), name="kind"),
        # A worker's list, newest first, and the header's count of the unread ones.
        Index("ix_notifications_user_unread", "user_id", "read_at", "created_at"),
    )
