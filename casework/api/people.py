"""People: register, find, read, and export a person's record as FHIR."""

from __future__ import annotations

from typing import Literal

from flask import jsonify
from flask_login import current_user
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from .. import audit, policy, rules
from ..extensions import db
from ..models import Person as PersonRecord
from ..models import User
from ..people import service as people
from ..people.timeline import visible_record
from ..safety.service import PersonSafety, person_safety
from . import fhir
from .base import FhirResponse, answers, bp, require_team, spec
from .cases import CaseSummary, case_summary_json
from .consents import Consent, consent_json
from .demands import Demand, demand_json
from .fields import Body, Date, Day, Moment, Query, Shape, Text, moment
from .flags import Flag, flag_json
from .network import NetworkMember, member_json


class PersonIn(Body):
    given_name: Text(rules.NAME, required=True, example="Anne")
    family_name: Text(rules.NAME, required=True, example="Example")
    date_of_birth: Day(example="1961-04-02") | None = None
    nhs_number: (
        Text(
            rules.NHS_NUMBER_TYPED,
            "10 digits passing the modulus 11 check; spaces allowed, stored without",
            pattern=rules.NHS_NUMBER_PATTERN,
            refusal=rules.NHS_NUMBER_SHAPE,
            example="943 476 5919",
        )
        | None
    ) = None
    phone: Text(rules.PHONE) | None = None
    address: Text(rules.ADDRESS) | None = None
    postcode: Text(rules.POSTCODE) | None = None
    preferred_contact: (
        Text(rules.PREFERRED_CONTACT, "Free text: how and when they like to be contacted") | None
    ) = None


class Person(Shape):
    id: int
    given_name: str
    family_name: str
    date_of_birth: Date | None
    nhs_number: str | None
    phone: str | None
    address: str | None
    postcode: str | None
    preferred_contact: str | None
    merged_into_id: int | None
    version: int
    created_at: Moment
    updated_at: Moment


class PersonCreated(Person):
    possible_duplicates: list[int]


class PersonDetail(Person):
    """The person with the cases and demands your team may see, oldest first; their active
    cautions, their circle and their decisions about sharing (the latest first)"""

    cases: list[CaseSummary]
    demands: list[Demand]
    flags: list[Flag]
    network: list[NetworkMember]
    consents: list[Consent]


class Identity(Shape):
    id: int
    given_name: str
    family_name: str
    date_of_birth: Date | None
    nhs_number: str | None
    known_to_your_team: bool


class SearchResults(Shape):
    results: list[Identity]


class Search(Query):
    q: Text(rules.NAME, "Any part of the name, an NHS number (spaces optional) or a date") = ""


class FhirResource(BaseModel):
    model_config = ConfigDict(extra="allow")
    resourceType: str  # noqa: N815 - FHIR's name


class FhirEntry(BaseModel):
    fullUrl: str  # noqa: N815 - FHIR's name
    resource: FhirResource


class FhirBundle(BaseModel):
    """A FHIR R4 Bundle of type collection (validated in the test suite with the
    fhir.resources R4B models)"""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["Bundle"]  # noqa: N815
    type: Literal["collection"]
    entry: list[FhirEntry]


def _person_fields(person: PersonRecord) -> dict:
    return dict(
        id=person.id,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        nhs_number=person.nhs_number,
        phone=person.phone,
        address=person.address,
        postcode=person.postcode,
        preferred_contact=person.preferred_contact,
        merged_into_id=person.merged_into_id,
        version=person.version,
        created_at=moment(person.created_at),
        updated_at=moment(person.updated_at),
    )


def person_json(person: PersonRecord) -> Person:
    return Person(**_person_fields(person))


def safety_json(safety: PersonSafety, *, ended: bool = False) -> dict:
    """`flags` (the active ones; with `ended`, every one), `network` and `consents`."""
    flags = safety.flags + (safety.ended_flags if ended else [])
    return dict(
        flags=[flag_json(f) for f in flags],
        network=[member_json(m) for m in safety.network],
        consents=[consent_json(c, safety.today) for c in safety.consents],
    )


def person_detail_json(session: Session, user: User, person: PersonRecord) -> PersonDetail:
    """The person with the cases and demands the user may see (as on the person's page),
    their cautions, circle and decisions about sharing."""
    cases, demands, _ = visible_record(session, user, person)
    return PersonDetail(
        **_person_fields(person),
        cases=[case_summary_json(c) for c in cases],
        demands=[demand_json(session, d) for d in demands],
        **safety_json(person_safety(session, person)),
    )


def identity_json(person: PersonRecord, known_to_your_team: bool) -> Identity:
    """Who the person is, and no more: what search shows of anyone, in any team."""
    return Identity(
        id=person.id,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        nhs_number=person.nhs_number,
        known_to_your_team=known_to_your_team,
    )


@bp.post("/people")
@spec.validate(resp=answers(201, PersonCreated, 403, 409, body=True), tags=["People"])
def create_person(json: PersonIn):
    """Register a person

    An NHS number already on record is refused (409, with `existing_id`).
    `possible_duplicates` lists the ids of people who may be the same human being
    (same date of birth and names).
    """
    require_team()
    sent = json.sent()
    data = {name: sent.get(name) for name in people.PERSON_FIELDS}
    duplicates = people.duplicates_for(db.session, data)
    person = people.create_person(db.session, current_user, data)
    db.session.commit()
    created = PersonCreated(
        **_person_fields(person), possible_duplicates=[p.id for p in duplicates]
    )
    return created, 201


@bp.get("/people")
@spec.validate(resp=answers(200, SearchResults, 403, 422), tags=["People"])
def search_people(query: Search):
    """Find people by name, NHS number or date of birth

    Search reaches across teams so that nobody is registered twice, but returns identity
    only; `known_to_your_team` says whose records you may read.
    """
    require_team()
    q = query.q.strip()
    results = people.search_people(db.session, current_user, q) if q else []
    if q:
        shown = [result.person.id for result in results]
        audit.record_list("search", "person", shown, query=q, results=len(results))
        audit.commit_read()
    return SearchResults(results=[identity_json(r.person, r.visible) for r in results])


@bp.get("/people/<id:person_id>")
@spec.validate(resp=answers(200, PersonDetail, 403, 404), tags=["People"])
def read_person(person_id: int):
    """Read a person, with their cases and demands (oldest first), cautions, circle and
    decisions about sharing"""
    person = policy.get_person_for(current_user, person_id)
    return person_detail_json(db.session, current_user, person)


@bp.get("/people/<id:person_id>/fhir")
@spec.validate(resp=answers(200, FhirBundle, 403, 404, kind=FhirResponse), tags=["People"])
def person_fhir(person_id: int):
    """Export a person's record as a FHIR R4 Bundle (type collection)

    Patient (UK Core, NHS number), an EpisodeOfCare and a CarePlan per case, a Goal per
    what-matters statement, an Encounter per conversation, a ServiceRequest per demand,
    a Flag per active caution, a RelatedPerson per member of the circle (professionals
    also in a CareTeam), a Consent per decision about sharing, and the Practitioners and
    Organizations they refer to.
    """
    person = policy.get_person_for(current_user, person_id)
    response = jsonify(fhir.person_bundle(db.session, current_user, person))
    response.mimetype = "application/fhir+json"
    return response
