"""Who from the person's circle was at a conversation (issue 18, item 2): only the person's
own circle, kept with the conversation, audited, and shown wherever conversations are."""

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import func, select

from casework import clock
from casework.cases.service import log_conversation
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.models import AuditEvent, Conversation, ConversationAttendee
from casework.safety import service
from tests.api.test_fhir import fhir_model, walk_references
from tests.conftest import login, make_person
from tests.safety.conftest import date_fields


def circle(person, user, *names):
    return [
        service.add_member(db.session, user, person, {"name": name, "relationship": "neighbour"})
        for name in names
    ]


def stranger_of(user):
    other = make_person(user, given_name="Someone", family_name="Else")
    (stranger,) = circle(other, user, "Sam")
    return stranger


def counts():
    return (
        db.session.scalar(select(func.count()).select_from(Conversation)),
        db.session.scalar(select(func.count()).select_from(ConversationAttendee)),
    )


def test_a_conversation_keeps_who_from_the_circle_was_there_and_audits_it(case, practitioner):
    kayden, tasha = circle(case.person, practitioner, "Kayden", "Tasha Brooks")
    talk = log_conversation(
        db.session, case, practitioner, held_on=clock.today(), kind="visit", notes="Reading",
        network_member_ids=[tasha.id, kayden.id, kayden.id],
    )  # fmt: skip
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Conversation, talk.id)
    assert [m.name for m in stored.attendees] == ["Kayden", "Tasha Brooks"]
    audited = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "conversation", AuditEvent.action == "create")
    ).one()
    assert sorted(audited.detail["network_member_ids"]) == sorted([kayden.id, tasha.id])


@pytest.mark.parametrize("wrong", ["stranger", 999_999, "1", True, 0])
def test_someone_from_another_persons_circle_is_refused_and_nothing_saved(
    case, practitioner, wrong
):
    (kayden,) = circle(case.person, practitioner, "Kayden")
    wrong = stranger_of(practitioner).id if wrong == "stranger" else wrong
    db.session.commit()
    before = counts()
    with pytest.raises(InvalidValue) as refused:
        log_conversation(
            db.session, case, practitioner, held_on=clock.today(), kind="visit", notes="Hi",
            network_member_ids=[kayden.id, wrong],
        )  # fmt: skip
    assert refused.value.fields["network_member_ids"] == (
        "Choose who was there from this person's circle"
    )
    db.session.rollback()
    assert counts() == before


def test_the_api_names_who_was_there_and_refuses_another_persons_circle(api, case, practitioner):
    (kayden,) = circle(case.person, practitioner, "Kayden")
    stranger = stranger_of(practitioner)
    db.session.commit()
    talk = {"held_on": clock.today().isoformat(), "kind": "visit", "notes": "Reading"}
    before = counts()
    status, body = api.post(
        f"/cases/{case.id}/conversations", {**talk, "network_member_ids": [stranger.id]}
    )
    assert status == 422 and "network_member_ids" in body["error"]["fields"]
    assert counts() == before
    status, made = api.post(
        f"/cases/{case.id}/conversations", {**talk, "network_member_ids": [kayden.id]}
    )
    assert status == 201 and made["network_member_ids"] == [kayden.id]
    status, without = api.post(f"/cases/{case.id}/conversations", talk)
    assert status == 201 and without["network_member_ids"] == []
    _, read = api.get(f"/cases/{case.id}")
    assert [c["network_member_ids"] for c in read["conversations"]] == [[kayden.id], []]


def test_the_form_lists_the_circle_saves_the_ticks_and_keeps_them_on_an_error(
    client, case, practitioner
):
    path = f"/cases/{case.id}/conversations/new"
    login(client, practitioner)
    assert b'name="network_member_ids"' not in client.get(path).data  # no circle, no boxes
    kayden, tasha = circle(case.person, practitioner, "Kayden", "Tasha Brooks")
    db.session.commit()
    page = client.get(path).data.decode()
    assert "Kayden (neighbour)" in page and "Tasha Brooks (neighbour)" in page
    assert page.count('type="checkbox"') == 2
    assert f'value="{kayden.id}" checked' not in page
    form = {**date_fields("held_on", clock.today()), "kind": "visit"}
    form["network_member_ids"] = [str(kayden.id)]
    refused = client.post(path, data=form)  # no notes: the error keeps the tick
    assert refused.status_code == 422
    html = refused.data.decode()
    ticked = f'value="{kayden.id}" checked'
    assert ticked in html and f'value="{tasha.id}" checked' not in html
    form["notes"] = "Reading together"
    assert client.post(path, data=form).status_code == 302
    stored = db.session.scalars(select(Conversation).where(Conversation.case_id == case.id)).one()
    assert [m.id for m in stored.attendees] == [kayden.id]
    shown = client.get(f"/cases/{case.id}").data.decode()
    assert "With: Kayden (neighbour)" in shown
    timeline = client.get(f"/people/{case.person_id}").data.decode()
    assert "With: Kayden (neighbour)" in timeline


def test_a_ticked_box_from_another_persons_circle_is_the_forms_error(client, case, practitioner):
    circle(case.person, practitioner, "Kayden")
    stranger = stranger_of(practitioner)
    db.session.commit()
    login(client, practitioner)
    form = {**date_fields("held_on", clock.today()), "kind": "visit", "notes": "Hi"}
    form["network_member_ids"] = [str(stranger.id)]
    before = counts()
    response = client.post(f"/cases/{case.id}/conversations/new", data=form)
    assert response.status_code == 422
    assert "Choose who was there from this person&#39;s circle" in response.data.decode()
    assert counts() == before


def test_the_encounter_names_who_was_there_as_related_persons(api, case, practitioner):
    (kayden,) = circle(case.person, practitioner, "Kayden")
    log_conversation(
        db.session, case, practitioner, held_on=clock.today(), kind="visit", notes="Reading",
        network_member_ids=[kayden.id],
    )  # fmt: skip
    db.session.commit()
    status, bundle = api.get(f"/people/{case.person_id}/fhir")
    assert status == 200
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        fhir_model(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    urls = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    assert set(walk_references(bundle["entry"])) <= set(urls)
    (encounter,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Encounter"
    ]
    there = [p["individual"] for p in encounter["participant"]]
    related = [urls[i["reference"]] for i in there if i.get("type") == "RelatedPerson"]
    assert [r["name"][0]["text"] for r in related] == ["Kayden"]
