"""Every branch of the routing rule (measures.md, How a new demand is routed)."""

import datetime as dt

import pytest

from casework import clock
from casework.cases.service import change_owner, close_case
from casework.demands.routing import record_demand, route_demand, route_kind
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.models import Case
from tests.conftest import make_demand, make_person, make_team, make_user

DAY = dt.timedelta(days=1)


def close(case, user, on=None):
    close_case(
        db.session,
        case,
        user,
        agreed_with_person=True,
        agreement_note="Agreed at home",
        summary="Stable",
        closed_on=on,
    )
    db.session.commit()


def test_second_demand_joins_the_open_case(practitioner):
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, clock.today() - 2 * DAY)
    second, route = make_demand(person, practitioner)
    assert route.kind == "open_case"
    assert second.case_id == first.case_id
    assert second.routed_by == "open_case"
    assert db.session.query(Case).count() == 1


def test_recontact_after_closure_goes_to_the_same_worker(team, practitioner, manager):
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, clock.today() - 10 * DAY)
    close(first.case, practitioner, clock.today() - 5 * DAY)
    # A manager records the new demand and even chooses someone else: the rule still
    # sends it to the worker who knows the person.
    other = make_user(team)
    second, route = make_demand(person, manager, owner=other)
    assert route.kind == "same_worker"
    assert second.case_id != first.case_id
    assert second.case.owner_id == practitioner.id
    assert second.case.ownership_changes[0].to_id == practitioner.id
    assert "Re-contact" in second.case.ownership_changes[0].reason


def test_recontact_describes_the_worker_and_closing_date(practitioner):
    person = make_person(practitioner, given_name="Anne")
    first, _ = make_demand(person, practitioner, dt.date(2026, 1, 5))
    close(first.case, practitioner, dt.date(2026, 2, 1))
    route = route_demand(db.session, person, practitioner.team, practitioner)
    assert route.describe(person, practitioner) == (
        f"This goes back to {practitioner.name}, who closed Anne's case on 1 February 2026."
    )


def test_recontact_when_previous_owner_is_deactivated_opens_a_new_case_for_the_recorder(
    team, practitioner
):
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, clock.today() - 10 * DAY)
    close(first.case, practitioner)
    practitioner.active = False
    db.session.commit()
    colleague = make_user(team)
    second, route = make_demand(person, colleague)
    assert route.kind == "new_case"
    assert second.case.owner_id == colleague.id


def test_recontact_when_previous_owner_left_the_team_is_not_same_worker(team, practitioner):
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, clock.today() - 10 * DAY)
    close(first.case, practitioner)
    practitioner.team = make_team("Elsewhere", "usual")
    db.session.commit()
    colleague = make_user(team)
    _, route = make_demand(person, colleague)
    assert route.kind == "new_case"


def test_new_case_owned_by_the_worker_chosen_at_intake(team, practitioner):
    chosen = make_user(team)
    person = make_person(practitioner)
    demand, route = make_demand(person, practitioner, owner=chosen)
    assert route.kind == "new_case"
    assert demand.case.owner_id == chosen.id


def test_new_case_owned_by_the_recording_practitioner(practitioner):
    demand, route = make_demand(make_person(practitioner), practitioner)
    assert route.kind == "new_case"
    assert demand.case.owner_id == practitioner.id
    assert route.describe(demand.person, practitioner) == "This opens a new case owned by you."


def test_new_case_recorded_by_a_manager_awaits_allocation(manager):
    demand, route = make_demand(make_person(manager), manager)
    assert demand.case.owner_id is None
    assert demand.case.ownership_changes == []
    assert "awaiting allocation" in route.describe(demand.person, manager)


def test_open_case_in_another_team_does_not_capture_the_demand(team, practitioner):
    other_team = make_team("South", "usual")
    other_worker = make_user(other_team)
    person = make_person(practitioner)
    theirs, _ = make_demand(person, other_worker)
    ours, route = make_demand(person, practitioner)
    assert route.kind == "new_case"
    assert ours.case_id != theirs.case_id
    assert ours.case.cohort == "pilot" and theirs.case.cohort == "usual"


def test_demand_takes_the_cohort_of_its_case(practitioner):
    demand, _ = make_demand(make_person(practitioner), practitioner)
    assert demand.cohort == demand.case.cohort == practitioner.team.cohort


def test_joining_describes_the_owner(practitioner):
    person = make_person(practitioner, given_name="Anne")
    make_demand(person, practitioner)
    route = route_demand(db.session, person, practitioner.team, practitioner)
    assert route.describe(person, practitioner) == (
        f"This joins Anne's open case, owned by {practitioner.name}."
    )


def test_routing_follows_a_change_of_owner(team, practitioner):
    person = make_person(practitioner)
    first, _ = make_demand(person, practitioner, clock.today() - 3 * DAY)
    colleague = make_user(team)
    change_owner(db.session, first.case, practitioner, new_owner=colleague, reason="Leave")
    close(first.case, colleague)
    _, route = make_demand(person, practitioner)
    assert route.kind == "same_worker" and route.owner.id == colleague.id


@pytest.mark.parametrize(
    "field, value",
    [
        ("received_on", clock.today() + DAY),
        ("source", "  "),
        ("channel", "pigeon"),
        ("stated_need", ""),
        ("kind", "maybe"),
    ],
)
def test_invalid_demand_is_refused_and_opens_no_case(practitioner, field, value):
    person = make_person(practitioner)
    fields = dict(
        received_on=clock.today(), source="GP", channel="phone", stated_need="Help", kind="value"
    )
    fields[field] = value
    with pytest.raises(InvalidValue) as refused:
        record_demand(
            db.session, person=person, team=practitioner.team, recorder=practitioner, **fields
        )
    assert field in refused.value.fields
    db.session.rollback()
    assert db.session.query(Case).count() == 0


def test_owner_from_another_team_is_refused(practitioner):
    outsider = make_user(make_team("West", "usual"))
    with pytest.raises(InvalidValue) as refused:
        make_demand(make_person(practitioner), practitioner, owner=outsider)
    assert "owner_id" in refused.value.fields


@pytest.mark.parametrize(
    ("has_open_case", "previous_owner_stays", "kind"),
    [
        (True, False, "open_case"),
        (True, True, "open_case"),  # an open case wins, whoever owned the one before
        (False, True, "same_worker"),
        (False, False, "new_case"),
    ],
)
def test_the_rule_itself_from_the_two_facts_it_reads(has_open_case, previous_owner_stays, kind):
    """route_kind is the rule route_demand and the synthetic history both ask."""
    facts = dict(has_open_case=has_open_case, previous_owner_stays=previous_owner_stays)
    assert route_kind(**facts) == kind
