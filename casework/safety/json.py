"""Cautions, the circle and decisions about sharing as the API and the subject-access
export show them (api.md, "Safety and the people around the person")."""

from __future__ import annotations

import datetime as dt

from ..api.schemas import day, moment
from .models import CautionFlag, ConsentDecision, NetworkMember
from .service import PersonSafety


def flag_json(flag: CautionFlag) -> dict:
    return {
        "id": flag.id,
        "person_id": flag.person_id,
        "category": flag.category,
        "text": flag.text,
        "review_on": day(flag.review_on),
        "active": flag.active,
        "team_id": flag.team_id,
        "raised_by_id": flag.raised_by_id,
        "raised_at": moment(flag.raised_at),
        "ended_at": moment(flag.ended_at),
        "ended_by_id": flag.ended_by_id,
        "end_reason": flag.end_reason,
    }


def member_json(member: NetworkMember) -> dict:
    return {
        "id": member.id,
        "person_id": member.person_id,
        "name": member.name,
        "relationship": member.relationship,
        "role": member.role,
        "organisation": member.organisation,
        "phone": member.phone,
        "email": member.email,
        "may_contact": member.may_contact,
        "notes": member.notes,
        "version": member.version,
    }


def consent_json(consent: ConsentDecision, today: dt.date) -> dict:
    return {
        "id": consent.id,
        "person_id": consent.person_id,
        "decision": consent.decision,
        "scope": consent.scope,
        "recorded_on": day(consent.recorded_on),
        "expires_on": day(consent.expires_on),
        "expired": consent.expired(today),
        "recorded_by_id": consent.recorded_by_id,
    }


def person_safety_json(safety: PersonSafety, *, ended: bool = False) -> dict:
    """`flags` (active; with `ended`, every flag), `network` and `consents` of the person."""
    flags = safety.flags + (safety.ended_flags if ended else [])
    return {
        "flags": [flag_json(f) for f in flags],
        "network": [member_json(m) for m in safety.network],
        "consents": [consent_json(c, safety.today) for c in safety.consents],
    }
