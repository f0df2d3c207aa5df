"""Cautions (api.md, "Safety and the people around the person"): put one on a person's
record for everyone who visits, and end it with a reason. The rules are safety.service's
and the access policy's, as on the pages."""

from __future__ import annotations

from typing import ClassVar

from flask_login import current_user

from .. import policy, rules
from ..extensions import db
from ..models import CautionFlag
from ..models import Person as PersonRecord
from ..people.service import require_not_merged
from ..safety import service as safety
from .base import answers, bp, spec
from .fields import WITHIN_TWO_YEARS, Body, Choice, Date, Day, Moment, Shape, Text, moment


class FlagIn(Body):
    category: Choice(rules.FLAG_CATEGORIES)
    text: Text(rules.FLAG_TEXT, "What a worker needs to know before a visit", required=True)
    review_on: Day(WITHIN_TWO_YEARS)


class FlagEnd(Body):
    domain_requires: ClassVar = ("reason",)
    reason: Text(rules.SHORT_TEXT, "Why it no longer applies", required=True) | None = None


class Flag(Shape):
    """A caution shown before anyone visits: ended with a reason, never deleted"""

    id: int
    person_id: int
    category: Choice(rules.FLAG_CATEGORIES)
    text: str
    review_on: Date
    active: bool
    team_id: int | None
    raised_by_id: int | None
    raised_at: Moment
    ended_at: Moment | None
    ended_by_id: int | None
    end_reason: str | None


def flag_json(flag: CautionFlag) -> Flag:
    return Flag(
        id=flag.id,
        person_id=flag.person_id,
        category=flag.category,
        text=flag.text,
        review_on=flag.review_on,
        active=flag.active,
        team_id=flag.team_id,
        raised_by_id=flag.raised_by_id,
        raised_at=moment(flag.raised_at),
        ended_at=moment(flag.ended_at),
        ended_by_id=flag.ended_by_id,
        end_reason=flag.end_reason,
    )


def person_to_change(person_id: int) -> PersonRecord:
    """A person whose cautions, circle or decisions the user may change; a merged record
    is changed on the record it was merged into (409, `merged_into_id`)."""
    person = policy.get_person_for(current_user, person_id, write=True)
    require_not_merged(person)
    return person


@bp.post("/people/<id:person_id>/flags")
@spec.validate(resp=answers(201, Flag, 403, 404, 409, body=True), tags=["Safety"])
def create_flag(person_id: int, json: FlagIn):
    """Put a caution on a person's record, for everyone who visits

    The teams working with the person (403 for others). The raising team's manager sees
    it when its review date comes.
    """
    person = person_to_change(person_id)
    flag = safety.raise_flag(db.session, current_user, person, **json.sent())
    db.session.commit()
    return flag_json(flag), 201


@bp.post("/flags/<id:flag_id>/end")
@spec.validate(resp=answers(200, Flag, 403, 404, 409, body=True), tags=["Safety"])
def end_flag(flag_id: int, json: FlagEnd):
    """End a caution that no longer applies, with a reason

    The caution stays in the record with the reason. Ended already: 409.
    """
    flag = policy.get_flag_for(current_user, flag_id)
    safety.end_flag(db.session, current_user, flag, reason=json.reason)
    db.session.commit()
    return flag_json(flag)
