"""Template helpers: UK dates, plain-English labels, form macros' glue."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from . import clock

LABELS = {
    "value": "Value demand",
    "failure": "Failure demand",
    "referral_form": "Referral form",
    "in_person": "In person",
    "open_case": "Joined the open case",
    "same_worker": "Back to the same worker",
    "new_case": "Opened a new case",
    "passed_to_owner": "Passed to the worker who knows the person",
    "person": "The person and their network",
    "team": "The team",
    "agreed": "Agreed",
    "done": "Done",
    "dropped": "Dropped",
    "yes": "Yes",
    "partly": "Partly",
    "no": "No",
    "pilot": "Pilot",
    "usual": "Usual practice",
    "practitioner": "Practitioner",
    "manager": "Team manager",
    "admin": "Administrator",
    "lead": "Service lead",
}


def uk_date(value: dt.date | dt.datetime | None, default: str = "") -> str:
    """A date as people write it in the UK: 2 December 2026."""
    if value is None:
        return default
    return f"{value.day} {value:%B %Y}"


def uk_datetime(value: dt.datetime | None) -> str:
    """A moment as '2 December 2026 at 2:05pm' in UK local time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(clock.UK)
    hour = local.hour % 12 or 12
    return f"{uk_date(local)} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def label(value: str | None) -> str:
    """The plain-English label for a stored code word."""
    if value is None:
        return ""
    return LABELS.get(value, value.replace("_", " ").capitalize())


def nhs_number(value: str | None) -> str:
    """An NHS number spaced 3-3-4 as it is printed on letters."""
    if not value:
        return ""
    return f"{value[:3]} {value[3:6]} {value[6:]}"


def register(app: Flask) -> None:
    """The formatting filters, and today. (Formatting is read by the rules, so it imports
    nothing of the app's above the clock: pages' and forms' own helpers are registered by
    create_app.)"""
    app.jinja_env.filters.update(
        uk_date=uk_date, uk_datetime=uk_datetime, label=label, nhs_number=nhs_number
    )
    app.jinja_env.globals.update(today=clock.today)
