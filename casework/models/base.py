"""What every model shares: the moment now in UTC, the CHECK constraint that holds a
column to the values it may take (declared once, in casework/rules.py), and the columns
that record who made a row and when (`Recorded`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock


def utcnow() -> dt.datetime:
    """The current moment, timezone-aware in UTC."""
    return clock.now()


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored moment, timezone-aware: SQLite gives back naive datetimes, all of them UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint's condition: the column holds one of the values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Recorded:
    """Who made a row and when, and when it last changed: the same three columns on every
    record a worker writes (a model that also keeps who changed it last says so itself)."""

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
