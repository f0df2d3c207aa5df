"""Late notes (issue 17, item 5): a letter or call after the closure, kept on the closed
case, neither reopening it nor counting as demand. Closed cases offer a late note, not a
conversation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from casework import clock
from casework.cases.service import close_case
from casework.extensions import db
from casework.measures.figures import compute
from casework.models import AuditEvent, Case, Demand, LateNote
from tests.api.conftest import Api, token_for
from tests.conftest import login, make_demand, make_person, make_team, make_user


def days_ago(n: int) -> dt.date:
    return clock.today() - dt.timedelta(days=n)


@pytest.fixture
def case(practitioner) -> Case:
    person = make_person(practitioner)
    demand, _ = make_demand(person, practitioner, received_on=days_ago(20))
    return db.session.get(Case, demand.case_id)


@pytest.fixture
def closed(case, practitioner) -> Case:
    close_case(
        db.session,
        case,
        practitioner,
        agreed_with_person=True,
        agreement_note="Agreed at the last visit",
        summary="Managing well",
        closed_on=days_ago(2),
    )
    db.session.commit()
    return case


NOTE = {"note": "A letter from the council arrived: the rail is fitted."}


def test_a_late_note_on_a_closed_case_is_201_and_changes_nothing_else(api, closed, practitioner):
    period = dict(start=days_ago(30), end=clock.today())
    before = compute(db.session, **period)
    status, body = api.post(f"/cases/{closed.id}/notes", NOTE)
    assert status == 201, body
    assert body["note"] == NOTE["note"] and body["case_id"] == closed.id
    assert body["author_id"] == practitioner.id and body["written_on"] == clock.today().isoformat()
    db.session.expire_all()
    assert db.session.get(Case, closed.id).closed_on == days_ago(2)  # still closed
    assert db.session.scalar(select(func.count(Demand.id))) == 1  # not a demand
    assert compute(db.session, **period) == before  # in no figure
    status, whole = api.get(f"/cases/{closed.id}")
    assert whole["status"] == "closed" and whole["late_notes"][0]["note"] == NOTE["note"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "late_note")).one()
    assert event.action == "create" and event.person_id == closed.person_id


def test_an_open_case_answers_409_record_a_conversation(api, case):
    status, body = api.post(f"/cases/{case.id}/notes", NOTE)
    assert status == 409 and body["error"]["code"] == "case_open"
    assert "record a conversation" in body["error"]["message"]
    assert db.session.scalar(select(func.count(LateNote.id))) == 0


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "  "}])
def test_no_note_is_422(api, closed, body):
    status, answer = api.post(f"/cases/{closed.id}/notes", body)
    assert status == 422 and "note" in answer["error"]["fields"]
    assert db.session.scalar(select(func.count(LateNote.id))) == 0


def test_another_team_may_not_add_one(client, closed):
    stranger = Api(client, token_for(make_user(make_team("South", "usual"))))
    assert stranger.post(f"/cases/{closed.id}/notes", NOTE)[0] == 403


def test_a_closed_case_offers_a_late_note_not_a_conversation(client, closed, practitioner):
    login(client, practitioner)
    page = client.get(f"/cases/{closed.id}").get_data(as_text=True)
    assert "Add a late note" in page
    assert "Record a conversation" not in page and "Record the first conversation" not in page
    assert f"/cases/{closed.id}/conversations/new" not in page
    # A bookmark of the conversation form leads to the late note, before any typing.
    response = client.get(f"/cases/{closed.id}/conversations/new")
    assert response.status_code == 302 and response.location.endswith(
        f"/cases/{closed.id}/notes/new"
    )


def test_an_open_case_offers_a_conversation_not_a_late_note(client, case, practitioner):
    login(client, practitioner)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Record a conversation" in page and "Add a late note" not in page
    response = client.get(f"/cases/{case.id}/notes/new")
    assert response.status_code == 302


def test_a_late_note_is_added_from_its_page_and_shown(client, closed, practitioner):
    login(client, practitioner)
    assert client.get(f"/cases/{closed.id}/notes/new").status_code == 200
    refused = client.post(f"/cases/{closed.id}/notes/new", data={"note": " "})
    assert refused.status_code == 422
    assert "Write the note" in refused.get_data(as_text=True)
    response = client.post(f"/cases/{closed.id}/notes/new", data=NOTE)
    assert response.status_code == 302
    page = client.get(f"/cases/{closed.id}").get_data(as_text=True)
    assert "the rail is fitted" in page and "Late note added. The case stays closed." in page
    timeline = client.get(f"/people/{closed.person_id}").get_data(as_text=True)
    assert "Late note on the closed case" in timeline and "the rail is fitted" in timeline
