"""GET /api/v1/measures: who may read which team's figures, and its errors."""

from __future__ import annotations

import datetime as dt

import pytest

from casework import clock
from tests.api.conftest import Api, token_for
from tests.conftest import make_demand, make_person, make_team, make_user

PERIOD = {"from": "2025-11-01", "to": "2026-10-31"}


def error_of(status, body, expected_status):
    assert status == expected_status, body
    return body["error"]


def test_practitioners_do_not_see_measures(api):
    assert error_of(*api.get("/measures", query_string=PERIOD), 403)["code"] == "forbidden"


def test_a_manager_starts_at_their_own_team_and_may_read_any_other(client, team, manager):
    other = make_team("South", "usual")
    api = Api(client, token_for(manager))
    status, body = api.get("/measures", query_string=PERIOD)
    assert (status, body["team"]) == (200, team.name)
    status, body = api.get("/measures", query_string={**PERIOD, "team": other.name})
    assert (status, body["team"]) == (200, "South")


def test_a_pilot_manager_reads_usual_practice(client, team, manager):
    south = make_team("South", "usual")
    worker = make_user(south, "practitioner")
    today = clock.today()
    for _ in range(3):
        make_demand(make_person(worker), worker, received_on=today - dt.timedelta(days=5))
    api = Api(client, token_for(manager))
    period = {"from": (today - dt.timedelta(days=30)).isoformat(), "to": today.isoformat()}
    status, body = api.get("/measures", query_string={**period, "cohort": "usual"})
    assert status == 200, body
    assert (body["team"], body["cohort"]) == (None, "usual")
    assert body["repeat_demand"]["total"] == 3
    assert body["split_across_teams"] == {
        "people": 3,
        "with_open_cases_in_2_or_more_teams": 0,
        "rate": 0.0,
    }
    # their own cohort without a team is still their own team's
    status, body = api.get("/measures", query_string={**period, "cohort": "pilot"})
    assert (status, body["team"], body["repeat_demand"]["total"]) == (200, "North", 0)


def test_a_lead_reads_every_team_or_any_one(client, team):
    lead = make_user(None, "lead")
    api = Api(client, token_for(lead))
    status, body = api.get("/measures", query_string=PERIOD)
    assert (status, body["team"]) == (200, None)
    assert api.get("/measures", query_string={**PERIOD, "team": team.name})[1]["team"] == "North"


def test_an_administrator_sees_any_team_or_all(client, team):
    api = Api(client, token_for(make_user(None, "admin")))
    assert api.get("/measures", query_string={**PERIOD, "team": team.name})[1]["team"] == "North"
    assert api.get("/measures", query_string=PERIOD)[1]["team"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"to": "2026-10-31"}, "from"),
        ({"from": "2026-11-01"}, "to"),
        ({**PERIOD, "from": "01/11/2025"}, "from"),
        ({"from": "2026-10-31", "to": "2026-01-01"}, "to"),
        ({**PERIOD, "cohort": "bubble"}, "cohort"),
        ({**PERIOD, "team": "Nowhere"}, "team"),
    ],
)
def test_wrong_filters_are_422_naming_the_filter(client, manager, query, field):
    api = Api(client, token_for(manager))
    assert field in error_of(*api.get("/measures", query_string=query), 422)["fields"]
