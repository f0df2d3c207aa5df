"""Workers' profiles (issue 16, item 1): profession, direct phone and working hours, set by
administrators (pages and CLI) and by each worker on their account page, shown where the
people helped and colleagues need to reach them."""

import re

import pytest
from sqlalchemy import select

from casework.admin.service import clean_profile, create_user, update_own_details
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.models import AuditEvent, User
from casework.rules import PROFESSION, WORKER_PHONE_SHAPE, WORKING_HOURS
from tests.conftest import PASSWORD, login, make_demand, make_person, make_user


def text_of(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def user_events(user_id):
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == "user", AuditEvent.entity_id == user_id)
        .order_by(AuditEvent.id)
    ).all()


# The one rule


@pytest.mark.parametrize(
    "phone", ["0113 496 0000", "+44 (0)113 496-0000", "07700900123", "  0113 496 0000  "]
)
def test_a_direct_line_may_be_written_as_people_write_phone_numbers(app, phone):
    clean, errors = clean_profile(phone=phone)
    assert errors == {}
    assert clean["phone"] == phone.strip()


@pytest.mark.parametrize(
    "phone", ["call me", "0113 ext 4", "12345", "++44 113 496 0000", "0113#4960000"]
)
def test_a_direct_line_that_is_no_phone_number_is_refused(app, phone):
    _, errors = clean_profile(phone=phone)
    assert errors == {"phone": WORKER_PHONE_SHAPE}


def test_profession_and_working_hours_have_their_limits(app):
    _, errors = clean_profile(
        profession="x" * (PROFESSION + 1), working_hours="y" * (WORKING_HOURS + 1)
    )
    assert set(errors) == {"profession", "working_hours"}
    clean, errors = clean_profile(profession="x" * PROFESSION, working_hours="  ", phone="")
    assert errors == {}
    assert clean == {"profession": "x" * PROFESSION, "phone": None, "working_hours": None}


def test_adding_a_user_with_a_bad_phone_adds_nobody(team):
    with pytest.raises(InvalidValue) as refused:
        create_user(db.session, email="new@example.org", name="New Worker", role="practitioner",
                    team=team, profile={"phone": "soon"})  # fmt: skip
    assert "phone" in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_a_worker_changes_only_what_they_send_and_it_is_audited(practitioner):
    practitioner.profession = "Social worker"
    db.session.commit()
    update_own_details(db.session, practitioner, {"phone": "0113 496 0001"}, practitioner)
    db.session.commit()
    assert (practitioner.profession, practitioner.phone) == ("Social worker", "0113 496 0001")
    event = user_events(practitioner.id)[-1]
    assert event.action == "update" and event.user_id == practitioner.id
    assert event.detail["before"] == {"phone": None}
    assert event.detail["after"] == {"phone": "0113 496 0001"}


def test_a_refused_change_of_ones_own_details_changes_nothing(practitioner):
    with pytest.raises(InvalidValue) as refused:
        update_own_details(db.session, practitioner,
                           {"profession": "Nurse", "phone": "nope", "email_digest": "yes"},
                           practitioner)  # fmt: skip
    assert set(refused.value.fields) == {"phone", "email_digest"}
    db.session.rollback()
    assert practitioner.profession is None and practitioner.email_digest is False


# The command line


