"""Cautions, the circle and consent on the pages: shown first wherever a worker meets the
person, kept as typed when refused, changed only by the teams working with the person."""

import datetime as dt

from sqlalchemy import select

from casework import clock
from casework.extensions import db
from casework.models import Action, AuditEvent, CautionFlag, ConsentDecision, NetworkMember
from casework.people.merge import merge_people
from casework.safety import service
from tests.conftest import login, make_person, make_team, make_user
from tests.safety.conftest import date_fields

DOG = "A large dog <b>jumps up</b>; ask for it to be shut away"


def flag_form(**fields):
    return {
        "category": "animal",
        "text": DOG,
        **date_fields("review_on", clock.today() + dt.timedelta(days=90)),
        **fields,
    }


def test_a_caution_is_shown_first_on_every_page_a_worker_meets_the_person(
    client, case, practitioner
):
    login(client, practitioner)
    person = case.person
    response = client.post(f"/people/{person.id}/flags/new", data=flag_form())
    assert response.status_code == 302
    escaped = "A large dog &lt;b&gt;jumps up&lt;/b&gt;"
    for path in (
        f"/people/{person.id}",
        f"/cases/{case.id}",
        f"/cases/{case.id}/conversations/new",
    ):
        page = client.get(path).get_data(as_text=True)
        banner = page.index("Caution before you visit Irene")
        assert escaped in page and "<b>jumps up" not in page, path
        assert "Animal:" in page[banner:], path
        if "conversations/new" in path:
            assert banner < page.index('id="conversation-form"')
    caseload = client.get("/").get_data(as_text=True)
    assert "Caution: Animal" in caseload and 'class="cw-caution__icon"' in caseload


