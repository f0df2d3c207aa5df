"""A demand recorded into a trial and passed to the worker in another team who knows the
person: the routing rule's first step, so it is not randomised (casework/trials/allocation)."""

from __future__ import annotations

import datetime as dt

import pytest

from casework import clock
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.models import Demand
from casework.trials import allocation, service
from casework.trials.allocation import record_trial_demand
from casework.trials.models import TrialAllocation
from tests.conftest import make_team


class NoDraw:
    def random(self):
        raise AssertionError("a passed demand must not be drawn")


@pytest.fixture
def trial(team, admin_user):
    make_team("Usual", "usual")
    made = service.create(
        db.session, name="Home first", pilot_team=team.name, usual_team="Usual", share=0.5,
        start_on=clock.today() - dt.timedelta(days=30), by=admin_user,
    )  # fmt: skip
    db.session.commit()
    return made


def fields(**extra):
    return dict(
        received_on=clock.today(),
        source="GP",
        channel="phone",
        stated_need="Stairs",
        kind=None,
        **extra,
    )


def test_a_passed_trial_demand_is_not_randomised(trial, practitioner, known_elsewhere, monkeypatch):
    person, case = known_elsewhere  # open in Riverside, outside the trial
    monkeypatch.setattr(allocation, "RANDOM", NoDraw())
    demand, route, placed = record_trial_demand(
        db.session, trial, person=person, recorder=practitioner, pass_to_case_id=case.id,
        **fields(),
    )  # fmt: skip
    db.session.commit()
    assert (route.kind, demand.case_id, demand.routed_by) == (
        "passed_to_owner", case.id, "passed_to_owner",
    )  # fmt: skip
    assert (placed.allocation, placed.draw) == ("not_randomised", None)


def test_without_passing_the_same_person_is_drawn(trial, practitioner, known_elsewhere):
    person, _ = known_elsewhere
    _, route, placed = record_trial_demand(
        db.session, trial, person=person, recorder=practitioner, **fields()
    )
    assert placed.allocation in ("pilot", "usual") and placed.draw is not None
    assert route.kind == "new_case"


def test_a_bad_pass_in_a_trial_is_refused_with_nothing_saved(trial, practitioner, known_elsewhere):
    person, case = known_elsewhere
    with pytest.raises(InvalidValue) as refused:
        record_trial_demand(
            db.session, trial, person=person, recorder=practitioner, pass_to_case_id=case.id + 99,
            **fields(),
        )  # fmt: skip
    assert "pass_to_case_id" in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(TrialAllocation.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Demand.id))) == 1  # Riverside's own
