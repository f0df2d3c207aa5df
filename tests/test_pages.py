"""The journey through the web pages, for each role."""

import datetime as dt

import pytest

from casework import clock
from casework.cases.service import add_action, log_conversation
from casework.extensions import db
from casework.models import AuditEvent, Case, Person
from tests.conftest import login, make_demand, make_person, make_user


def date_fields(name, when):
    return {f"{name}[day]": when.day, f"{name}[month]": when.month, f"{name}[year]": when.year}


@pytest.fixture
def open_case(practitioner):
    person = make_person(practitioner, given_name="Anne")
    demand, _ = make_demand(person, practitioner, clock.today() - dt.timedelta(days=3))
    log_conversation(
        db.session,
        demand.case,
        practitioner,
        held_on=clock.today(),
        kind="visit",
        what_matters="Staying in my own home",
        notes="Met at home",
    )
    action = add_action(
        db.session,
        demand.case,
        practitioner,
        description="Fit a rail",
        by="team",
        due_on=clock.today(),
    )
    db.session.commit()
    return demand.case, action


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_every_page_of_the_journey_renders_for_team_roles(client, team, open_case, role):
    case, action = open_case
    user = make_user(team, role)
    login(client, user)
    pages = [
        "/",
        "/people",
        f"/people?q={case.person.given_name}",
        "/people/new",
        f"/people/{case.person_id}",
        f"/people/{case.person_id}/edit",
        f"/people/{case.person_id}/demands/new",
        f"/cases/{case.id}",
        f"/cases/{case.id}/conversations/new",
        f"/actions/{action.id}",
        f"/cases/{case.id}/owner",
        f"/cases/{case.id}/close",
    ]
    if role == "manager":
        pages.append("/team")
    for page in pages:
        response = client.get(page)
        if role == "practitioner" and page.endswith(("/owner", "/close")):
            assert response.status_code == 403, page  # not the owner nor the manager
            continue
        assert response.status_code == 200, page
        assert "Casework" in response.get_data(as_text=True)


def test_admin_without_a_team_sees_admin_pages_but_no_records(client, admin_user, open_case):
    case, _ = open_case
    login(client, admin_user)
    assert client.get("/").location == "/admin/users"
    assert client.get("/admin/users").status_code == 200
    assert client.get(f"/people/{case.person_id}").status_code == 403
    assert client.get(f"/cases/{case.id}").status_code == 403


def test_caseload_shows_what_matters_last_contact_and_due_actions(client, practitioner, open_case):
    login(client, practitioner)
    page = client.get("/").get_data(as_text=True)
    assert "Staying in my own home" in page
    assert "Fit a rail" in page
    assert f"{clock.today().day} {clock.today():%B %Y}" in page


