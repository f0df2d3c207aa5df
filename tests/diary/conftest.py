"""Fixtures for the working day: a case of the practitioner's, and a day some days from now."""

from __future__ import annotations

import datetime as dt

import pytest

from casework import clock
from tests.api.conftest import Api, token_for
from tests.conftest import make_demand, make_person


def days(n: int) -> dt.date:
    """`n` days from today (negative: before), asked of the clock when the test runs."""
    return clock.today() + dt.timedelta(days=n)


@pytest.fixture
def case(practitioner):
    demand, _ = make_demand(make_person(practitioner, given_name="Irene"), practitioner)
    return demand.case


@pytest.fixture
def api(client, practitioner):
    """The API as the practitioner."""
    return Api(client, token_for(practitioner))
