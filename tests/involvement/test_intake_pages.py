"""The intake form for someone another team is already working with: it says so before
saving, offers to pass the demand to their worker, and never shows that team's case."""

from __future__ import annotations

from casework import clock
from casework.extensions import db
from casework.models import AuditEvent, Case, Demand, Notification
from tests.conftest import login, make_person, make_user


def typed(**extra):
    today = clock.today()
    return {
        "received_on[day]": today.day,
        "received_on[month]": today.month,
        "received_on[year]": today.year,
        "source": "Her neighbour",
        "channel": "phone",
        "stated_need": "Worried about the stairs",
        **extra,
    }


def words(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_the_form_says_who_is_already_working_with_the_person(
    client, practitioner, known_elsewhere
):
    person, case = known_elsewhere
    login(client, practitioner)
    page = words(client.get(f"/people/{person.id}/demands/new"))
    assert "Irene already has an open case in another team" in page
    assert (
        "Pass this demand to Eleisha Okoro in Riverside, who is already working with Irene" in page
    )
    assert "Record it in your team&#39;s own case" in page
    assert "Occupational therapist" in page and "01632 960123" in page
    assert "Falls at night" not in page  # Riverside's record stays Riverside's


def test_a_person_known_only_here_gets_no_choice(client, practitioner):
    person = make_person(practitioner)
    login(client, practitioner)
    page = words(client.get(f"/people/{person.id}/demands/new"))
    assert "Pass this demand" not in page and 'name="pass_to"' not in page


def test_saving_without_choosing_asks_for_the_choice_and_keeps_what_was_typed(
    client, practitioner, known_elsewhere
):
    person, _ = known_elsewhere
    login(client, practitioner)
    response = client.post(f"/people/{person.id}/demands/new", data=typed())
    assert response.status_code == 422
    page = words(response)
    assert "Choose whether to pass this demand to the worker who already knows the person" in page
    assert 'value="Her neighbour"' in page and "Worried about the stairs" in page
    assert db.session.scalar(db.select(db.func.count(Demand.id))) == 1


def test_a_tampered_choice_is_refused(client, practitioner, known_elsewhere, eleisha):
    person, _ = known_elsewhere
    other = make_person(eleisha)
    login(client, practitioner)
    from tests.conftest import make_demand

    theirs, _ = make_demand(other, eleisha)
    response = client.post(
        f"/people/{person.id}/demands/new", data=typed(pass_to=str(theirs.case_id))
    )
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Demand.id))) == 2


def test_passing_lands_on_a_confirmation_that_shows_nothing_of_the_case(
    client, practitioner, known_elsewhere, eleisha
):
    person, case = known_elsewhere
    login(client, practitioner)
    response = client.post(f"/people/{person.id}/demands/new", data=typed(pass_to=str(case.id)))
    assert response.status_code == 302
    demand = db.session.scalars(db.select(Demand).order_by(Demand.id.desc())).first()
    assert response.location == f"/demands/{demand.id}/passed"
    assert (demand.case_id, demand.routed_by) == (case.id, "passed_to_owner")
    page = words(client.get(response.location))
    assert "Demand passed to Eleisha Okoro" in page
    assert "01632 960123" in page
    assert "Falls at night" not in page
    assert f"/cases/{case.id}" not in page
    assert client.get(f"/cases/{case.id}").status_code == 403  # no access gained
    told = db.session.scalars(db.select(Notification).where(Notification.user_id == eleisha.id))
    assert [n.kind for n in told] == ["passed_to_you"]
    viewed = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.entity == "demand", AuditEvent.action == "view")
    ).all()
    assert [e.person_id for e in viewed] == [person.id]


def test_only_the_recorder_sees_the_confirmation(client, practitioner, known_elsewhere, team):
    person, case = known_elsewhere
    login(client, practitioner)
    location = client.post(
        f"/people/{person.id}/demands/new", data=typed(pass_to=str(case.id))
    ).location
    client.post("/logout")
    login(client, make_user(team, name="Colleague"))
    assert client.get(location).status_code == 404
    assert client.get("/demands/999999/passed").status_code == 404


def test_recording_in_the_teams_own_case_starts_a_relationship(
    client, practitioner, known_elsewhere
):
    person, case = known_elsewhere
    login(client, practitioner)
    response = client.post(f"/people/{person.id}/demands/new", data=typed(pass_to="own"))
    assert response.status_code == 302
    mine = db.session.scalar(db.select(Case).where(Case.team_id == practitioner.team_id))
    assert response.location == f"/cases/{mine.id}"
    started = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "relationship_started")
    ).all()
    assert [e.person_id for e in started] == [person.id]
