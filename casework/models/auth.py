"""How workers sign in: API tokens, server-side sessions and recovery codes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import one_of, utcnow
from .staff import User


class ApiToken(db.Model):
    """A bearer token for the API. Only a hash is kept; the token acts as its user."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


SESSION_STAGES = ("signed_in", "code", "enrol")


class UserSession(db.Model):
    """One signed-in browser, kept on the server (casework/auth/sessions.py, ADR 0022).

    The signed session cookie holds only a random id, of which this row keeps a hash: ending
    the row (logout, timeouts, a new password, deactivation, a change of role or team, an
    administrator's "sign out everywhere") ends the session wherever its cookie is copied.
    `stage` is "signed_in", or a password accepted and waiting for the second factor:
    "code" (typing it) or "enrol" (setting it up, where the role requires one)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(10))  # "password" or "oidc"
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(30))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint(one_of("stage", SESSION_STAGES), name="stage"),)


class RecoveryCode(db.Model):
    """One of a user's ten single-use codes for signing in without their authenticator.
    Only a hash is kept: the codes are random, shown once, so SHA-256 is enough."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