def test_a_refused_caution_keeps_what_was_typed_and_says_why(client, person, practitioner):
    login(client, practitioner)
    response = client.post(
        f"/people/{person.id}/flags/new",
        data=flag_form(**date_fields("review_on", clock.today() - dt.timedelta(days=1))),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The review date must be today or in the future" in page
    assert "A large dog &lt;b&gt;jumps up" in page
    response = client.post(f"/people/{person.id}/flags/new", data=flag_form(category="", text=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose what kind of caution it is" in page and "Say, in plain words" in page
    assert db.session.scalar(select(CautionFlag)) is None


def test_ending_a_caution_needs_a_reason_and_keeps_it_in_the_record(client, person, practitioner):
    flag = service.raise_flag(
        db.session,
        practitioner,
        person,
        category="infection",
        text="Scabies",
        review_on=clock.today(),
    )
    db.session.commit()
    login(client, practitioner)
    response = client.post(f"/flags/{flag.id}/end", data={"reason": " "})
    assert response.status_code == 422
    assert "Say why the caution no longer applies" in response.get_data(as_text=True)
    assert client.post(f"/flags/{flag.id}/end", data={"reason": "Treated"}).status_code == 302
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Caution before you visit" not in page
    assert "Ended cautions (1)" in page and "Treated" in page


def test_the_manager_lists_cautions_due_for_review_and_a_practitioner_may_not(
    client, person, practitioner, manager
):
    service.raise_flag(
        db.session,
        practitioner,
        person,
        category="access",
        text="Key safe 1234",
        review_on=clock.today(),
    )
    db.session.commit()
    login(client, practitioner)
    assert client.get("/flags/due").status_code == 403
    client.post("/logout")
    login(client, manager)
    page = client.get("/flags/due").get_data(as_text=True)
    assert "Irene Walsh" in page and "Key safe 1234" in page
    listed = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "flag_list"))
    assert listed.detail["person_ids"] == [person.id]


def test_another_team_cannot_change_the_persons_cautions_or_circle(client, person, practitioner):
    flag = service.raise_flag(
        db.session, practitioner, person, category="animal", text="Dog", review_on=clock.today()
    )
    member = service.add_member(
        db.session, practitioner, person, {"name": "Jo", "relationship": "family"}
    )
    db.session.commit()
    outsider = make_user(make_team("South", "usual"))
    login(client, outsider)
    for path in (
        f"/people/{person.id}/flags/new",
        f"/people/{person.id}/network/new",
        f"/people/{person.id}/consents/new",
        f"/flags/{flag.id}/end",
        f"/network/{member.id}/edit",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/flags/{flag.id}/end", data={"reason": "x"}).status_code == 403
    assert flag.active


def member_form(**fields):
    return {
        "name": "Kayden Brooks",
        "relationship": "neighbour",
        "role": "Helps with cleaning; Irene helps him with reading",
        "phone": "07700 900456",
        "may_contact": "yes",
        **fields,
    }


def test_the_circle_is_kept_on_the_person_and_named_on_an_action(client, case, practitioner):
    login(client, practitioner)
    person = case.person
    response = client.post(f"/people/{person.id}/network/new", data=member_form(email="nope"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter an email address like name@example.org" in page and "Kayden Brooks" in page
    assert client.post(f"/people/{person.id}/network/new", data=member_form()).status_code == 302
    kayden = db.session.scalar(select(NetworkMember))
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Kayden Brooks" in page and "Irene agrees we may contact them: 07700 900456" in page
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'<option value="{kayden.id}">Kayden Brooks (neighbour)</option>' in page
    action = {
        "action-description": "Help Irene with the cleaning on Saturdays",
        "action-by": "person",
        "action-assignee_id": "0",
        "action-network_member_id": str(kayden.id),
    }
    assert client.post(f"/cases/{case.id}/actions", data=action).status_code == 302
    assert db.session.scalar(select(Action.network_member_id)) == kayden.id
    about = client.get(f"/cases/{case.id}/about-me").get_data(as_text=True)
    assert "The people around me" in about and "Help Irene with the cleaning" in about
    assert "Kayden Brooks" in about


def test_an_action_naming_another_persons_circle_is_refused(client, case, practitioner):
    other = make_person(practitioner, given_name="Other", family_name="Person")
    stranger = service.add_member(
        db.session, practitioner, other, {"name": "Stranger", "relationship": "friend"}
    )
    db.session.commit()
    login(client, practitioner)
    action = {
        "action-description": "Do the shopping",
        "action-by": "person",
        "action-assignee_id": "0",
        "action-network_member_id": str(stranger.id),
    }
    response = client.post(f"/cases/{case.id}/actions", data=action)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose someone from this person&#39;s circle" in page and "Do the shopping" in page
    assert db.session.scalar(select(Action)) is None


def test_changing_someone_in_the_circle_from_a_stale_copy_is_refused(client, person, practitioner):
    member = service.add_member(
        db.session, practitioner, person, {"name": "Jo", "relationship": "family"}
    )
    db.session.commit()
    login(client, practitioner)
    form = member_form(name="Jo Walsh", relationship="family", version="1")
    assert client.post(f"/network/{member.id}/edit", data=form).status_code == 302
    response = client.post(f"/network/{member.id}/edit", data={**form, "name": "Joanne"})
    assert response.status_code == 409
    assert "Joanne" in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.name == "Jo Walsh"


def test_a_refused_and_an_expired_decision_about_sharing_are_shown(client, person, practitioner):
    login(client, practitioner)
    refused = {
        "decision": "refused",
        "scope": "Nothing about her health to her son",
        **date_fields("recorded_on", clock.today()),
        **date_fields("expires_on", None),
    }
    assert client.post(f"/people/{person.id}/consents/new", data=refused).status_code == 302
    given = {
        "decision": "given",
        "scope": "GP may be told about the adaptations",
        **date_fields("recorded_on", clock.today() - dt.timedelta(days=400)),
        **date_fields("expires_on", clock.today() - dt.timedelta(days=30)),
    }
    assert client.post(f"/people/{person.id}/consents/new", data=given).status_code == 302
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Refused to share" in page and "Nothing about her health to her son" in page
    assert "Expired: ask again" in page
    assert len(db.session.scalars(select(ConsentDecision)).all()) == 2
    bad = {**given, **date_fields("recorded_on", clock.today() + dt.timedelta(days=2))}
    response = client.post(f"/people/{person.id}/consents/new", data=bad)
    assert response.status_code == 422
    assert "GP may be told about the adaptations" in response.get_data(as_text=True)


def test_a_merged_record_leads_to_the_kept_one_to_add_a_caution(client, case, practitioner):
    gone = make_person(practitioner, given_name="Irene", family_name="Walsh")
    merge_people(db.session, make_user(None, "admin"), keep=case.person, other=gone)
    db.session.commit()
    login(client, practitioner)
    response = client.get(f"/people/{gone.id}/flags/new")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/people/{case.person_id}")
