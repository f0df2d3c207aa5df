"""GET /api/v1/measures: who may read which team's figures, and its errors."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, token_for
from tests.conftest import make_team, make_user

PERIOD = {"from": "2025-11-01", "to": "2026-10-31"}


def error_of(status, body, expected_status):
    assert status == expected_status, body
    return body["error"]


def test_practitioners_do_not_see_measures(api):
    assert error_of(*api.get("/measures", query_string=PERIOD), 403)["code"] == "forbidden"


def test_a_manager_sees_their_own_team_only(client, team, manager):
    other = make_team("South", "usual")
    api = Api(client, token_for(manager))
    status, body = api.get("/measures", query_string=PERIOD)
    assert (status, body["team"]) == (200, team.name)
    error_of(*api.get("/measures", query_string={**PERIOD, "team": other.name}), 403)


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
