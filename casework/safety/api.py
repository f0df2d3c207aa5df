"""Safety and the people around the person in the API (api.md, "Safety and the people
around the person"): raise and end cautions, keep the circle, record decisions about
sharing. Each request body is declared once here (its checks and its OpenAPI entry); the
rules are safety.service's and the access policy's, as on the pages.

Written with the API layer of the time (casework/api/operations.py); when the API's
declared-once models (ADR 0026) land, these five operations move to that style."""

from __future__ import annotations

import datetime as dt

from flask import abort, jsonify
from flask_login import current_user

from .. import policy
from ..api.openapi import (
    DATE,
    INTEGER,
    MOMENT,
    N_DATE,
    N_INTEGER,
    N_MOMENT,
    N_STRING,
    STRING,
    _enum,
    _object,
)
from ..api.operations import operation
from ..api.validation import Body, Field, Id
from ..extensions import db
from . import service
from .json import consent_json, flag_json, member_json
from .models import CONSENT_DECISIONS, FLAG_CATEGORIES, RELATIONSHIPS

BOOLEAN = {"type": "boolean"}


def _text(limit: int, description: str = "", **kwargs) -> Field:
    return Field("string", max_length=limit, description=description, **kwargs)


SCHEMAS = {
    "Flag": _object(
        {
            "id": INTEGER,
            "person_id": INTEGER,
            "category": _enum(FLAG_CATEGORIES),
            "text": STRING,
            "review_on": DATE,
            "active": BOOLEAN,
            "team_id": N_INTEGER,
            "raised_by_id": N_INTEGER,
            "raised_at": MOMENT,
            "ended_at": N_MOMENT,
            "ended_by_id": N_INTEGER,
            "end_reason": N_STRING,
        },
        "A caution shown before anyone visits: ended with a reason, never deleted",
    ),
    "NetworkMember": _object(
        {
            "id": INTEGER,
            "person_id": INTEGER,
            "name": STRING,
            "relationship": _enum(RELATIONSHIPS),
            "role": N_STRING,
            "organisation": N_STRING,
            "phone": N_STRING,
            "email": N_STRING,
            "may_contact": BOOLEAN,
            "notes": N_STRING,
            "version": INTEGER,
        },
        "Someone in the person's circle: never a person the service helps",
    ),
    "Consent": _object(
        {
            "id": INTEGER,
            "person_id": INTEGER,
            "decision": _enum(CONSENT_DECISIONS),
            "scope": STRING,
            "recorded_on": DATE,
            "expires_on": N_DATE,
            "expired": BOOLEAN,
            "recorded_by_id": N_INTEGER,
        },
        "The person's decision about sharing: what, with whom, until when",
    ),
}

FLAG_IN = Body(
    {
        "category": Field("enum", choices=FLAG_CATEGORIES, required=True, nullable=False),
        "text": _text(service.FLAG_TEXT_LIMIT, "What to know before a visit", required=True),
        "review_on": Field("date", required=True, description="Today or later, within 2 years"),
    }
)


@operation(
    "POST",
    "/people/<id:person_id>/flags",
    summary="Put a caution on a person's record, for everyone who visits",
    description="The teams working with the person (403 for others). The raising team's "
    "manager sees it when its review date comes.",
    tag="Safety",
    body=FLAG_IN,
    response=(201, "Flag"),
    errors=(400, 403, 404, 409, 422),
)
def create_flag(person_id: int, body: dict):
    person = _person_to_change(person_id)
    flag = service.raise_flag(db.session, current_user, person, **body)
    db.session.commit()
    return jsonify(flag_json(flag)), 201


END_IN = Body({"reason": _text(service.REASON_LIMIT, "Why it no longer applies: else 422")})


@operation(
    "POST",
    "/flags/<id:flag_id>/end",
    summary="End a caution that no longer applies, with a reason",
    description="The caution stays in the record with the reason. Ended already: 409.",
    tag="Safety",
    body=END_IN,
    response=(200, "Flag"),
    errors=(400, 403, 404, 409, 422),
)
def end_flag(flag_id: int, body: dict):
    flag = policy.get_flag_for(current_user, flag_id)
    service.end_flag(db.session, current_user, flag, reason=body.get("reason"))
    db.session.commit()
    return jsonify(flag_json(flag))


def _member_fields(required: bool) -> dict:
    nullable = {"required": required, "nullable": not required}
    return {
        "name": _text(service.NAME_LIMIT, "Their name, or the group's", **nullable),
        "relationship": Field("enum", choices=RELATIONSHIPS, **nullable),
        "role": _text(service.ROLE_LIMIT, example="daughter; has LPA"),
        "organisation": _text(service.ORGANISATION_LIMIT),
        "phone": _text(service.PHONE_LIMIT),
        "email": _text(service.EMAIL_LIMIT),
        "may_contact": Field(
            "boolean", nullable=False, description="The person agrees they may be contacted"
        ),
        "notes": _text(service.NOTES_LIMIT),
    }


@operation(
    "POST",
    "/people/<id:person_id>/network",
    summary="Add someone to the person's circle",
    description="Family, friends, neighbours, carers, professionals, community groups. "
    "An action may then name them (`network_member_id`).",
    tag="Safety",
    body=Body(_member_fields(required=True)),
    response=(201, "NetworkMember"),
    errors=(400, 403, 404, 409, 422),
)
def create_member(person_id: int, body: dict):
    person = _person_to_change(person_id)
    member = service.add_member(db.session, current_user, person, body)
    db.session.commit()
    return jsonify(member_json(member)), 201


@operation(
    "PATCH",
    "/network/<id:member_id>",
    summary="Change what is known of someone in the person's circle",
    description="Fields left out keep their value. Send `version` to have a change made "
    "from an out-of-date copy refused (409).",
    tag="Safety",
    body=Body(
        {
            **_member_fields(required=False),
            "version": Id("The member's `version` as last read; when sent, a stale one is 409"),
        }
    ),
    response=(200, "NetworkMember"),
    errors=(400, 403, 404, 409, 422),
)
def update_member(member_id: int, body: dict):
    member = policy.get_network_member_for(current_user, member_id, write=True)
    version = body.pop("version", None)
    service.update_member(db.session, current_user, member, body, version=version)
    db.session.commit()
    return jsonify(member_json(member))


CONSENT_IN = Body(
    {
        "decision": Field("enum", choices=CONSENT_DECISIONS, required=True, nullable=False),
        "scope": _text(service.SCOPE_LIMIT, "What may be shared, with whom", required=True),
        "recorded_on": Field("date", required=True, description="When the person decided"),
        "expires_on": Field("date", description="Until when; none: no end date"),
    }
)


@operation(
    "POST",
    "/people/<id:person_id>/consents",
    summary="Record the person's decision about sharing",
    tag="Safety",
    body=CONSENT_IN,
    response=(201, "Consent"),
    errors=(400, 403, 404, 409, 422),
)
def create_consent(person_id: int, body: dict):
    person = _person_to_change(person_id)
    consent = service.record_consent(db.session, current_user, person, **body)
    db.session.commit()
    return jsonify(consent_json(consent, dt.date.today())), 201


def _person_to_change(person_id: int):
    person = policy.get_person_for(current_user, person_id, write=True)
    if person.merged_into_id is not None:
        abort(409, "This record was merged into another: record on that one instead.")
    return person
