"""Putting the record right without rewriting it: a record entered in error (kept, marked,
with the reason), and a late note on a closed case (ADR 0037)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .staff import User


class EnteredInError:
    """The columns of a record that can be marked entered in error: when, by whom and why.
    Marked, it leaves the current views and every figure, and stays in the history."""

    entered_in_error_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    entered_in_error_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_in_error_reason: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def entered_in_error_by(cls) -> Mapped[User | None]:  # noqa: N805 - a declared attribute
        # Who marked each of a list of records, in one query for the list (none when nothing
        # in it is marked): the case page and the timeline name them.
        return relationship(
            foreign_keys=f"{cls.__name__}.entered_in_error_by_id", viewonly=True, lazy="selectin"
        )

    @property
    def in_error(self) -> bool:
        return self.entered_in_error_at is not None


class LateNote(db.Model):
    """A note added to a closed case (a letter that arrived, a call after closure): it is
    not a demand, does not reopen the case and counts in no figure."""

    __tablename__ = "late_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    written_on: Mapped[dt.date] = mapped_column(Date)  # the UK day it was written
    written_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User | None] = relationship()