def test_adding_a_possible_duplicate_warns_before_saving(client, practitioner):
    make_person(
        practitioner, given_name="Robert", family_name="Smith", date_of_birth=dt.date(1950, 1, 1)
    )
    login(client, practitioner)
    form = {
        "given_name": "Bob",
        "family_name": "smith",
        **date_fields("date_of_birth", dt.date(1950, 1, 1)),
    }
    response = client.post("/people/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This person may already be on record" in page
    assert 'value="Bob"' in page
    assert db.session.query(Person).count() == 1
    response = client.post("/people/new", data={**form, "confirm_new": "y"})
    assert response.status_code == 302
    assert db.session.query(Person).count() == 2


def test_an_invalid_nhs_number_is_explained_and_what_was_typed_is_kept(client, practitioner):
    login(client, practitioner)
    response = client.post(
        "/people/new",
        data={"given_name": "Anne", "family_name": "Test", "nhs_number": "943 476 5918"},
    )
    page = response.get_data(as_text=True)
    assert "That is not a valid NHS number" in page
    assert 'value="943 476 5918"' in page
    assert "There is a problem" in page


def test_demand_form_says_where_the_demand_will_go(client, practitioner, open_case):
    case, _ = open_case
    login(client, practitioner)
    page = client.get(f"/people/{case.person_id}/demands/new").get_data(as_text=True)
    assert f"This joins Anne&#39;s open case, owned by {practitioner.name}." in page


def test_recording_a_demand_through_the_form_routes_it(client, practitioner):
    person = make_person(practitioner)
    login(client, practitioner)
    response = client.post(
        f"/people/{person.id}/demands/new",
        data={
            **date_fields("received_on", clock.today()),
            "source": "GP",
            "channel": "letter",
            "stated_need": "Struggling with stairs",
            "kind": "failure",
            "owner_id": "0",
        },
    )
    assert response.status_code == 302
    case = db.session.query(Case).filter_by(person_id=person.id).one()
    assert response.location == f"/cases/{case.id}"
    assert case.owner_id == practitioner.id
    assert case.demands[0].kind == "failure"


def test_an_incomplete_demand_keeps_what_was_typed(client, practitioner):
    person = make_person(practitioner)
    login(client, practitioner)
    response = client.post(
        f"/people/{person.id}/demands/new",
        data={
            "received_on[day]": "31",
            "received_on[month]": "2",
            "received_on[year]": "2026",
            "source": "Hospital",
            "channel": "phone",
            "stated_need": "Discharge help",
        },
    )
    page = response.get_data(as_text=True)
    assert "Date received must be a real date" in page
    assert 'value="Hospital"' in page and "Discharge help" in page
    assert db.session.query(Case).count() == 0


def test_refused_closure_keeps_everything_typed_and_the_case_open(client, practitioner, open_case):
    case, _ = open_case
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/close",
        data={
            "agreement_note": "Talked it through at home",
            "summary": "Anne is managing well",
            **date_fields("closed_on", clock.today()),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A case closes only when the person agrees" in page
    assert "Talked it through at home" in page and "Anne is managing well" in page
    db.session.expire_all()
    assert db.session.get(Case, case.id).is_open


def test_closure_by_agreement_through_the_form(client, practitioner, open_case):
    case, _ = open_case
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/close",
        data={
            "agreed_with_person": "y",
            "agreement_note": "Agreed with Anne on the phone",
            "summary": "Rail fitted; Anne is confident on the stairs",
            **date_fields("closed_on", clock.today()),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    closed = db.session.get(Case, case.id)
    assert closed.closed_on == clock.today() and closed.closure_agreed


def test_stale_referral_edit_is_refused_showing_the_other_change(client, practitioner, open_case):
    case, _ = open_case
    login(client, practitioner)
    read_version = case.version
    client.post(
        f"/cases/{case.id}/referral",
        data={
            "referral-version": read_version,
            "referral-referral_match": "no",
            "referral-real_problem": "Lonely since her husband died",
        },
    )
    response = client.post(
        f"/cases/{case.id}/referral",
        data={
            "referral-version": read_version,
            "referral-referral_match": "yes",
            "referral-real_problem": "Stairs",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this case" in page
    assert "Lonely since her husband died" in page  # their change, shown
    assert ">Stairs</textarea>" in page  # what this person typed, kept
    db.session.expire_all()
    assert db.session.get(Case, case.id).referral_match == "no"


def test_owner_change_without_a_reason_is_refused_on_the_page(
    client, team, practitioner, open_case
):
    case, _ = open_case
    colleague = make_user(team)
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/owner",
        data={"version": case.version, "owner_id": colleague.id, "reason": ""},
    )
    assert response.status_code == 422
    assert "Give a reason for the change of owner" in response.get_data(as_text=True)
    response = client.post(
        f"/cases/{case.id}/owner",
        data={"version": case.version, "owner_id": colleague.id, "reason": "Going on leave"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).owner_id == colleague.id


def test_manager_allocates_waiting_cases_in_bulk_with_a_reason(client, team, manager, practitioner):
    cases = [make_demand(make_person(manager), manager)[0].case for _ in range(3)]
    assert all(c.owner_id is None for c in cases)
    login(client, manager)
    page = client.get("/team").get_data(as_text=True)
    assert "Awaiting allocation (3)" in page
    response = client.post(
        "/team",
        data={
            "case_ids": [c.id for c in cases[:2]],
            "owner_id": practitioner.id,
            "reason": "Capacity",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    owners = [db.session.get(Case, c.id).owner_id for c in cases]
    assert owners == [practitioner.id, practitioner.id, None]
    assert db.session.get(Case, cases[0].id).ownership_changes[-1].reason == "Capacity"


def test_bulk_allocation_without_a_reason_changes_nothing(client, manager, practitioner):
    case = make_demand(make_person(manager), manager)[0].case
    login(client, manager)
    response = client.post(
        "/team", data={"case_ids": [case.id], "owner_id": practitioner.id, "reason": ""}
    )
    assert "Give a reason for the change of owner" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).owner_id is None


def test_deactivated_workers_cases_need_a_new_owner(client, team, manager, practitioner, open_case):
    practitioner.active = False
    db.session.commit()
    login(client, manager)
    page = client.get("/team").get_data(as_text=True)
    assert "Needs a new owner (1)" in page
    assert "Anne" in page


def test_person_timeline_shows_the_whole_story_newest_first(client, practitioner, open_case):
    case, _ = open_case
    login(client, practitioner)
    page = client.get(f"/people/{case.person_id}").get_data(as_text=True)
    positions = [
        page.index(text)
        for text in ["Action agreed: Fit a rail", "Visit", "Case opened in North", "Demand from GP"]
    ]
    assert positions == sorted(positions)


def test_reading_a_record_is_audited(client, practitioner, open_case):
    case, _ = open_case
    login(client, practitioner)
    client.get(f"/people/{case.person_id}")
    client.get(f"/cases/{case.id}")
    views = db.session.query(AuditEvent).filter_by(action="view", user_id=practitioner.id).all()
    assert {(v.entity, v.entity_id) for v in views} == {
        ("person", case.person_id),
        ("case", case.id),
    }


def test_a_conversation_with_a_new_statement_updates_what_matters(client, practitioner, open_case):
    case, _ = open_case
    login(client, practitioner)
    response = client.post(
        f"/cases/{case.id}/conversations/new",
        data={
            **date_fields("held_on", clock.today()),
            "kind": "phone",
            "with_whom": "Anne",
            "minutes": "20",
            "notes": "Rang",
            "what_matters": "Getting back to church",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert page.index("Getting back to church") < page.index("Earlier statements")
    assert "Staying in my own home" in page


def test_the_conversation_form_s_old_address_redirects_permanently(client, practitioner, open_case):
    case, _ = open_case
    login(client, practitioner)
    old = client.get(f"/cases/{case.id}/visits/new")
    assert (old.status_code, old.location) == (308, f"/cases/{case.id}/conversations/new")
    page = client.get(f"/cases/{case.id}/visits/new", follow_redirects=True).get_data(as_text=True)
    assert "Record a conversation" in page and "A visit, a phone or video call" in page
    # A form opened before the move is posted again, unchanged, to the new address.
    posted = client.post(
        f"/cases/{case.id}/visits/new",
        data={
            **date_fields("held_on", clock.today()),
            "kind": "visit",
            "notes": "Sent to the old address",
        },
        follow_redirects=True,
    )
    assert posted.status_code == 200 and "Conversation saved." in posted.get_data(as_text=True)
    assert db.session.get(Case, case.id).conversations[-1].notes == "Sent to the old address"


def test_two_edits_of_a_persons_details_cannot_overwrite_each_other(client, practitioner):
    person = make_person(practitioner, given_name="Anne", phone="01632 960001")
    read_version = person.version
    login(client, practitioner)
    base = {
        "given_name": "Anne",
        "family_name": person.family_name,
        **date_fields("date_of_birth", person.date_of_birth),
        "version": read_version,
    }
    assert (
        client.post(f"/people/{person.id}/edit", data={**base, "phone": "01632 960002"}).status_code
        == 302
    )
    response = client.post(f"/people/{person.id}/edit", data={**base, "phone": "01632 960003"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed these details" in page
    assert "01632 960002" in page and 'value="01632 960003"' in page
    db.session.expire_all()
    assert db.session.get(Person, person.id).phone == "01632 960002"


def test_the_caseload_puts_new_work_first_then_the_soonest_due_then_the_longest_without_contact(
    practitioner,
):
    """ADR 0035: nothing overdue here, so the cases nobody has contacted yet come first
    (soonest due among them first), then the rest by the soonest due, then the longest
    without contact."""
    from casework.caseload.service import my_cases

    def case_for(name, due=None, contact=None):
        demand, _ = make_demand(make_person(practitioner, given_name=name), practitioner)
        if due is not None:
            add_action(db.session, demand.case, practitioner, description="Call", by="team",
                       due_on=clock.today() + dt.timedelta(days=due))  # fmt: skip
        if contact is not None:
            log_conversation(db.session, demand.case, practitioner, kind="phone", notes="Hello",
                             held_on=clock.today() - dt.timedelta(days=contact))  # fmt: skip
        db.session.commit()

    case_for("Later", due=5, contact=1)
    case_for("Recent", contact=2)
    case_for("Never")
    case_for("Soonest", due=2)
    case_for("Undated")  # an action with no date: after every dated one
    add_action(db.session, db.session.scalars(db.select(Case)).all()[-1], practitioner,
               description="Some day", by="person")  # fmt: skip
    case_for("Long ago", contact=10)
    db.session.commit()
    names = [row.case.person.given_name for row in my_cases(db.session, practitioner).items]
    assert names == ["Soonest", "Never", "Undated", "Later", "Long ago", "Recent"]
