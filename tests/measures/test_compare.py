"""The compare page: two views of the locality side by side (ADR 0034)."""

from __future__ import annotations

import datetime as dt

import pytest

from casework import clock
from tests.conftest import login, make_demand, make_person, make_team, make_user


def period(days: int = 30) -> dict:
    today, start = clock.today(), clock.today() - dt.timedelta(days=days)
    return {
        "start[day]": start.day,
        "start[month]": start.month,
        "start[year]": start.year,
        "end[day]": today.day,
        "end[month]": today.month,
        "end[year]": today.year,
    }


@pytest.fixture
def south(app):
    return make_team("South", "usual")


@pytest.fixture
def locality(practitioner, south):
    """Two demands in North (pilot), three in South (usual), one person known to both."""
    worker = make_user(south, "practitioner")
    today = clock.today()
    both = make_person(practitioner, family_name="Bothways")
    make_demand(both, practitioner, received_on=today - dt.timedelta(days=10))
    make_demand(make_person(practitioner), practitioner, received_on=today - dt.timedelta(days=9))
    make_demand(both, worker, received_on=today - dt.timedelta(days=5))
    for _ in range(2):
        make_demand(make_person(worker, family_name="Southerner"), worker, received_on=today)
    return worker


def test_a_pilot_manager_compares_pilot_with_usual_practice(client, manager, locality):
    login(client, manager)
    response = client.get("/measures/compare", query_string=period())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ">Pilot teams</th>" in html and ">Usual practice teams</th>" in html
    assert '>2<span class="nhsuk-u-visually-hidden"> Pilot teams</span> demands' in html
    assert '>3<span class="nhsuk-u-visually-hidden"> Usual practice teams</span> demands' in html
    # one person split across the two teams, seen from each side
    assert '>1<span class="nhsuk-u-visually-hidden"> Usual practice teams</span> split' in html
    # neither side is their one team: how many, not who
    assert "/measures/list/" not in html and "Bothways" not in html
    assert html.count('<figure class="cw-chart"') == 2 * 10  # every figure, both sides


def test_the_managers_own_team_opens_its_lists_and_another_team_does_not(
    client, manager, locality, south
):
    login(client, manager)
    query = {**period(), "left": f"team:{manager.team_id}", "right": f"team:{south.id}"}
    html = client.get("/measures/compare", query_string=query).get_data(as_text=True)
    assert f"team={manager.team_id}" in html and "/measures/list/" in html
    assert f"team={south.id}&amp;list_cohort" not in html
    assert f"list_cohort=all&amp;team={south.id}" not in html
    assert (
        '>3<span class="nhsuk-u-visually-hidden"> South (usual practice)</span> demands of' in html
    )


def test_a_lead_compares_any_two_teams(client, locality, south, team):
    login(client, make_user(None, "lead"))
    query = {**period(), "left": f"team:{south.id}", "right": "all", "grain": "week"}
    response = client.get("/measures/compare", query_string=query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ">South (usual practice)</th>" in html and ">Every team</th>" in html
    assert "Week of" in html and "/measures/list/" not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"left": "all", "right": "all"}, "Choose something different to compare with"),
        ({"left": "team:999999"}, "Choose what to compare from the list"),
        ({"right": "<script>"}, "Choose what to compare from the list"),
        ({"end[year]": "1999"}, "The last day of the period must be on or after the first day"),
        ({"start[month]": "13"}, "real date"),
        ({"grain": "decade"}, "Choose months, weeks or quarters"),
    ],
)
def test_wrong_choices_are_400_in_plain_english_and_kept(client, manager, query, message):
    login(client, manager)
    response = client.get("/measures/compare", query_string={**period(), **query})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "nhsuk-error-summary" in html and message in html
    assert '<h2 id="figures">' not in html


def test_practitioners_may_not_compare(client, practitioner):
    login(client, practitioner)
    assert client.get("/measures/compare").status_code == 403
