"""The audit trail: who read or changed which record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .staff import User


class AuditEvent(db.Model):
    """Append-only: who read or changed which record, when and from where."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    detail: Mapped[dict | None] = mapped_column(JSON)
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User | None] = relationship()

    # The login limits count one action's recent events (casework/auth/throttle.py).
    __table_args__ = (Index("ix_audit_events_action_at", "action", "at"),)

    # A list read's people (search results, a caseload): found by person, by index.
    listed: Mapped[list[AuditEventPerson]] = relationship(lazy="raise")


class AuditEventPerson(db.Model):
    """One person shown by a list read (an audit event naming many people): each person's
    "who looked at my record" finds the list by this table's index (ADR 0025). Append-only,
    like the events."""

    __tablename__ = "audit_event_people"

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (Index("ix_audit_event_people_person", "person_id", "event_id"),)
