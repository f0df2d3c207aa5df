"""What every model shares: the moment now in UTC, and the CHECK constraint that holds a
column to the values it may take (declared once, in casework/rules.py)."""

from __future__ import annotations

import datetime as dt

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
