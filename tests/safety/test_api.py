"""The API of api.md, "Safety and the people around the person", exactly as it names it."""

import datetime as dt

from sqlalchemy import select

from casework import clock
from casework.extensions import db
from casework.models import AuditEvent
from casework.people.merge import merge_people
from tests.api.conftest import Api, token_for
from tests.conftest import make_person, make_team, make_user


def test_flags_are_raised_read_and_ended_with_a_reason(api, person):
    review = (clock.today() + dt.timedelta(days=30)).isoformat()
    status, flag = api.post(
        f"/people/{person.id}/flags",
        {"category": "lone_working", "text": "Visit in pairs", "review_on": review},
    )
    assert status == 201 and flag["active"] is True and flag["id"]
    _, read = api.get(f"/people/{person.id}")
    assert [(f["category"], f["text"]) for f in read["flags"]] == [
        ("lone_working", "Visit in pairs")
    ]
    status, body = api.post(f"/flags/{flag['id']}/end", {})
    assert status == 422 and "reason" in body["error"]["fields"]
    status, ended = api.post(f"/flags/{flag['id']}/end", {"reason": "Moved away"})
    assert status == 200 and ended["active"] is False and ended["end_reason"] == "Moved away"
    assert api.post(f"/flags/{flag['id']}/end", {"reason": "again"})[0] == 409
    assert api.get(f"/people/{person.id}")[1]["flags"] == []
    audited = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "flag").order_by(AuditEvent.id)
    ).all()
    assert audited[0] == "create" and "end" in audited


def test_unknown_categories_and_relationships_are_422(api, person):
    status, body = api.post(
        f"/people/{person.id}/flags",
        {"category": "dragon", "text": "x", "review_on": clock.today().isoformat()},
    )
    assert status == 422 and "category" in body["error"]["fields"]
    status, body = api.post(f"/people/{person.id}/network", {"name": "Jo", "relationship": "x"})
    assert status == 422 and "relationship" in body["error"]["fields"]


def test_the_network_is_kept_and_an_action_names_only_this_persons_member(api, case, practitioner):
    person = case.person
    status, jo = api.post(
        f"/people/{person.id}/network",
        {
            "name": "Jo",
            "relationship": "family",
            "role": "daughter; has LPA",
            "organisation": None,
            "phone": "07700 900123",
            "email": "jo@example.org",
            "may_contact": True,
            "notes": "Works nights",
        },
    )
    assert status == 201 and jo["id"] and jo["may_contact"] is True
    status, changed = api.patch(f"/network/{jo['id']}", {"phone": "07700 900999", "version": 1})
    assert status == 200 and changed["phone"] == "07700 900999" and changed["name"] == "Jo"
    assert api.patch(f"/network/{jo['id']}", {"phone": "1", "version": 1})[0] == 409
    _, read = api.get(f"/people/{person.id}")
    assert [m["name"] for m in read["network"]] == ["Jo"]
    other = make_person(practitioner, given_name="Other", family_name="Person")
    _, stranger = api.post(f"/people/{other.id}/network", {"name": "Sam", "relationship": "friend"})
    action = {"description": "Shopping", "by": "person", "network_member_id": stranger["id"]}
    status, body = api.post(f"/cases/{case.id}/actions", action)
    assert status == 422 and "network_member_id" in body["error"]["fields"]
    status, made = api.post(f"/cases/{case.id}/actions", {**action, "network_member_id": jo["id"]})
    assert status == 201 and made["network_member_id"] == jo["id"]


def test_consents_are_listed_on_the_person_and_an_expired_one_flagged(api, person):
    status, refused = api.post(
        f"/people/{person.id}/consents",
        {
            "decision": "refused",
            "scope": "Nothing to her son",
            "recorded_on": clock.today().isoformat(),
            "expires_on": None,
        },
    )
    assert status == 201 and refused["decision"] == "refused"
    api.post(
        f"/people/{person.id}/consents",
        {"decision": "given", "scope": "GP", "recorded_on": "2020-01-01",
         "expires_on": "2021-01-01"},
    )  # fmt: skip
    _, read = api.get(f"/people/{person.id}")
    assert [(c["decision"], c["expired"]) for c in read["consents"]] == [
        ("refused", False),
        ("given", True),
    ]
    status, body = api.post(
        f"/people/{person.id}/consents",
        {"decision": "maybe", "scope": "x", "recorded_on": clock.today().isoformat()},
    )
    assert status == 422 and "decision" in body["error"]["fields"]


def test_another_team_may_not_change_the_persons_safety_record(client, person):
    outsider = Api(client, token_for(make_user(make_team("South", "usual"))))
    body = {"category": "animal", "text": "Dog", "review_on": clock.today().isoformat()}
    assert outsider.post(f"/people/{person.id}/flags", body)[0] == 403
    assert (
        outsider.post(f"/people/{person.id}/network", {"name": "J", "relationship": "family"})[0]
        == 403
    )
    assert outsider.post("/people/999999/flags", body)[0] == 404


def test_a_merged_record_sends_its_cautions_circle_and_decisions_to_the_kept_one(
    api, case, practitioner
):
    gone = make_person(practitioner, given_name="Irene", family_name="Walsh")
    merge_people(db.session, make_user(None, "admin"), keep=case.person, other=gone)
    db.session.commit()
    review = (clock.today() + dt.timedelta(days=30)).isoformat()
    bodies = {
        "flags": {"category": "animal", "text": "A dog", "review_on": review},
        "network": {"name": "Jo", "relationship": "family"},
        "consents": {"decision": "given", "scope": "GP", "recorded_on": clock.today().isoformat()},
    }
    for what, body in bodies.items():
        status, answer = api.post(f"/people/{gone.id}/{what}", body)
        assert status == 409, (what, answer)
        assert answer["error"]["code"] == "merged_record"
        assert answer["error"]["merged_into_id"] == case.person_id
    assert api.post(f"/people/{case.person_id}/network", bodies["network"])[0] == 201
