"""What every model shares: the moment now in UTC, the values a column may take, and the
CHECK constraint that holds a column to them."""

from __future__ import annotations

import datetime as dt

COHORTS = ("pilot", "usual")
ROLES = ("practitioner", "manager", "admin")
DEMAND_KINDS = ("value", "failure")
CHANNELS = ("phone", "letter", "email", "referral_form", "in_person", "other")
CONVERSATION_KINDS = ("visit", "phone", "video", "meeting", "other")
REFERRAL_MATCHES = ("yes", "partly", "no")
ACTION_BY = ("person", "team")
ACTION_STATUSES = ("agreed", "done", "dropped")
ROUTES = ("open_case", "same_worker", "new_case")
BARRIER_KINDS = ("rule", "eligibility", "form", "handoff", "it_system", "funding", "other")
BARRIER_STATUSES = ("raised", "with_leader", "removed", "kept")
ASK_KINDS = ("resource", "permission")
ASK_STATUSES = ("open", "yes", "no", "withdrawn")


def utcnow() -> dt.datetime:
    """The current moment, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored moment, timezone-aware: SQLite gives back naive datetimes, all of them UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint's condition: the column holds one of the values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
