"""The one clock (ADR 0029): what "now" and "today" mean everywhere in Casework.

- `now()`: this moment, timezone-aware in UTC. Every timestamp is stored and compared in UTC.
- `today()`: the UK calendar day (Europe/London) of that moment. Every rule, form default,
  figure and file name that means "today" asks this, never the server's own time zone: on a
  server kept in UTC, between midnight and 1am in British Summer Time the UK is already on
  the next day.
- `timestamp()`: the same moment in seconds since the epoch, for sessions, one-time codes and
  single sign-on tokens.

Everything else calls these three through the module (`clock.now()`), so a test freezes one
thing: travel with time-machine, or monkeypatch `clock.now`.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    """This moment, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def timestamp() -> float:
    """This moment in seconds since the epoch (what time.time() gives)."""
    return now().timestamp()


def uk_day(moment: dt.datetime) -> dt.date:
    """The UK calendar day of a moment (SQLite hands back naive datetimes: all of them UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(UK).date()


def today() -> dt.date:
    """Today in the UK, whatever the server's time zone."""
    return uk_day(now())


def uk_midnight(day: dt.date) -> dt.datetime:
    """The start of a UK day as a UTC moment (the database stores UTC)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=UK).astimezone(dt.UTC)
