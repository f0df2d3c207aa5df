"""Asks fixtures: an open case of the North team, owned by its practitioner."""

import pytest

from casework.asks.service import ask_manager
from casework.extensions import db
from tests.conftest import make_demand, make_person


@pytest.fixture
def case(practitioner):
    demand, _ = make_demand(make_person(practitioner, given_name="Irene"), practitioner)
    return demand.case


def make_ask(case, user, what="A fortnight of evening visits", **fields):
    values = dict(kind="resource", why="Her daughter is away", cost_pence=None, needed_by=None)
    values.update(fields)
    ask = ask_manager(db.session, case, user, what=what, **values)
    db.session.commit()
    return ask


from tests.api.conftest import api, api_as  # noqa: E402,F401 - the API's fixtures, here too
