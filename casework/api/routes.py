"""The operations of api.md. Each one translates JSON to the same domain functions the
web pages call, through the same policy loaders; nothing here decides a rule."""

from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user

from .. import audit, policy
from ..admin.service import find_team
from ..cases import service as cases
from ..demands.routing import record_demand
from ..exceptions import InvalidValue
from ..extensions import commit_keeping_loaded, db
from ..measures.figures import compute
from ..measures.populations import COHORT_CHOICES
from ..models import (
    ACTION_BY,
    ACTION_STATUSES,
    CHANNELS,
    CONVERSATION_KINDS,
    DEMAND_KINDS,
    REFERRAL_MATCHES,
    Person,
    User,
)
from ..people import service as people
from ..safety.json import person_safety_json
from ..safety.service import person_safety
from . import bp, fhir
from .operations import operation
from .schemas import (
    action_json,
    case_json,
    conversation_json,
    demand_json,
    identity_json,
    person_detail_json,
    person_json,
)
from .validation import Body, Field, Id

TEXT = 20_000  # cases.service.LONG_TEXT: notes and statements
SHORT = 2_000


def text(limit: int, description: str = "", **kwargs) -> Field:
    return Field("string", max_length=limit, description=description, **kwargs)


def _referenced(model, ident: int | None, name: str, what: str):
    """The record a body refers to by id, or 422 naming the field: never silently nobody."""
    if ident is None:
        return None
    record = policy.fetch(model, ident)
    if record is None:
        raise InvalidValue("Check the ids in the request", {name: f"There is no {what} {ident}"})
    return record


def _case_to_change(case_id: int, may, refusal: str):
    """The case the user's team works on, if the rule `may` lets this user do this to it."""
    case = policy.get_case_for(current_user, case_id, write=True)
    if not may(current_user, case):
        abort(403, refusal)
    return case


def _require_team() -> None:
    if not policy.can_record_demands(current_user):
        abort(403, "Only members of a team can do this: your account belongs to no team.")


# People

PERSON_IN = Body(
    {
        "given_name": text(100, required=True, nullable=False, example="Anne"),
        "family_name": text(100, required=True, nullable=False, example="Example"),
        "date_of_birth": Field("date", example="1961-04-02"),
        "nhs_number": text(
            20,
            "10 digits passing the modulus 11 check; spaces allowed, stored without",
            example="943 476 5919",
        ),
        "phone": text(50),
        "address": text(500),
        "postcode": text(10),
        "preferred_contact": text(1000, "Free text: how and when they like to be contacted"),
    }
)


@operation(
    "POST",
    "/people",
    summary="Register a person",
    description="An NHS number already on record is refused (409, with `existing_id`). "
    "`possible_duplicates` lists the ids of people who may be the same human being "
    "(same date of birth and names).",
    tag="People",
    body=PERSON_IN,
    response=(201, "PersonCreated"),
    errors=(400, 403, 409, 422),
)
def create_person(body: dict):
    _require_team()
    data = {name: body.get(name) for name in people.PERSON_FIELDS}
    duplicates = people.duplicates_for(db.session, data)
    person = people.create_person(db.session, current_user, data)
    db.session.commit()
    return jsonify({**person_json(person), "possible_duplicates": [p.id for p in duplicates]}), 201


@operation(
    "GET",
    "/people",
    summary="Find people by name, NHS number or date of birth",
    description="Search reaches across teams so that nobody is registered twice, but "
    "returns identity only; `known_to_your_team` says whose records you may read.",
    tag="People",
    query={"q": text(100, "Any part of the name, an NHS number (spaces optional) or a date")},
    response=(200, "SearchResults"),
    errors=(403, 422),
)
def search_people(query: dict):
    _require_team()
    q = (query.get("q") or "").strip()
    results = people.search_people(db.session, current_user, q) if q else []
    if q:
        shown = [result.person.id for result in results]
        audit.record_list("search", "person", shown, query=q, results=len(results))
        audit.commit_read()
    return jsonify({"results": [identity_json(r.person, r.visible) for r in results]})


@operation(
    "GET",
    "/people/<id:person_id>",
    summary="Read a person, with their cases and demands (oldest first)",
    tag="People",
    response=(200, "PersonDetail"),
    errors=(403, 404),
)
def read_person(person_id: int):
    person = policy.get_person_for(current_user, person_id)
    safety = person_safety_json(person_safety(db.session, person))
    return jsonify({**person_detail_json(db.session, current_user, person), **safety})


@operation(
    "GET",
    "/people/<id:person_id>/fhir",
    summary="Export a person's record as a FHIR R4 Bundle (type collection)",
    description="Patient (UK Core, NHS number), an EpisodeOfCare and a CarePlan per case, "
    "a Goal per what-matters statement, an Encounter per conversation, a ServiceRequest "
    "per demand, and the Practitioners and Organizations they refer to.",
    tag="People",
    response=(200, "FhirBundle"),
    errors=(403, 404),
)
def person_fhir(person_id: int):
    person = policy.get_person_for(current_user, person_id)
    response = jsonify(fhir.person_bundle(db.session, current_user, person))
    response.mimetype = "application/fhir+json"
    return response


