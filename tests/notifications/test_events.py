"""The events that tell a worker: a case given to them by someone else (`allocated`), a
demand routed to their case by someone else (`recontact`), an answer to their ask
(`ask_answered`). Never the person's name, nor a health or care detail."""

import datetime as dt

import pytest
from sqlalchemy import select

from casework import clock
from casework.asks.service import ask_manager, decide
from casework.cases.service import change_owner, close_case, log_conversation
from casework.extensions import db
from casework.models import Notification
from tests.conftest import login, make_demand, make_person, make_user


def told(user=None):
    query = select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return db.session.scalars(query).all()


@pytest.fixture
def colleague(team):
    return make_user(team, name="Sam Lee")


@pytest.fixture
def unowned(manager):
    """A case awaiting allocation (a manager records it: nobody owns it yet)."""
    person = make_person(manager, given_name="Winifred", family_name="Ashdown")
    demand, route = make_demand(person, manager, stated_need="Falls at night, diabetes")
    assert route.owner is None
    return demand.case


def test_a_case_given_by_a_manager_tells_the_new_owner(manager, colleague, unowned):
    change_owner(db.session, unowned, manager, new_owner=colleague, reason="Lives near Sam")
    db.session.commit()
    [note] = told()
    assert (note.user_id, note.kind, note.case_id) == (colleague.id, "allocated", unowned.id)
    assert note.person_id == unowned.person_id
    assert note.text == f"Case #{unowned.id} was given to you by Morgan Manager."
    assert "Winifred" not in note.text and "Falls" not in note.text


def test_taking_a_case_oneself_tells_nobody(colleague, unowned):
    change_owner(db.session, unowned, colleague, new_owner=colleague, reason="Mine")
    db.session.commit()
    assert told() == []


def test_a_handover_tells_the_new_owner_not_the_old(practitioner, colleague):
    demand, _ = make_demand(make_person(practitioner), practitioner)
    change_owner(db.session, demand.case, practitioner, new_owner=colleague, reason="Leave")
    db.session.commit()
    assert [(n.user_id, n.kind) for n in told()] == [(colleague.id, "allocated")]


def test_a_refused_change_of_owner_tells_nobody(manager, colleague, unowned):
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        change_owner(db.session, unowned, manager, new_owner=colleague, reason="")
    db.session.rollback()
    assert told() == []


def test_bulk_allocation_on_the_team_page_tells_the_worker_once_per_case(
    client, manager, colleague, unowned
):
    other = make_demand(make_person(manager), manager)[0].case
    login(client, manager)
    response = client.post("/team", data={
        "case_ids": [unowned.id, other.id], "owner_id": colleague.id, "reason": "Fair shares",
    })  # fmt: skip
    assert response.status_code == 302
    assert sorted(n.case_id for n in told(colleague)) == sorted([unowned.id, other.id])
    assert {n.kind for n in told()} == {"allocated"}


def test_a_new_case_routed_at_intake_to_another_worker_tells_them(manager, colleague):
    person = make_person(manager)
    demand, route = make_demand(person, manager, owner=colleague)
    assert route.kind == "new_case"
    [note] = told()
    assert (note.user_id, note.kind) == (colleague.id, "allocated")
    assert note.text == f"Case #{demand.case_id} was given to you at intake by Morgan Manager."


def test_a_practitioner_recording_their_own_new_case_is_not_told(practitioner):
    make_demand(make_person(practitioner), practitioner)
    assert told() == []


def test_a_demand_joining_someone_elses_open_case_tells_its_owner(practitioner, colleague):
    person = make_person(practitioner, given_name="Winifred")
    first, _ = make_demand(person, practitioner)
    make_demand(person, practitioner)  # the owner's own: nobody told
    assert told() == []
    second, route = make_demand(person, colleague, stated_need="Chest pain again")
    assert route.kind == "open_case"
    [note] = told()
    assert (note.user_id, note.kind, note.case_id) == (practitioner.id, "recontact", first.case_id)
    assert note.text == f"A new demand joined your case #{first.case_id}, recorded by Sam Lee."


def test_a_person_coming_back_to_the_worker_who_closed_their_case_tells_them(
    practitioner, colleague
):
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, received_on=clock.today() - dt.timedelta(days=30))
    case = first.case
    log_conversation(db.session, case, practitioner, held_on=clock.today() - dt.timedelta(days=20),
                     kind="visit", what_matters="Staying at home")  # fmt: skip
    close_case(db.session, case, practitioner, agreed_with_person=True, agreement_note="Agreed",
               summary="Settled", closed_on=clock.today() - dt.timedelta(days=10))  # fmt: skip
    db.session.commit()
    demand, route = make_demand(person, colleague)
    assert route.kind == "same_worker"
    [note] = told()
    assert (note.user_id, note.kind, note.case_id) == (practitioner.id, "recontact", demand.case_id)
    assert "came back" in note.text


def test_an_answered_ask_tells_the_asker(practitioner, manager):
    demand, _ = make_demand(make_person(practitioner), practitioner)
    ask = ask_manager(db.session, demand.case, practitioner, kind="resource",
                      what="Evening visits for a fortnight", why="Carer in hospital")  # fmt: skip
    db.session.commit()
    decide(db.session, ask, manager, decision="yes", reason="Worth it")
    db.session.commit()
    [note] = told()
    assert (note.user_id, note.kind, note.case_id) == (practitioner.id, "ask_answered", ask.case_id)
    assert note.text == f"Your ask for case #{ask.case_id} was answered yes by Morgan Manager."
    assert "Evening" not in note.text and "hospital" not in note.text