def test_users_create_takes_profession_phone_and_working_hours(runner, team):
    result = runner.invoke(args=[
        "users", "create", "ot@example.org", "--name", "Olu Taylor", "--role", "practitioner",
        "--team", team.name, "--password", PASSWORD, "--profession", "Occupational therapist",
        "--phone", "0113 496 0002", "--working-hours", "Monday to Thursday, 8am to 4pm",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ot@example.org"))
    assert (user.profession, user.phone, user.working_hours) == (
        "Occupational therapist", "0113 496 0002", "Monday to Thursday, 8am to 4pm")  # fmt: skip
    created = user_events(user.id)[0]
    assert created.detail["profession"] == "Occupational therapist"


def test_users_create_refuses_a_bad_phone_and_says_why(runner, team):
    result = runner.invoke(args=[
        "users", "create", "ot@example.org", "--name", "Olu Taylor", "--role", "practitioner",
        "--team", team.name, "--phone", "ring the office",
    ])  # fmt: skip
    assert result.exit_code == 1
    assert WORKER_PHONE_SHAPE in result.output
    assert db.session.scalar(select(User).where(User.email == "ot@example.org")) is None


# The administrator's pages


def test_an_administrator_adds_and_edits_a_workers_profile(client, admin_user, team):
    login(client, admin_user)
    response = client.post("/admin/users/new", data={
        "email": "nurse@example.org", "name": "Nia Nurse", "role": "practitioner",
        "team_id": team.id, "profession": "District nurse", "phone": "0113 496 0003",
        "working_hours": "Weekdays",
    })  # fmt: skip
    assert response.status_code == 302
    nurse = db.session.scalar(select(User).where(User.email == "nurse@example.org"))
    assert nurse.profession == "District nurse"
    page = client.get(f"/admin/users/{nurse.id}/edit")
    assert b'value="0113 496 0003"' in page.data
    response = client.post(f"/admin/users/{nurse.id}/edit", data={
        "name": "Nia Nurse", "role": "practitioner", "team_id": team.id,
        "profession": "Community nurse", "phone": "", "working_hours": "Weekdays",
    })  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(nurse)
    assert (nurse.profession, nurse.phone) == ("Community nurse", None)
    edit = user_events(nurse.id)[-1]
    assert edit.detail["before"]["profession"] == "District nurse"
    assert edit.detail["after"]["profession"] == "Community nurse"


def test_the_admin_form_keeps_what_was_typed_and_says_what_is_wrong(client, admin_user, team):
    login(client, admin_user)
    response = client.post("/admin/users/new", data={
        "email": "nurse@example.org", "name": "Nia Nurse", "role": "practitioner",
        "team_id": team.id, "profession": "District nurse", "phone": "after 5",
    })  # fmt: skip
    assert response.status_code == 422
    assert WORKER_PHONE_SHAPE in response.text
    assert 'value="District nurse"' in response.text and 'value="after 5"' in response.text
    assert 'href="#phone"' in response.text  # in the error summary


# The worker's own account page


def test_a_worker_sets_their_own_details_and_the_daily_email(client, practitioner):
    login(client, practitioner)
    page = client.get("/account")
    assert "How people reach you" in page.text
    response = client.post("/account/details", data={
        "profession": "Social worker", "phone": "0113 496 0004",
        "working_hours": "Monday to Wednesday", "email_digest": "yes",
    })  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(practitioner)
    assert practitioner.profession == "Social worker"
    assert practitioner.email_digest is True
    assert 'value="0113 496 0004"' in client.get("/account").text


def test_the_account_page_refuses_a_bad_phone_and_keeps_what_was_typed(client, practitioner):
    login(client, practitioner)
    response = client.post("/account/details", data={
        "profession": "Social worker", "phone": "x" * 60, "working_hours": "", "email_digest": "no",
    })  # fmt: skip
    assert response.status_code == 422
    assert "Error: Your account" in response.text
    assert 'value="Social worker"' in response.text
    db.session.refresh(practitioner)
    assert practitioner.profession is None


# Where the people helped and colleagues see it


@pytest.fixture
def owned_case(team, practitioner):
    practitioner.profession = "Occupational therapist"
    practitioner.phone = "0113 496 0005"
    practitioner.working_hours = "Monday to Thursday"
    db.session.commit()
    person = make_person(practitioner, given_name="Irene")
    demand, _ = make_demand(person, practitioner)
    return demand.case


def test_the_case_page_shows_the_owners_profession_and_direct_line(client, practitioner,
                                                                   owned_case):  # fmt: skip
    login(client, practitioner)
    page = text_of(client.get(f"/cases/{owned_case.id}").data)
    assert "Eleisha Ward, Occupational therapist" in page
    assert "Direct line: 0113 496 0005" in page


def test_about_me_says_how_to_reach_the_worker(client, practitioner, owned_case):
    login(client, practitioner)
    page = text_of(client.get(f"/cases/{owned_case.id}/about-me").data)
    assert "Your named worker is Eleisha Ward , Occupational therapist," in page
    assert "direct line: 0113 496 0005 (Monday to Thursday)" in page


def test_colleague_pickers_show_profession_beside_the_name(client, practitioner, manager,
                                                           owned_case):  # fmt: skip
    colleague = make_user(practitioner.team, name="Sam Lee")
    colleague.profession = "Physiotherapist"
    db.session.commit()
    make_demand(make_person(manager), manager)  # awaiting allocation: the team page offers it
    login(client, manager)
    assert "Sam Lee, Physiotherapist" in client.get(f"/cases/{owned_case.id}").text  # assignee
    assert "Sam Lee, Physiotherapist" in client.get(f"/cases/{owned_case.id}/owner").text
    assert "Sam Lee, Physiotherapist" in client.get("/team").text
