import datetime as dt

import pytest

from tests.conftest import make_demand, make_person


@pytest.fixture
def person(practitioner):
    return make_person(practitioner, given_name="Irene", family_name="Walsh")


@pytest.fixture
def case(person, practitioner):
    demand, _ = make_demand(person, practitioner)
    return demand.case


def date_fields(name: str, day: dt.date | None) -> dict:
    """A date as the NHS date input posts it."""
    if day is None:
        return {f"{name}[day]": "", f"{name}[month]": "", f"{name}[year]": ""}
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


@pytest.fixture
def api(client, practitioner):
    from tests.api.conftest import Api, token_for

    return Api(client, token_for(practitioner))
