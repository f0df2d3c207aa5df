"""Asks through the API: the same rules as the pages, in api.md's shapes and errors."""

import datetime as dt

from sqlalchemy import select

from casework import clock
from casework.extensions import db
from casework.models import AuditEvent
from tests.asks.conftest import make_ask
from tests.conftest import make_demand, make_person, make_team, make_user


def test_a_practitioner_asks_and_the_manager_answers(api_as, case, practitioner, manager):
    eleisha, morgan = api_as(practitioner), api_as(manager)
    needed = (clock.today() + dt.timedelta(days=3)).isoformat()
    status, ask = eleisha.post(
        f"/cases/{case.id}/asks",
        {
            "kind": "resource",
            "what": "Evening carer for a fortnight",
            "why": "Her daughter is in hospital",
            "cost_pence": 45_000,
            "needed_by": needed,
        },
    )
    assert status == 201, ask
    assert (ask["status"], ask["cost_pence"], ask["needed_by"], ask["age_days"]) == (
        "open",
        45_000,
        needed,
        0,
    )
    assert (ask["asked_by_id"], ask["person_id"], ask["team"]) == (
        practitioner.id,
        case.person_id,
        "North",
    )

    status, listed = morgan.get("/asks")
    assert status == 200
    assert [a["id"] for a in listed["results"]] == [ask["id"]]
    assert (listed["total"], listed["has_next"], listed["page"]) == (1, False, 1)

    status, body = eleisha.post(f"/asks/{ask['id']}/decision", {"decision": "yes", "reason": "x"})
    assert status == 403  # practitioners ask; the manager answers

    status, body = morgan.post(f"/asks/{ask['id']}/decision", {"decision": "no"})
    assert status == 422
    assert body["error"]["fields"] == {"reason": "Give the reason for your answer"}

    status, answered = morgan.post(
        f"/asks/{ask['id']}/decision",
        {"decision": "yes", "reason": "Cheaper than a crisis", "version": ask["version"]},
    )
    assert status == 200, answered
    assert (answered["status"], answered["reason"], answered["decided_by_id"]) == (
        "yes",
        "Cheaper than a crisis",
        manager.id,
    )
    assert answered["days_to_decide"] == 0 and answered["age_days"] is None

    status, body = morgan.post(
        f"/asks/{ask['id']}/decision", {"decision": "no", "reason": "Changed my mind"}
    )
    assert status == 409
    assert body["error"]["code"] == "already_decided"
    assert "already answered yes by Morgan Manager" in body["error"]["message"]
    assert eleisha.get(f"/asks/{ask['id']}")[1]["status"] == "yes"

    status, decided = eleisha.get("/asks?status=decided")
    assert [a["id"] for a in decided["results"]] == [ask["id"]]
    assert eleisha.get("/asks")[1]["results"] == []


def test_a_stale_version_is_409_with_the_ask_as_it_is_now(api_as, case, practitioner, manager):
    ask = make_ask(case, practitioner)
    status, body = api_as(manager).post(
        f"/asks/{ask.id}/decision", {"decision": "no", "reason": "No", "version": ask.version + 1}
    )
    assert status == 409
    assert body["error"]["code"] == "stale_version"
    assert body["error"]["current"]["id"] == ask.id


def test_bad_asks_are_422_naming_each_field(api, case):
    status, body = api.post(
        f"/cases/{case.id}/asks",
        {
            "kind": "money",
            "what": "x" * 201,
            "why": "",
            "cost_pence": -1,
            "needed_by": "2026-02-30",
        },
    )
    assert status == 422
    assert set(body["error"]["fields"]) == {"kind", "what", "cost_pence", "needed_by"}
    status, body = api.post(
        f"/cases/{case.id}/asks",
        {"kind": "permission", "what": "Visit", "why": " ", "needed_by": "2000-01-01"},
    )
    assert status == 422
    assert set(body["error"]["fields"]) == {"why", "needed_by"}


def test_another_teams_asks_are_refused_and_the_refusal_audited(api_as, case, practitioner):
    ask = make_ask(case, practitioner)
    south_worker = make_user(make_team("South"))
    other = api_as(south_worker)
    assert other.get(f"/asks/{ask.id}")[0] == 403
    assert (
        other.post(f"/cases/{case.id}/asks", {"kind": "resource", "what": "a", "why": "b"})[0]
        == 403
    )
    assert other.get("/asks")[1]["results"] == []
    refusals = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "refused", AuditEvent.user_id == south_worker.id
        )
    ).all()
    assert {(e.entity, e.entity_id) for e in refusals} == {("ask", ask.id), ("case", case.id)}


def test_the_managers_list_is_oldest_first_and_their_team_only(api_as, case, practitioner, manager):
    first, second = make_ask(case, practitioner, what="First"), make_ask(case, practitioner)
    first.asked_at = first.asked_at - dt.timedelta(days=4)
    db.session.commit()
    south_worker = make_user(make_team("South"))
    make_ask(make_demand(make_person(south_worker), south_worker)[0].case, south_worker)
    results = api_as(manager).get("/asks")[1]["results"]
    assert [(a["id"], a["age_days"]) for a in results] == [(first.id, 4), (second.id, 0)]


def test_reading_an_ask_is_audited_as_a_read_of_the_persons_record(api, case, practitioner):
    ask = make_ask(case, practitioner)
    assert api.get(f"/asks/{ask.id}")[0] == 200
    read = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity == "ask")
    )
    assert (read.entity_id, read.person_id) == (ask.id, case.person_id)


def test_listing_asks_is_audited_as_a_read_of_each_persons_record(api_as, case, manager):
    """The list carries what the single read does (why, the reason): reading fifty asks at
    once must leave the trail that reading one does."""
    other = make_demand(make_person(manager, given_name="Joan"), manager)[0].case
    make_ask(case, make_user(case.team)), make_ask(other, make_user(case.team))
    assert api_as(manager).get("/asks")[0] == 200
    read = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity == "ask_list")
    )
    assert read is not None, "the list of asks was read without an audit event"
    assert read.detail["person_ids"] == sorted({case.person_id, other.person_id})