# Demands

DEMAND_IN = Body(
    {
        "person_id": Id("The person the demand is about", required=True, nullable=False),
        "received_on": Field("date", required=True, nullable=False, example="2026-11-20"),
        "source": text(100, "Who it came from, e.g. GP", required=True, nullable=False),
        "channel": Field("enum", choices=CHANNELS, required=True, nullable=False),
        "stated_need": text(10_000, "The need as the referrer stated it", required=True),
        "kind": Field("enum", choices=DEMAND_KINDS, description="Value or failure demand"),
        "owner_id": Id("The owner, when this opens a new case (not a re-contact)"),
    }
)


@operation(
    "POST",
    "/demands",
    summary="Record a demand, routed by the rule (open case, same worker, or a new case)",
    tag="Demands",
    body=DEMAND_IN,
    response=(201, "Demand"),
    errors=(400, 403, 404, 409, 422),
)
def create_demand(body: dict):
    _require_team()
    _referenced(Person, body["person_id"], "person_id", "person")
    person = policy.get_person_for_demand(current_user, body["person_id"])
    owner = _referenced(User, body.get("owner_id"), "owner_id", "user")
    demand, _ = record_demand(
        db.session,
        person=person,
        team=current_user.team,
        recorder=current_user,
        received_on=body["received_on"],
        source=body["source"],
        channel=body["channel"],
        stated_need=body["stated_need"],
        kind=body.get("kind"),
        owner=owner,
    )
    db.session.commit()
    return jsonify(demand_json(db.session, demand)), 201


# Cases


@operation(
    "GET",
    "/cases/<id:case_id>",
    summary="Read a case: what matters, demands, conversations, actions, owners, closure",
    tag="Cases",
    response=(200, "Case"),
    errors=(403, 404),
)
def read_case(case_id: int):
    case = policy.get_case_for(current_user, case_id)
    return jsonify(case_json(db.session, case))


CASE_PATCH = Body(
    {
        "referral_match": Field(
            "enum", choices=REFERRAL_MATCHES, description="Did the referral describe it?"
        ),
        "real_problem": text(SHORT, "The real problem, in a sentence or two"),
        "version": Id(
            "The case's `version` as last read: required, so a stale edit is refused (409)",
            required=True,
            nullable=False,
        ),
    }
)


@operation(
    "PATCH",
    "/cases/<id:case_id>",
    summary="Record whether the referral described the real problem",
    description="Fields left out keep their value. A `version` other than the current one "
    "is refused with 409 and the case as it is now in `error.current`.",
    tag="Cases",
    body=CASE_PATCH,
    response=(200, "Case"),
    errors=(400, 403, 404, 409, 422),
)
def update_case(case_id: int, body: dict):
    case = policy.get_case_for(current_user, case_id, write=True)
    cases.record_referral_judgement(
        db.session,
        case,
        current_user,
        referral_match=body.get("referral_match", case.referral_match),
        real_problem=body.get("real_problem", case.real_problem),
        version=body["version"],
    )
    db.session.commit()
    return jsonify(case_json(db.session, case))


CONVERSATION_IN = Body(
    {
        "held_on": Field("date", required=True, nullable=False, example="2026-11-21"),
        "kind": Field("enum", choices=CONVERSATION_KINDS, required=True, nullable=False),
        "with_whom": text(200, example="Anne and her daughter"),
        "minutes": Field("integer", minimum=0, maximum=1440),
        "what_matters": text(TEXT, "A new statement in the person's own words"),
        "notes": text(TEXT),
    }
)


@operation(
    "POST",
    "/cases/<id:case_id>/conversations",
    summary="Log a conversation; a what-matters statement becomes the current one",
    tag="Cases",
    body=CONVERSATION_IN,
    response=(201, "Conversation"),
    errors=(400, 403, 404, 409, 422),
)
def create_conversation(case_id: int, body: dict):
    case = policy.get_case_for(current_user, case_id, write=True)
    conversation = cases.log_conversation(db.session, case, current_user, **body)
    commit_keeping_loaded()  # the answer shows only what was just written
    return jsonify(conversation_json(conversation)), 201


ACTION_IN = Body(
    {
        "description": text(SHORT, required=True, nullable=False),
        "by": Field("enum", choices=ACTION_BY, required=True, nullable=False),
        "assignee_id": Id("A colleague for a team action; none means the case owner"),
        "due_on": Field("date"),
        "network_member_id": Id(
            "Who in the person's circle (or which outside professional) does it: a member "
            "of this person's network, else 422"
        ),
    }
)


@operation(
    "POST",
    "/cases/<id:case_id>/actions",
    summary="Agree an action: the person's or the team's",
    tag="Cases",
    body=ACTION_IN,
    response=(201, "Action"),
    errors=(400, 403, 404, 409, 422),
)
def create_action(case_id: int, body: dict):
    case = policy.get_case_for(current_user, case_id, write=True)
    assignee = _referenced(User, body.get("assignee_id"), "assignee_id", "user")
    action = cases.add_action(
        db.session,
        case,
        current_user,
        description=body["description"],
        by=body["by"],
        assignee=assignee,
        due_on=body.get("due_on"),
        network_member_id=body.get("network_member_id"),
    )
    db.session.commit()
    return jsonify(action_json(action)), 201


