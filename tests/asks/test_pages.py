"""Asks on the pages: asked from a case, answered from the manager's list, kept as typed
when refused, and shown on the case to its team only."""

import datetime as dt

from sqlalchemy import select

from casework import clock
from casework.asks.service import decide
from casework.extensions import db
from casework.models import Ask, AuditEvent
from tests.asks.conftest import make_ask
from tests.conftest import login, make_team, make_user


def ask_form(**fields):
    return {"kind": "resource", "what": "Key safe", "why": "Carers cannot get in", **fields}


def test_a_practitioner_asks_from_the_case_and_the_case_shows_it(client, case, practitioner):
    login(client, practitioner)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Asks of the manager" in page and "Nothing asked yet" in page
    assert f"/cases/{case.id}/asks/new" in page
    needed = clock.today() + dt.timedelta(days=2)
    response = client.post(
        f"/cases/{case.id}/asks/new",
        data=ask_form(
            cost="£1,250.50",
            **{
                "needed_by[day]": needed.day,
                "needed_by[month]": needed.month,
                "needed_by[year]": needed.year,
            },
        ),
    )
    assert response.status_code == 302
    ask = db.session.scalar(select(Ask))
    assert (ask.cost_pence, ask.needed_by, ask.status) == (125_050, needed, "open")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Key safe" in page and "about £1,250.50" in page and "Waiting for an answer" in page


def test_a_refused_ask_says_why_and_keeps_what_was_typed(client, case, practitioner):
    login(client, practitioner)
    yesterday = clock.today() - dt.timedelta(days=1)
    response = client.post(
        f"/cases/{case.id}/asks/new",
        data=ask_form(
            what="Taxi to the clinic",
            why="",
            cost="about twelve quid",
            **{
                "needed_by[day]": yesterday.day,
                "needed_by[month]": yesterday.month,
                "needed_by[year]": yesterday.year,
            },
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Say why the person needs it" in page
    assert "Enter the cost in pounds, like 250 or 1,250.50" in page
    assert "Needed by must be today or in the future" in page
    assert 'value="Taxi to the clinic"' in page and 'value="about twelve quid"' in page
    assert db.session.scalar(select(Ask.id)) is None


def test_the_manager_sees_open_asks_oldest_first_with_their_age(
    client, case, practitioner, manager
):
    newer = make_ask(case, practitioner, what="Newer ask")
    older = make_ask(case, practitioner, what="Older ask")
    older.asked_at -= dt.timedelta(days=9)
    db.session.commit()
    login(client, manager)
    page = client.get("/asks").get_data(as_text=True)
    assert "Waiting for your answer (2)" in page
    assert page.index("Older ask") < page.index("Newer ask")
    assert "waiting 9 days" in page and "waiting today" in page
    assert newer.id


def test_the_manager_answers_and_the_answer_stands(client, case, practitioner, manager, team):
    ask = make_ask(case, practitioner)
    login(client, manager)
    response = client.post(
        f"/asks/{ask.id}", data={"decision": "no", "reason": "", "version": ask.version}
    )
    assert response.status_code == 422
    assert "Give the reason for your answer" in response.get_data(as_text=True)
    response = client.post(
        f"/asks/{ask.id}",
        data={"decision": "no", "reason": "The landlord fits one", "version": ask.version},
    )
    assert response.status_code == 302
    page = client.get("/asks").get_data(as_text=True)
    assert "Answered in the last 90 days (1)" in page
    assert "answered no" in page and "The landlord fits one" in page and "the same day" in page

    other = make_user(team, "manager", name="Nia Second")
    second = client.application.test_client()
    login(second, other)
    response = second.post(
        f"/asks/{ask.id}", data={"decision": "yes", "reason": "Yes after all", "version": 1}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "already answered no by Morgan Manager" in page
    assert "Yes after all" in page  # what the second manager typed is kept
    db.session.expire_all()
    assert db.session.get(Ask, ask.id).reason == "The landlord fits one"


def test_only_the_teams_manager_answers_and_never_their_own(client, case, practitioner, manager):
    ask = make_ask(case, practitioner)
    login(client, practitioner)
    page = client.get(f"/asks/{ask.id}").get_data(as_text=True)
    assert "Answer the ask" not in page and "Withdraw the ask" in page
    assert client.post(f"/asks/{ask.id}", data={"decision": "yes", "reason": "Me"}).status_code == (
        403
    )
    own = make_ask(case, manager, what="The manager's own")
    manager_client = client.application.test_client()
    login(manager_client, manager)
    assert "Answer the ask" not in manager_client.get(f"/asks/{own.id}").get_data(as_text=True)
    response = manager_client.post(f"/asks/{own.id}", data={"decision": "yes", "reason": "Me"})
    assert response.status_code == 403


def test_the_asker_withdraws_an_open_ask(client, case, practitioner):
    ask = make_ask(case, practitioner)
    login(client, practitioner)
    response = client.post(f"/asks/{ask.id}/withdraw", data={"version": ask.version})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Ask, ask.id).status == "withdrawn"
    page = client.get(f"/asks/{ask.id}").get_data(as_text=True)
    assert "Withdrawn" in page and "Withdraw the ask" not in page


def test_another_team_sees_no_asks_and_its_probe_is_audited(client, case, practitioner, manager):
    ask = make_ask(case, practitioner)
    decide(db.session, ask, manager, decision="yes", reason="Fine")
    db.session.commit()
    south_manager = make_user(make_team("South"), "manager")
    login(client, south_manager)
    assert client.get(f"/asks/{ask.id}").status_code == 403
    assert client.post(f"/asks/{ask.id}", data={"decision": "no", "reason": "x"}).status_code == 403
    assert "Key safe" not in client.get("/asks").get_data(as_text=True)
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "refused", AuditEvent.entity == "ask")
    ).all()
    assert len(refused) == 2


def test_a_colleague_pulled_in_from_another_team_does_not_see_the_asks(client, case, practitioner):
    from casework.cases.service import add_action

    make_ask(case, practitioner, what="Confidential ask")
    south_worker = make_user(make_team("South"))
    add_action(
        db.session, case, practitioner, description="Advice", by="team", assignee=south_worker
    )
    db.session.commit()
    login(client, south_worker)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert "Confidential ask" not in page.get_data(as_text=True)


def test_reading_an_ask_is_audited(client, case, practitioner):
    ask = make_ask(case, practitioner)
    login(client, practitioner)
    client.get(f"/asks/{ask.id}")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity == "ask")
    )
    assert (event.entity_id, event.person_id, event.user_id) == (
        ask.id,
        case.person_id,
        practitioner.id,
    )


def test_a_practitioner_sees_their_own_asks(client, case, practitioner, team):
    make_ask(case, practitioner, what="Mine")
    make_ask(case, make_user(team, name="Sam Other"), what="Someone else's")
    login(client, practitioner)
    page = client.get("/asks").get_data(as_text=True)
    assert "Your asks of the manager" in page and "Mine" in page
    assert "Someone else" not in page
