"""The person's decisions about sharing (api.md, "Safety and the people around the
person"): what may be shared, with whom, given or refused, when, until when."""

from __future__ import annotations

import datetime as dt

from flask_login import current_user

from .. import clock, rules
from ..extensions import db
from ..models import ConsentDecision
from ..safety import service as safety
from .base import answers, bp, spec
from .fields import Body, Choice, Date, Day, Shape, Text
from .flags import person_to_change


class ConsentIn(Body):
    decision: Choice(rules.CONSENT_DECISIONS)
    scope: Text(rules.CONSENT_SCOPE, "What may be shared, with whom", required=True)
    recorded_on: Day("When the person decided: today or earlier")
    expires_on: Day("Until when; none: no end date") | None = None


class Consent(Shape):
    """The person's decision about sharing: what, with whom, until when"""

    id: int
    person_id: int
    decision: Choice(rules.CONSENT_DECISIONS)
    scope: str
    recorded_on: Date
    expires_on: Date | None
    expired: bool
    recorded_by_id: int | None


def consent_json(consent: ConsentDecision, today: dt.date) -> Consent:
    return Consent(
        id=consent.id,
        person_id=consent.person_id,
        decision=consent.decision,
        scope=consent.scope,
        recorded_on=consent.recorded_on,
        expires_on=consent.expires_on,
        expired=consent.expired(today),
        recorded_by_id=consent.recorded_by_id,
    )


@bp.post("/people/<id:person_id>/consents")
@spec.validate(resp=answers(201, Consent, 403, 404, 409, body=True), tags=["Safety"])
def create_consent(person_id: int, json: ConsentIn):
    """Record the person's decision about sharing"""
    person = person_to_change(person_id)
    consent = safety.record_consent(db.session, current_user, person, **json.sent())
    db.session.commit()
    return consent_json(consent, clock.today()), 201
