"""Split across teams: people with a demand in the period whose cases in two or more teams
were open at the same time (casework/measures/split.py, docs/measures.md)."""

from __future__ import annotations

import json

import pytest

from casework import clock
from casework.extensions import db
from casework.measures.drilldown import listing
from casework.measures.populations import Filters
from casework.measures.series import series
from casework.people.merge import merge_people, undo_merge
from tests.conftest import login, make_demand, make_person, make_team, make_user
from tests.measures.helpers import close, days, figures


@pytest.fixture
def south(app):
    return make_team("South", "usual")


@pytest.fixture
def south_worker(south):
    return make_user(south, "practitioner", name="Sam South")


def split_of(result) -> tuple[int, int, float | None]:
    figure = result["split_across_teams"]
    return figure["with_open_cases_in_2_or_more_teams"], figure["people"], figure["rate"]


def test_a_person_with_cases_open_in_two_teams_is_split(practitioner, south_worker):
    today = clock.today()
    person = make_person(practitioner)
    make_demand(person, practitioner, received_on=today - days(40))
    make_demand(person, south_worker, received_on=today - days(10))
    alone = make_person(practitioner)
    make_demand(alone, practitioner, received_on=today - days(5))
    assert split_of(figures(today - days(30), today)) == (1, 2, 0.5)
    # seen from each team: the person's cases anywhere count, the people are the team's
    north_only = figures(today - days(60), today, team_id=practitioner.team_id)
    assert split_of(north_only) == (1, 2, 0.5)
    assert split_of(figures(today - days(30), today, cohort="usual")) == (1, 1, 1.0)


def test_one_case_closing_the_day_the_other_opens_is_not_a_split(practitioner, south_worker):
    today = clock.today()
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, received_on=today - days(40))
    close(first.case, practitioner, today - days(10))
    make_demand(person, south_worker, received_on=today - days(10))
    assert split_of(figures(today - days(60), today)) == (0, 1, 0.0)


def test_cases_open_together_for_a_day_are_a_split(practitioner, south_worker):
    today = clock.today()
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, received_on=today - days(40))
    make_demand(person, south_worker, received_on=today - days(11))
    close(first.case, practitioner, today - days(10))
    assert split_of(figures(today - days(60), today)) == (1, 1, 1.0)


def test_only_days_inside_the_period_count(practitioner, south_worker):
    today = clock.today()
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, received_on=today - days(90))
    south, _ = make_demand(person, south_worker, received_on=today - days(80))
    close(first.case, practitioner, today - days(50))
    close(south.case, south_worker, today - days(40))
    make_demand(person, practitioner, received_on=today - days(5))  # a new case in North
    # open together from 80 to 51 days ago: before this period, inside the longer one
    assert split_of(figures(today - days(30), today)) == (0, 1, 0.0)
    assert split_of(figures(today - days(85), today)) == (1, 1, 1.0)


def test_two_cases_in_one_team_are_not_a_split(practitioner):
    today = clock.today()
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, received_on=today - days(40))
    close(first.case, practitioner, today - days(20))
    make_demand(person, practitioner, received_on=today - days(5))
    assert split_of(figures(today - days(60), today)) == (0, 1, 0.0)


def test_no_demand_in_the_period_is_no_data(practitioner, south_worker):
    today = clock.today()
    person = make_person(practitioner)
    make_demand(person, practitioner, received_on=today - days(90))
    make_demand(person, south_worker, received_on=today - days(80))
    assert split_of(figures(today - days(30), today)) == (0, 0, None)


def test_the_list_and_the_chart_count_the_same_people(practitioner, south_worker):
    today = clock.today()
    split_person = make_person(practitioner, given_name="Sally")
    make_demand(split_person, practitioner, received_on=today - days(40))
    make_demand(split_person, south_worker, received_on=today - days(3))
    make_demand(make_person(practitioner), practitioner, received_on=today - days(2))
    f = Filters(today - days(30), today)
    rows = listing(db.session, f, "split_across_teams", "with_open_cases_in_2_or_more_teams")
    assert rows.total == 1
    assert [row["person_id"] for row in rows.rows] == [split_person.id]
    assert listing(db.session, f, "split_across_teams", "people").total == 2
    points = series(db.session, f, "split_across_teams", "month")
    assert sum(points.denominators) >= 2  # a person with demands in two months: each month
    assert sum(points.numerators) == 1
    last = points.starts.index(max(points.starts))
    assert points.denominators[last] >= 1


def test_the_chart_counts_each_point_over_its_own_days(practitioner, south_worker):
    today = clock.today()
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, received_on=today - days(200))
    south, _ = make_demand(person, south_worker, received_on=today - days(190))
    close(first.case, practitioner, today - days(180))
    close(south.case, south_worker, today - days(170))
    make_demand(person, practitioner, received_on=today - days(2))
    f = Filters(today - days(200), today)
    for grain in ("week", "month", "quarter"):
        points = series(db.session, f, "split_across_teams", grain)
        # split when the two cases ran together, not at the latest demand
        together = max(i for i, start in enumerate(points.starts) if start <= today - days(190))
        assert points.numerators[together] == 1, grain
        assert sum(points.numerators) == 1, grain
        assert points.numerators[-1] == 0 and points.denominators[-1] == 1, grain


def test_the_command_prints_the_figure_as_the_api_does(runner, practitioner, south_worker):
    today = clock.today()
    person = make_person(practitioner)
    make_demand(person, practitioner, received_on=today - days(20))
    make_demand(person, south_worker, received_on=today - days(10))
    db.session.commit()
    result = runner.invoke(
        args=["measures", "--from", (today - days(30)).isoformat(), "--to", today.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["split_across_teams"] == {
        "people": 1,
        "with_open_cases_in_2_or_more_teams": 1,
        "rate": 1.0,
    }


def test_a_manager_opens_the_people_split_in_their_own_team(
    client, manager, practitioner, south_worker
):
    today = clock.today()
    person = make_person(practitioner, family_name="Bothways")
    make_demand(person, practitioner, received_on=today - days(20))
    make_demand(person, south_worker, received_on=today - days(10))
    make_demand(make_person(practitioner, family_name="Oneway"), practitioner)
    login(client, manager)
    path = "/measures/list/split_across_teams/with_open_cases_in_2_or_more_teams"
    html = client.get(path).get_data(as_text=True)
    assert "Bothways" in html and "Oneway" not in html
    assert f'href="/people/{person.id}"' in html
    page = client.get("/measures").get_data(as_text=True)
    assert "Split across teams" in page
    assert '>1<span class="nhsuk-u-visually-hidden"> All</span> split across teams</a>' in page


def test_a_merge_that_joins_two_teams_cases_makes_the_person_split(
    practitioner, south_worker, admin_user
):
    """The people who can be split are kept with the facts (in_two_teams): a merge that
    brings one team's record and another's together makes the person split, and its undoing
    takes that back, with no rebuild between."""
    today = clock.today()
    north = make_person(practitioner)
    make_demand(north, practitioner, received_on=today - days(20))
    south = make_person(practitioner, given_name="Other")
    make_demand(south, south_worker, received_on=today - days(15))
    assert split_of(figures(today - days(30), today)) == (0, 2, 0.0)

    event = merge_people(db.session, admin_user, keep=north, other=south)
    db.session.commit()
    assert split_of(figures(today - days(30), today)) == (1, 1, 1.0)

    undo_merge(db.session, admin_user, event)
    db.session.commit()
    assert split_of(figures(today - days(30), today)) == (0, 2, 0.0)
