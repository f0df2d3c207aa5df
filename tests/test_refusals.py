"""A refusal (403) says what is really wrong, on the page and in the API's error: a record
of another team is one reason; a manager's page, an administrator's page or a change only
the case's own team may make are others (issue 17, item 8)."""

from __future__ import annotations

import html

import pytest

from casework import clock, policy
from casework.cases.service import add_action
from casework.extensions import db
from tests.api.conftest import Api, token_for
from tests.conftest import login, make_demand, make_person, make_team, make_user

ANOTHER_TEAMS = "This record belongs to a team you are not part of"


def refusal(response) -> str:
    assert response.status_code == 403
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/team", policy.ONLY_MANAGERS),
        ("/admin/users", policy.ONLY_ADMINISTRATORS),
        ("/admin/audit", policy.ONLY_ADMINISTRATORS),
        ("/measures", policy.ONLY_MEASURES_READERS),
        ("/people/duplicates", policy.ONLY_IMPORTERS),
    ],
)
def test_a_practitioner_opening_a_managers_or_administrators_page_is_told_why(
    client, practitioner, path, reason
):
    login(client, practitioner)
    page = refusal(client.get(path))
    assert reason in page
    assert ANOTHER_TEAMS not in page


def test_another_teams_record_says_so(client, practitioner):
    south = make_team("South")
    theirs = make_demand(make_person(make_user(south)), make_user(south))[0].case
    login(client, practitioner)
    assert ANOTHER_TEAMS in refusal(client.get(f"/cases/{theirs.id}"))
    assert ANOTHER_TEAMS in refusal(client.get(f"/people/{theirs.person_id}"))


@pytest.fixture
def pulled_in(practitioner):
    """A colleague from another team given an action on North's case: reads it, may not
    change it."""
    case = make_demand(make_person(practitioner), practitioner)[0].case
    specialist = make_user(make_team("Therapy"), name="Sam Specialist")
    add_action(db.session, case, practitioner, description="Splint", by="team", assignee=specialist)
    db.session.commit()
    return case, specialist


def test_a_colleague_pulled_in_is_told_only_the_cases_team_changes_it(client, pulled_in):
    case, specialist = pulled_in
    login(client, specialist)
    page = refusal(client.get(f"/cases/{case.id}/conversations/new"))
    assert policy.ONLY_THE_CASES_TEAM in page and ANOTHER_TEAMS not in page


def test_closing_a_colleagues_case_names_who_may(client, team, practitioner):
    case = make_demand(make_person(practitioner), practitioner)[0].case
    login(client, make_user(team, name="Colin Colleague"))
    page = refusal(client.get(f"/cases/{case.id}/close"))
    assert policy.ONLY_OWNER_OR_MANAGER_CLOSE in page


def test_the_apis_refusals_say_why_too(client, practitioner, pulled_in):
    case, specialist = pulled_in
    south = make_team("South")
    theirs = make_demand(make_person(make_user(south)), make_user(south))[0].case
    api = Api(client, token_for(practitioner))
    status, body = api.get(f"/cases/{theirs.id}")
    assert status == 403 and body["error"]["message"].startswith(ANOTHER_TEAMS)
    status, body = api.get(
        "/measures", query_string={"from": "2020-01-01", "to": clock.today().isoformat()}
    )
    assert status == 403 and body["error"]["message"] == policy.ONLY_MEASURES_READERS
    status, body = Api(client, token_for(specialist)).post(
        f"/cases/{case.id}/conversations",
        {"held_on": clock.today().isoformat(), "kind": "visit", "notes": "Splint fitted"},
    )
    assert status == 403 and body["error"]["message"] == policy.ONLY_THE_CASES_TEAM
