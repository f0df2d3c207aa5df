"""Conversations take the case's version (issue 17, item 9): two workers recording what
matters at once, from the page or the API, never silently replace each other's statement;
the second is told (409) and keeps what they typed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from casework import clock
from casework.cases import service
from casework.exceptions import StaleVersion
from casework.extensions import db
from casework.models import Case, Conversation
from tests.api.conftest import Api, token_for
from tests.conftest import login, make_demand, make_person, make_user

MINE = "Getting back to the allotment, typed while they were saving"
THEIRS = "Theirs: seeing the grandchildren at Christmas"


@pytest.fixture
def other(team):
    return make_user(team, "practitioner", name="Olu Other")


@pytest.fixture
def case(practitioner):
    person = make_person(practitioner, given_name="Anne")
    return make_demand(person, practitioner, clock.today() - dt.timedelta(days=5))[0].case


def statements(case_id: int) -> list[str]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            db.select(Conversation.what_matters).where(
                Conversation.case_id == case_id, Conversation.what_matters.is_not(None)
            )
        )
    )


def version_of(case_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Case, case_id).version


# The rule


def test_what_matters_moves_the_case_on_a_version_and_notes_alone_do_not(case, practitioner):
    read = case.version
    service.log_conversation(
        db.session, case, practitioner, held_on=clock.today(), kind="phone", notes="Rang"
    )
    db.session.commit()
    assert version_of(case.id) == read
    service.log_conversation(
        db.session,
        case,
        practitioner,
        held_on=clock.today(),
        kind="visit",
        what_matters=THEIRS,
        version=read,
    )
    db.session.commit()
    assert version_of(case.id) == read + 1


def test_a_stale_version_is_refused_and_nothing_is_recorded(case, practitioner, other):
    read = case.version
    service.log_conversation(
        db.session,
        case,
        other,
        held_on=clock.today(),
        kind="visit",
        what_matters=THEIRS,
        version=read,
    )
    db.session.commit()
    with pytest.raises(StaleVersion):
        service.log_conversation(
            db.session,
            case,
            practitioner,
            held_on=clock.today(),
            kind="visit",
            what_matters=MINE,
            version=read,
        )
    db.session.rollback()
    assert statements(case.id) == [THEIRS]


# The API


def conversation(version=None, what_matters=MINE) -> dict:
    body = {"held_on": clock.today().isoformat(), "kind": "visit", "what_matters": what_matters}
    return body | ({"version": version} if version is not None else {})


def test_api_two_workers_recording_what_matters_at_once(client, case, practitioner, other):
    read = case.version
    theirs = Api(client, token_for(other))
    mine = Api(client, token_for(practitioner))
    status, _ = theirs.post(f"/cases/{case.id}/conversations", conversation(read, THEIRS))
    assert status == 201
    status, body = mine.post(f"/cases/{case.id}/conversations", conversation(read))
    assert status == 409, body
    assert body["error"]["code"] == "stale_version"
    assert body["error"]["current"]["what_matters"] == THEIRS
    assert body["error"]["current"]["version"] == read + 1
    assert statements(case.id) == [THEIRS]
    status, saved = mine.post(f"/cases/{case.id}/conversations", conversation(read + 1))
    assert status == 201 and saved["what_matters"] == MINE
    assert statements(case.id) == sorted([THEIRS, MINE])
    status, now = mine.get(f"/cases/{case.id}")
    assert now["what_matters"] == MINE and now["version"] == read + 2


def test_api_without_a_version_records_as_before(client, case, practitioner):
    status, _ = Api(client, token_for(practitioner)).post(
        f"/cases/{case.id}/conversations", conversation()
    )
    assert status == 201
    assert statements(case.id) == [MINE]


@pytest.mark.parametrize("version", [0, -1, "3", 1.5, True])
def test_api_a_version_that_is_no_version_is_422(client, case, practitioner, version):
    body = conversation() | {"version": version}
    status, answer = Api(client, token_for(practitioner)).post(
        f"/cases/{case.id}/conversations", body
    )
    assert status == 422 and "version" in answer["error"]["fields"]
    assert statements(case.id) == []


# The page


def form(version, what_matters=MINE) -> dict:
    day = clock.today()
    return {
        "version": version,
        "held_on[day]": day.day,
        "held_on[month]": day.month,
        "held_on[year]": day.year,
        "kind": "visit",
        "what_matters": what_matters,
    }


def test_the_page_carries_the_cases_version(client, case, practitioner):
    login(client, practitioner)
    page = client.get(f"/cases/{case.id}/conversations/new").get_data(as_text=True)
    assert re.search(rf'name="version" type="hidden" value="{case.version}"', page)


def test_the_second_worker_is_told_and_keeps_what_they_typed(client, case, practitioner, other):
    login(client, practitioner)
    page = client.get(f"/cases/{case.id}/conversations/new").get_data(as_text=True)
    read = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    service.log_conversation(  # a colleague saves first, from their own page
        db.session,
        case,
        other,
        held_on=clock.today(),
        kind="phone",
        what_matters=THEIRS,
        version=int(read),
    )
    db.session.commit()
    response = client.post(f"/cases/{case.id}/conversations/new", data=form(read))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "There is a problem" in page and "Someone else changed this case" in page
    assert THEIRS in page and "recorded by Olu Other" in page  # what it says now
    assert MINE in page  # what was typed, kept
    assert statements(case.id) == [THEIRS]
    again = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert int(again) == int(read) + 1
    response = client.post(f"/cases/{case.id}/conversations/new", data=form(again))
    assert response.status_code == 302
    assert statements(case.id) == sorted([THEIRS, MINE])