ACTION_PATCH = Body(
    {
        "status": Field("enum", choices=ACTION_STATUSES, nullable=False),
        "outcome": text(SHORT, "What happened; required when dropped"),
        "version": Id("The action's `version` as last read; when sent, a stale one is 409"),
    }
)


@operation(
    "PATCH",
    "/actions/<id:action_id>",
    summary="Mark an action done, dropped or agreed, with its outcome",
    description="Fields left out keep their value. Send `version` to have a change made "
    "from an out-of-date copy refused (409, with `error.current`).",
    tag="Cases",
    body=ACTION_PATCH,
    response=(200, "Action"),
    errors=(400, 403, 404, 409, 422),
)
def update_action(action_id: int, body: dict):
    action = policy.get_action_for(current_user, action_id)
    cases.update_action(
        db.session,
        action,
        current_user,
        status=body.get("status", action.status),
        outcome=body.get("outcome", action.outcome),
        version=body.get("version"),
    )
    db.session.commit()
    return jsonify(action_json(action))


OWNER_IN = Body(
    {
        "owner_id": Id("The new owner: an active member of the case's team", required=True),
        "reason": text(SHORT, "Why the owner changes: without one, 422"),
        "version": Id("The case's `version` as last read; when sent, a stale one is 409"),
    }
)


@operation(
    "POST",
    "/cases/<id:case_id>/owner",
    summary="Change the case's owner, with a reason",
    tag="Cases",
    body=OWNER_IN,
    response=(200, "Case"),
    errors=(400, 403, 404, 409, 422),
)
def change_owner(case_id: int, body: dict):
    case = _case_to_change(
        case_id,
        policy.can_change_owner,
        "Only the owner or a manager of the team can change this case's owner.",
    )
    cases.change_owner(
        db.session,
        case,
        current_user,
        new_owner=_referenced(User, body.get("owner_id"), "owner_id", "user"),
        reason=body.get("reason"),
        version=body.get("version"),
    )
    db.session.commit()
    return jsonify(case_json(db.session, case))


CLOSE_IN = Body(
    {
        "agreed_with_person": Field(
            "boolean", description="Must be true: a case closes only by agreement"
        ),
        "agreement_note": text(TEXT, "How and when the person agreed: required"),
        "summary": text(TEXT, "What changed for the person"),
        "closed_on": Field("date", description="Defaults to today"),
        "version": Id("The case's `version` as last read; when sent, a stale one is 409"),
    }
)


@operation(
    "POST",
    "/cases/<id:case_id>/close",
    summary="Close the case by agreement with the person",
    description="Without `agreed_with_person: true` and an `agreement_note`, 422 and the "
    "case stays open. An already closed case: 409. Open actions may continue.",
    tag="Cases",
    body=CLOSE_IN,
    response=(200, "Case"),
    errors=(400, 403, 404, 409, 422),
)
def close_case(case_id: int, body: dict):
    case = _case_to_change(
        case_id, policy.can_close, "Only the case's owner or a manager of the team can close it."
    )
    cases.close_case(
        db.session,
        case,
        current_user,
        agreed_with_person=body.get("agreed_with_person"),
        agreement_note=body.get("agreement_note"),
        summary=body.get("summary"),
        closed_on=body.get("closed_on"),
        version=body.get("version"),
    )
    db.session.commit()
    return jsonify(case_json(db.session, case))


# Measures


@operation(
    "GET",
    "/measures",
    summary="Every figure of measures.md for a period, cohort and team",
    description="The same figures as the measures page and `casework measures`. Managers "
    "see their own team's (without `team`, their team is taken); administrators any "
    "team's, or all teams together without `team`.",
    tag="Measures",
    query={
        "from": Field("date", required=True, nullable=False, description="First day"),
        "to": Field("date", required=True, nullable=False, description="Last day"),
        "cohort": Field("enum", nullable=False, choices=COHORT_CHOICES, example="all"),
        "team": text(100, "A team's name"),
    },
    response=(200, "Measures"),
    errors=(403, 422),
)
def read_measures(query: dict):
    if not policy.can_see_measures(current_user):
        abort(403, "Measures are for team managers and administrators.")
    team_id = None
    if query.get("team"):
        team = find_team(db.session, query["team"])
        if team is None:
            raise InvalidValue("Check the team", {"team": "There is no team with this name"})
        team_id = team.id
    elif not current_user.is_admin:
        team_id = current_user.team_id  # a manager's figures are their own team's
    if not policy.can_see_team_measures(current_user, team_id):
        abort(403, "You may see the measures of your own team only.")
    figures = compute(
        db.session,
        start=query["from"],
        end=query["to"],
        cohort=query.get("cohort") or "all",
        team_id=team_id,
    )
    return jsonify(figures)


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API, built from the operations above."""
    from .openapi import describe

    return jsonify(describe())
