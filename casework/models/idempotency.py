"""Nothing saved twice (ADR 0036): the API's idempotency keys and the web forms' one-time
tokens, both kept in the database (never in a process's memory) so that every app server
sharing it sees the same claim. Each is unique per user: the second claim of the same key
or token fails on the constraint, however many servers race for it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class IdempotencyKey(db.Model):
    """An API POST sent with `Idempotency-Key`: claimed (status None) before the work, the
    answer stored after it, and given again to the same request sent again within 24 hours.
    `fingerprint` is a hash of the method, address and canonical body: the same key with
    another request is refused."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    mimetype: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("user_id", "key"),)


class FormToken(db.Model):
    """A web form's one-time token, spent by the save it carried (in the same transaction),
    with where that save sent the browser: a form sent again goes there instead."""

    __tablename__ = "form_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token: Mapped[str] = mapped_column(String(100))
    used_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    redirect_to: Mapped[str | None] = mapped_column(String(2000))

    __table_args__ = (UniqueConstraint("user_id", "token"),)
