"""The repeat-demand rule: an earlier demand to the same team within the look-back."""

import datetime as dt

import pytest

from casework.extensions import db
from casework.measures import is_repeat
from tests.conftest import make_demand, make_person, make_team, make_user

DAY = dt.date(2026, 6, 1)


@pytest.fixture
def person(practitioner):
    return make_person(practitioner)


def test_first_demand_is_not_a_repeat(person, practitioner):
    demand, _ = make_demand(person, practitioner, received_on=DAY)
    assert is_repeat(db.session, demand) is False


def test_second_demand_within_the_year_is_a_repeat(person, practitioner):
    make_demand(person, practitioner, received_on=DAY - dt.timedelta(days=200))
    demand, _ = make_demand(person, practitioner, received_on=DAY)
    assert is_repeat(db.session, demand) is True


@pytest.mark.parametrize(("gap", "expected"), [(365, True), (366, False)])
def test_the_look_back_includes_exactly_365_days(person, practitioner, gap, expected):
    make_demand(person, practitioner, received_on=DAY - dt.timedelta(days=gap))
    demand, _ = make_demand(person, practitioner, received_on=DAY)
    assert is_repeat(db.session, demand) is expected


def test_same_day_counts_only_for_the_one_recorded_second(person, practitioner):
    first, _ = make_demand(person, practitioner, received_on=DAY)
    second, _ = make_demand(person, practitioner, received_on=DAY)
    assert (is_repeat(db.session, first), is_repeat(db.session, second)) == (False, True)


def test_a_demand_recorded_later_but_received_earlier_does_not_make_the_later_one_new(
    person, practitioner
):
    later, _ = make_demand(person, practitioner, received_on=DAY)
    earlier, _ = make_demand(person, practitioner, received_on=DAY - dt.timedelta(days=3))
    assert (is_repeat(db.session, later), is_repeat(db.session, earlier)) == (True, False)


def test_a_demand_to_another_team_does_not_count(person, practitioner):
    other_team = make_team("South", "usual")
    other_worker = make_user(other_team)
    make_demand(person, other_worker, received_on=DAY - dt.timedelta(days=10))
    demand, _ = make_demand(person, practitioner, received_on=DAY)
    assert is_repeat(db.session, demand) is False


@pytest.mark.parametrize("app_config", [{"REPEAT_LOOKBACK_DAYS": 30}])
def test_the_look_back_is_configurable(person, practitioner):
    make_demand(person, practitioner, received_on=DAY - dt.timedelta(days=31))
    demand, _ = make_demand(person, practitioner, received_on=DAY)
    assert is_repeat(db.session, demand) is False
