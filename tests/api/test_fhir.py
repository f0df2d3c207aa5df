"""The FHIR R4 export: every resource parses with fhir.resources, every reference resolves
inside the bundle, and the record reads as the issue describes."""

import datetime as dt
import importlib

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from casework import clock
from casework.cases.service import add_action, close_case, log_conversation, update_action
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import make_demand, make_person, make_team, make_user


def days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


def fhir_model(resource_type: str):
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


def walk_references(value):
    if isinstance(value, dict):
        if "reference" in value:
            yield value["reference"]
        for item in value.values():
            yield from walk_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_references(item)


@pytest.fixture
def record(team, practitioner):
    """Irene: a closed case (two what-matters statements, actions, a visit) and an open one."""
    specialist = make_user(make_team("Hospital", "usual"), name="Hand Therapist")
    irene = make_person(
        practitioner,
        given_name="Irene",
        family_name="Thomas",
        nhs_number="9434765919",
        phone="0113 496 0000",
        postcode="LS1 4AP",
    )
    first, _ = make_demand(irene, practitioner, days_ago(60), stated_need="Wrist pain")
    second, _ = make_demand(irene, practitioner, days_ago(55), stated_need="Cannot cook")
    case = first.case
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=days_ago(50),
        kind="visit",
        minutes=60,
        what_matters="Getting dressed by myself",
    )
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=days_ago(40),
        kind="phone",
        what_matters="Cooking my own tea again",
        notes="Call with her daughter",
    )
    hers = add_action(db.session, case, practitioner, description="Reading swap", by="person")
    ours = add_action(
        db.session,
        case,
        practitioner,
        description="Splint",
        by="team",
        assignee=specialist,
        due_on=days_ago(30),
    )
    update_action(db.session, ours, practitioner, status="done", outcome="Fitted")
    close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed at home",
        summary="Cooking again",
        closed_on=days_ago(10),
    )
    again, _ = make_demand(irene, practitioner, days_ago(2), stated_need="Fell")
    db.session.commit()
    return {
        "person": irene,
        "closed": case,
        "open": again.case,
        "hers": hers,
        "ours": ours,
        "specialist": specialist,
        "demands": [first, second, again],
    }


def test_the_export_is_a_valid_r4_bundle_whose_references_all_resolve(api, record):
    status, bundle = api.get(f"/people/{record['person'].id}/fhir")
    assert status == 200
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        fhir_model(resource["resourceType"]).model_validate(resource)
    urls = {e["fullUrl"] for e in bundle["entry"]}
    assert len(urls) == len(bundle["entry"])
    references = set(walk_references(bundle["entry"]))
    assert references and references <= urls


def test_the_export_reads_as_the_record(api, practitioner, record):
    _, bundle = api.get(f"/people/{record['person'].id}/fhir")
    by_type: dict[str, list] = {}
    for entry in bundle["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry)
    url_of = {e["resource"]["id"]: e["fullUrl"] for e in bundle["entry"]}
    resource_at = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}

    (patient,) = [e["resource"] for e in by_type["Patient"]]
    assert patient["identifier"] == [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}
    ]
    assert patient["meta"]["profile"] == [
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
    ]
    patient_url = url_of[patient["id"]]

    episodes = sorted(
        (e["resource"] for e in by_type["EpisodeOfCare"]), key=lambda r: r["period"]["start"]
    )
    assert [e["status"] for e in episodes] == ["finished", "active"]
    closed = episodes[0]
    assert closed["period"] == {"start": days_ago(60).isoformat(), "end": days_ago(10).isoformat()}
    assert resource_at[closed["careManager"]["reference"]]["name"] == [{"text": practitioner.name}]
    assert resource_at[closed["team"][0]["reference"]]["name"] == "North"
    assert len(closed["referralRequest"]) == 2

    goals = sorted((e["resource"] for e in by_type["Goal"]), key=lambda g: g["startDate"])
    assert [(g["description"]["text"], g["lifecycleStatus"], g["statusDate"]) for g in goals] == [
        ("Getting dressed by myself", "cancelled", days_ago(40).isoformat()),
        ("Cooking my own tea again", "completed", days_ago(10).isoformat()),
    ]
    assert all(g["expressedBy"]["reference"] == patient_url for g in goals)

    plans = {e["resource"]["status"]: e["resource"] for e in by_type["CarePlan"]}
    assert set(plans) == {"completed", "active"}  # one per case
    plan = plans["completed"]
    assert [g["reference"] for g in plan["goal"]] == [url_of[g["id"]] for g in goals]
    performers = {
        a["detail"]["description"]: resource_at[a["detail"]["performer"][0]["reference"]]
        for a in plan["activity"]
    }
    assert performers["Reading swap"]["resourceType"] == "Patient"
    assert performers["Splint"]["name"] == [{"text": "Hand Therapist"}]
    assert {a["detail"]["status"] for a in plan["activity"]} == {"not-started", "completed"}

    encounters = [e["resource"] for e in by_type["Encounter"]]
    assert len(encounters) == 2
    assert all(enc["episodeOfCare"][0]["reference"] == url_of[closed["id"]] for enc in encounters)
    assert {enc["class"]["code"] for enc in encounters} == {"HH", "VR"}

    requests = [e["resource"] for e in by_type["ServiceRequest"]]
    assert sorted(r["code"]["text"] for r in requests) == ["Cannot cook", "Fell", "Wrist pain"]


def test_the_export_is_audited_as_a_read(api, practitioner, record):
    api.get(f"/people/{record['person'].id}/fhir")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "view"))
    assert (event.entity, event.entity_id, event.user_id) == (
        "person",
        record["person"].id,
        practitioner.id,
    )
    assert event.detail["path"].endswith("/fhir")


def test_a_person_with_nothing_but_a_name_still_exports(api, practitioner):
    person = make_person(practitioner, date_of_birth=None)
    status, bundle = api.get(f"/people/{person.id}/fhir")
    assert status == 200
    Bundle.model_validate(bundle)
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Patient"]
