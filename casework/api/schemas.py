"""Records as the API shows them (api.md): plain dicts, dates YYYY-MM-DD, timestamps in UTC.

The JSON Schema of each shape is in `openapi.py`; schemathesis checks every response
against it, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..measures import is_repeat
from ..models import Action, Case, Conversation, Demand, OwnershipChange, Person, User
from ..people.timeline import visible_record


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def moment(value: dt.datetime | None) -> str | None:
    """ISO 8601 with its UTC offset; SQLite hands back naive UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def person_json(person: Person) -> dict:
    return {
        "id": person.id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": day(person.date_of_birth),
        "nhs_number": person.nhs_number,
        "phone": person.phone,
        "address": person.address,
        "postcode": person.postcode,
        "preferred_contact": person.preferred_contact,
        "merged_into_id": person.merged_into_id,
        "version": person.version,
        "created_at": moment(person.created_at),
        "updated_at": moment(person.updated_at),
    }


def person_detail_json(session: Session, user: User, person: Person) -> dict:
    """The person with the cases and demands the user may see (as on the person's page)."""
    cases, demands, _ = visible_record(session, user, person)
    return {
        **person_json(person),
        "cases": [case_summary_json(c) for c in cases],
        "demands": [demand_json(session, d) for d in demands],
    }


def identity_json(person: Person, known_to_your_team: bool) -> dict:
    """Who the person is, and no more: what search shows of anyone, in any team."""
    return {
        "id": person.id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": day(person.date_of_birth),
        "nhs_number": person.nhs_number,
        "known_to_your_team": known_to_your_team,
    }


def demand_json(session: Session, demand: Demand) -> dict:
    return {
        "id": demand.id,
        "person_id": demand.person_id,
        "team": demand.team.name,
        "case_id": demand.case_id,
        "received_on": day(demand.received_on),
        "source": demand.source,
        "channel": demand.channel,
        "stated_need": demand.stated_need,
        "kind": demand.kind,
        "routed_by": demand.routed_by,
        "imported": bool(demand.imported),
        "is_repeat": is_repeat(session, demand),
        "case_owner_id": demand.case.owner_id if demand.case else None,
        "recorded_at": moment(demand.recorded_at),
    }


def case_summary_json(case: Case) -> dict:
    return {
        "id": case.id,
        "status": case.status,
        "owner_id": case.owner_id,
        "team": case.team.name,
        "opened_on": day(case.opened_on),
        "closed_on": day(case.closed_on),
    }


def conversation_json(conversation: Conversation) -> dict:
    return {
        "id": conversation.id,
        "case_id": conversation.case_id,
        "held_on": day(conversation.held_on),
        "kind": conversation.kind,
        "with_whom": conversation.with_whom,
        "minutes": conversation.minutes,
        "what_matters": conversation.what_matters,
        "notes": conversation.notes,
        "recorded_by_id": conversation.recorded_by_id,
        "recorded_at": moment(conversation.recorded_at),
    }


def action_json(action: Action) -> dict:
    return {
        "id": action.id,
        "case_id": action.case_id,
        "description": action.description,
        "by": action.by,
        "assignee_id": action.assignee_id,
        "network_member_id": action.network_member_id,
        "due_on": day(action.due_on),
        "status": action.status,
        "outcome": action.outcome,
        "version": action.version,
        "created_at": moment(action.created_at),
        "updated_at": moment(action.updated_at),
    }


def ownership_json(change: OwnershipChange) -> dict:
    return {
        "from_id": change.from_id,
        "to_id": change.to_id,
        "at": moment(change.at),
        "reason": change.reason,
        "by_id": change.by_id,
    }


def closure_json(case: Case) -> dict | None:
    if case.is_open:
        return None
    return {
        "agreed_with_person": bool(case.closure_agreed),
        "agreement_note": case.closure_agreement_note,
        "summary": case.closure_summary,
        "closed_on": day(case.closed_on),
        "closed_by_id": case.closed_by_id,
    }


def case_json(session: Session, case: Case) -> dict:
    """The whole case (api.md, Cases): what matters, demands, conversations, actions, owners."""
    current = case.what_matters
    return {
        "id": case.id,
        "person_id": case.person_id,
        "team": case.team.name,
        "cohort": case.cohort,
        "status": case.status,
        "owner_id": case.owner_id,
        "opened_on": day(case.opened_on),
        "closed_on": day(case.closed_on),
        "what_matters": current.what_matters if current else None,
        "what_matters_history": [
            {"statement": c.what_matters, "said_on": day(c.held_on), "conversation_id": c.id}
            for c in case.what_matters_history
        ],
        "referral_match": case.referral_match,
        "real_problem": case.real_problem,
        "demands": [demand_json(session, d) for d in case.demands],
        "conversations": [conversation_json(c) for c in case.conversations],
        "actions": [action_json(a) for a in case.actions],
        "ownership_history": [ownership_json(o) for o in case.ownership_changes],
        "closure": closure_json(case),
        "version": case.version,
    }
