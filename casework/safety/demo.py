"""The demo's cautions, circles and decisions about sharing: data in demo.toml, loaded
through the same functions as the app (casework/demo.py calls `load`)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Person, User
from . import service

DATA = Path(__file__).with_name("demo.toml")


def _person(session: Session, name: str) -> Person:
    given, _, family = name.partition(" ")
    person = session.scalar(
        select(Person).where(Person.given_name == given, Person.family_name == family)
    )
    if person is None:
        raise LookupError(f"The safety demo names {name}, who is not in the demo")
    return person


def load(session: Session, staff: dict[str, User], today: dt.date) -> None:
    """Add every caution, member of a circle and decision the data file holds."""
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    for flag in data["flag"]:
        service.raise_flag(
            session,
            staff[flag["by"]],
            _person(session, flag["person"]),
            category=flag["category"],
            text=flag["text"],
            review_on=today + dt.timedelta(days=flag["review_in_days"]),
            today=today,
        )
    for member in data["member"]:
        fields = {k: v for k, v in member.items() if k in service.NETWORK_FIELDS}
        service.add_member(session, staff[member["by"]], _person(session, member["person"]), fields)
    for consent in data["consent"]:
        expires = consent.get("expires_in_days")
        service.record_consent(
            session,
            staff[consent["by"]],
            _person(session, consent["person"]),
            decision=consent["decision"],
            scope=consent["scope"],
            recorded_on=today - dt.timedelta(days=consent["recorded_days_ago"]),
            expires_on=today + dt.timedelta(days=expires) if expires is not None else None,
            today=today,
        )
