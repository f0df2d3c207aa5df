"""Transfers fixtures: North (the practitioner's team, with an open case) and South, with
its manager and a practitioner."""

import datetime as dt

import pytest

from casework import clock
from casework.cases.service import add_action, log_conversation
from casework.extensions import db
from tests.conftest import make_demand, make_person, make_team, make_user


@pytest.fixture
def south(app):
    return make_team("South", "usual")


@pytest.fixture
def south_manager(south):
    return make_user(south, "manager", name="Sam South")


@pytest.fixture
def south_worker(south):
    return make_user(south, "practitioner", name="Sol Worker")


@pytest.fixture
def case(practitioner):
    """An open North case with two statements of what matters and actions of every kind."""
    person = make_person(practitioner, given_name="Irene", family_name="Thomas")
    demand, _ = make_demand(person, practitioner, clock.today() - dt.timedelta(days=20))
    case = demand.case
    for days, words in ((10, "To stay at home"), (3, "To see my sister in Southby")):
        log_conversation(
            db.session,
            case,
            practitioner,
            held_on=clock.today() - dt.timedelta(days=days),
            kind="visit",
            what_matters=words,
            notes="Private notes about the visit",
        )
    add_action(db.session, case, practitioner, description="Ring the housing office", by="team")
    add_action(db.session, case, practitioner, description="Ask her sister", by="person")
    done = add_action(db.session, case, practitioner, description="Send a leaflet", by="team")
    done.status = "done"
    db.session.commit()
    return case


from tests.api.conftest import api, api_as  # noqa: E402,F401 - the API's fixtures, here too
