"""The "About me" page: what the person keeps, in plain words, about them and nobody else."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from casework import clock
from casework.cases.service import add_action, log_conversation, update_action
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import login, make_demand, make_person, make_team, make_user


@pytest.fixture
def case(team, practitioner):
    irene = make_person(practitioner, given_name="Irene", family_name="Thomas")
    demand, _ = make_demand(
        irene,
        practitioner,
        clock.today() - dt.timedelta(days=20),
        stated_need="Failure demand: falls",
    )
    case = demand.case
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=clock.today() - dt.timedelta(days=10),
        kind="visit",
        what_matters="Getting dressed by myself",
        notes="Internal: daughter worried about money",
    )
    log_conversation(
        db.session,
        case,
        practitioner,
        held_on=clock.today() - dt.timedelta(days=5),
        kind="phone",
        what_matters="Cooking my own tea again",
    )
    add_action(
        db.session, case, practitioner, description="Ask Jo next door about shopping", by="person"
    )
    dropped = add_action(db.session, case, practitioner, description="Day centre", by="person")
    update_action(db.session, dropped, practitioner, status="dropped", outcome="Did not want it")
    add_action(
        db.session,
        case,
        practitioner,
        description="Order a perching stool",
        by="team",
        due_on=clock.today() + dt.timedelta(days=7),
    )
    db.session.commit()
    return case


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_about_me_says_what_matters_who_does_what_and_who_to_contact(client, practitioner, case):
    other = make_person(practitioner, given_name="Zebedee", family_name="Other")
    make_demand(other, practitioner)
    login(client, practitioner)
    response = client.get(f"/cases/{case.id}/about-me")
    assert response.status_code == 200
    page = text_of(response.get_data(as_text=True))
    assert "“Cooking my own tea again”" in page
    assert "Getting dressed by myself" not in page  # the current statement only
    assert "What I will do Ask Jo next door about shopping" in page
    assert "Day centre" not in page  # dropped
    due = clock.today() + dt.timedelta(days=7)
    assert f"Order a perching stool – {practitioner.name}, by {due.day} {due:%B %Y}" in page
    assert f"Your named worker is {practitioner.name} in the North team" in page
    for internal in ("Internal", "money", "demand", "Failure", "referral", "case owner", "Zebedee"):
        assert internal not in page, internal


def test_about_me_has_a_print_stylesheet_and_is_linked_from_the_case(client, practitioner, case):
    login(client, practitioner)
    html = client.get(f"/cases/{case.id}/about-me").get_data(as_text=True)
    assert "about-me.css" in html
    with client.get("/static/about-me.css") as response:
        assert "@media print" in response.get_data(as_text=True)
    assert f"/cases/{case.id}/about-me" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_about_me_is_audited_and_refused_to_other_teams(app, client, practitioner, case):
    outsider = app.test_client()
    login(outsider, make_user(make_team("South", "usual")))
    assert outsider.get(f"/cases/{case.id}/about-me").status_code == 403
    login(client, practitioner)
    client.get(f"/cases/{case.id}/about-me")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.user_id == practitioner.id)
    )
    assert (event.entity, event.entity_id) == ("case", case.id)
    assert event.detail["path"] == f"/cases/{case.id}/about-me"


def test_about_me_without_an_owner_or_statement_says_so_plainly(client, manager):
    person = make_person(manager, given_name="Nora")
    demand, _ = make_demand(person, manager)  # a manager's demand awaits allocation
    login(client, manager)
    page = text_of(client.get(f"/cases/{demand.case_id}/about-me").get_data(as_text=True))
    assert "We have not written this down together yet" in page
    assert "will tell you the name of your worker soon" in page
