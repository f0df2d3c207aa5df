"""A person known to two teams: Riverside's open case owned by Eleisha Ward (occupational
therapist, a direct line), and North, the team of the tests' practitioner, which has never
worked with them."""

from __future__ import annotations

import datetime as dt

import pytest

from casework import clock
from casework.extensions import db
from tests.conftest import make_demand, make_person, make_team, make_user


@pytest.fixture
def riverside(app):
    return make_team("Riverside", "usual")


@pytest.fixture
def eleisha(riverside):
    worker = make_user(riverside, name="Eleisha Okoro")
    worker.profession = "Occupational therapist"
    worker.phone = "01632 960123"
    db.session.commit()
    return worker


@pytest.fixture
def known_elsewhere(eleisha):
    """Irene, with an open case in Riverside (and an older, closed one there)."""
    person = make_person(eleisha, given_name="Irene", family_name="Lovell")
    demand, _ = make_demand(
        person, eleisha, received_on=clock.today() - dt.timedelta(days=10),
        stated_need="Falls at night",
    )  # fmt: skip
    return person, demand.case


from tests.api.conftest import api, api_as  # noqa: E402,F401 - the API's fixtures, here too
