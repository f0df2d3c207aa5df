"""Each figure of measures.md on small hand-built histories, edge cases included."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from casework.admin.service import deactivate_user
from casework.cases.service import add_action, record_referral_judgement, update_action
from casework.exceptions import InvalidValue
from casework.extensions import db
from casework.measures.figures import compute, percentiles, rate
from tests.conftest import make_demand, make_person, make_team, make_user
from tests.measures.helpers import close, days, figures, hand_over, imported_demand

DAY = dt.date(2026, 6, 1)


@pytest.fixture
def person(practitioner):
    return make_person(practitioner)


def test_an_empty_team_has_no_data_rather_than_zero_rates(team):
    result = figures(DAY - days(30), DAY, team_id=team.id)
    assert result["team"] == "North"
    assert result["repeat_demand"] == {
        "repeat": 0,
        "total": 0,
        "rate": None,
        "while_open": 0,
        "after_closure": 0,
        "no_case": 0,
    }
    assert result["demands_per_person"]["ratio"] is None
    assert result["end_to_end_days"] == {"closed": 0, "median": None, "p90": None}
    assert result["returned_within_90_days"]["rate"] is None
    assert all(
        value["rate"] is None
        for key, value in result.items()
        if isinstance(value, dict) and "rate" in value
    )


def test_the_result_has_exactly_the_api_shape(team):
    result = figures(DAY, cohort="pilot")
    assert list(result) == [
        "from",
        "to",
        "cohort",
        "team",
        "repeat_demand",
        "demands_per_person",
        "failure_demand",
        "referral_mismatch",
        "same_worker",
        "handoffs",
        "closed_by_agreement",
        "end_to_end_days",
        "returned_within_90_days",
        "actions",
        "cost_of_journey",  # api.md, "Test and learn": null without a cost catalogue
        "split_across_teams",  # api.md, "Measures for managers and leads"
    ]
    assert result["cost_of_journey"] is None
    assert (result["from"], result["to"], result["cohort"], result["team"]) == (
        "2026-06-01",
        "2026-06-01",
        "pilot",
        None,
    )
    assert set(result["actions"]) == {"person", "team", "done", "dropped", "open"}
    assert set(result["same_worker"]) == {"recontacts", "same_worker", "rate", "owner_left"}


def test_repeat_demand_is_split_by_the_persons_state_in_the_team(practitioner, team):
    open_case_person = make_person(practitioner)
    make_demand(open_case_person, practitioner, received_on=DAY - days(10))
    make_demand(open_case_person, practitioner, received_on=DAY)  # joins the open case

    closed_person = make_person(practitioner)
    first, _ = make_demand(closed_person, practitioner, received_on=DAY - days(100))
    close(first.case, practitioner, DAY - days(50))
    make_demand(closed_person, practitioner, received_on=DAY)  # back to the same worker

    history_person = make_person(practitioner)
    imported_demand(history_person, team, DAY - days(30))
    make_demand(history_person, practitioner, received_on=DAY)  # only imported history before

    imported_person = make_person(practitioner)
    imported_demand(imported_person, team, DAY - days(5))
    imported_demand(imported_person, team, DAY)  # itself imported

    make_demand(make_person(practitioner), practitioner, received_on=DAY)  # a first demand

    assert figures(DAY)["repeat_demand"] == {
        "repeat": 4,
        "total": 5,
        "rate": 0.8,
        "while_open": 1,
        "after_closure": 1,
        "no_case": 2,
    }


def test_an_imported_repeat_after_a_closed_case_is_still_no_case(practitioner, team, person):
    first, _ = make_demand(person, practitioner, received_on=DAY - days(60))
    close(first.case, practitioner, DAY - days(30))
    imported_demand(person, team, DAY)
    split = figures(DAY)["repeat_demand"]
    assert (split["repeat"], split["after_closure"], split["no_case"]) == (1, 0, 1)


@pytest.mark.parametrize(("gap", "repeats"), [(365, 1), (366, 0)])
def test_the_look_back_boundary_is_exactly_365_days(practitioner, person, gap, repeats):
    first, _ = make_demand(person, practitioner, received_on=DAY - days(gap))
    close(first.case, practitioner, DAY - days(gap - 10))
    make_demand(person, practitioner, received_on=DAY)
    result = figures(DAY)["repeat_demand"]
    assert (result["repeat"], result["total"], result["after_closure"]) == (repeats, 1, repeats)


def test_same_day_demands_count_the_second_as_a_repeat(practitioner, person):
    make_demand(person, practitioner, received_on=DAY)
    make_demand(person, practitioner, received_on=DAY)
    result = figures(DAY)
    assert result["repeat_demand"]["repeat"] == 1
    assert result["repeat_demand"]["while_open"] == 1
    assert result["demands_per_person"] == {"demands": 2, "people": 1, "ratio": 2.0}


def test_demands_outside_the_period_and_in_other_teams_are_left_out(practitioner, person):
    other = make_user(make_team("South", "usual"))
    make_demand(person, practitioner, received_on=DAY - days(1))
    make_demand(person, practitioner, received_on=DAY + days(1))
    make_demand(person, other, received_on=DAY)
    assert figures(DAY)["demands_per_person"]["demands"] == 1
    assert figures(DAY, cohort="pilot")["demands_per_person"]["demands"] == 0
    assert figures(DAY, cohort="usual")["demands_per_person"]["demands"] == 1
    assert figures(DAY - days(1), DAY + days(1), team_id=practitioner.team_id)[
        "demands_per_person"
    ] == {"demands": 2, "people": 1, "ratio": 2.0}


def test_failure_demand_counts_unclassified_beside_it(practitioner):
    for kind in ("failure", "value", "value", "value", None):
        make_demand(make_person(practitioner), practitioner, received_on=DAY, kind=kind)
    assert figures(DAY)["failure_demand"] == {
        "failure": 1,
        "value": 3,
        "unclassified": 1,
        "rate": 0.25,
    }


def test_only_unclassified_demands_give_no_failure_rate(practitioner, person):
    make_demand(person, practitioner, received_on=DAY, kind=None)
    assert figures(DAY)["failure_demand"]["rate"] is None


def test_referral_mismatch_counts_cases_opened_in_the_period_with_a_judgement(practitioner):
    for opened, judgement in [
        (DAY, "no"),
        (DAY, "partly"),
        (DAY, "partly"),
        (DAY, "yes"),
        (DAY, None),
        (DAY - days(1), "no"),
    ]:
        demand, _ = make_demand(make_person(practitioner), practitioner, received_on=opened)
        record_referral_judgement(
            db.session,
            demand.case,
            practitioner,
            referral_match=judgement,
            real_problem=None,
            version=demand.case.version,
        )
        db.session.commit()
    assert figures(DAY)["referral_mismatch"] == {
        "no": 1,
        "partly": 2,
        "yes": 1,
        "recorded": 4,
        "rate": 0.75,
    }


def test_handoffs_count_changes_after_the_first_owner(team, practitioner, manager):
    colleague = make_user(team)
    # Awaiting allocation, then allocated: the first owner is set, no handoff yet.
    allocated, _ = make_demand(make_person(practitioner), manager, received_on=DAY - days(20))
    hand_over(allocated.case, manager, practitioner, reason="Allocation")
    close(allocated.case, practitioner, DAY)
    # Handed over twice.
    busy, _ = make_demand(make_person(practitioner), practitioner, received_on=DAY - days(20))
    hand_over(busy.case, practitioner, colleague)
    hand_over(busy.case, colleague, practitioner)
    close(busy.case, practitioner, DAY)
    # Still open: not counted.
    still_open, _ = make_demand(make_person(practitioner), practitioner, received_on=DAY - days(5))
    hand_over(still_open.case, practitioner, colleague)

    assert figures(DAY)["handoffs"] == {"closed": 2, "zero_handoffs": 1, "rate": 0.5, "mean": 1.0}


def test_same_worker_lists_a_previous_owner_who_left_separately(team, practitioner, admin_user):
    leaver = make_user(team)
    stayed = make_person(practitioner)
    first, _ = make_demand(stayed, practitioner, received_on=DAY - days(100))
    close(first.case, practitioner, DAY - days(60))
    again, route = make_demand(stayed, practitioner, received_on=DAY)
    assert route.kind == "same_worker"

    left_behind = make_person(practitioner)
    old, _ = make_demand(left_behind, leaver, received_on=DAY - days(100))
    close(old.case, leaver, DAY - days(60))
    deactivate_user(db.session, leaver, admin_user)
    db.session.commit()
    new, route = make_demand(left_behind, practitioner, received_on=DAY)
    assert route.kind == "new_case"

    make_demand(make_person(practitioner), practitioner, received_on=DAY)  # not a re-contact

    assert figures(DAY)["same_worker"] == {
        "recontacts": 2,
        "same_worker": 1,
        "rate": 0.5,
        "owner_left": 1,
    }


def test_a_worker_who_leaves_after_taking_the_recontact_still_counts_as_same_worker(
    team, practitioner, admin_user
):
    leaver = make_user(team)
    person = make_person(practitioner)
    first, _ = make_demand(person, leaver, received_on=DAY - days(100))
    close(first.case, leaver, DAY - days(60))
    make_demand(person, practitioner, received_on=DAY)  # back to the leaver, who then leaves
    deactivate_user(db.session, leaver, admin_user)
    db.session.commit()
    result = figures(DAY)["same_worker"]
    assert (result["same_worker"], result["owner_left"]) == (1, 0)


def test_closed_by_agreement_shows_closures_recorded_elsewhere(practitioner):
    agreed, _ = make_demand(make_person(practitioner), practitioner, received_on=DAY - days(9))
    close(agreed.case, practitioner, DAY)
    elsewhere, _ = make_demand(make_person(practitioner), practitioner, received_on=DAY - days(9))
    elsewhere.case.closed_on = DAY
    elsewhere.case.closure_agreed = False
    db.session.commit()
    assert figures(DAY)["closed_by_agreement"] == {
        "closed": 2,
        "agreed": 1,
        "rate": 0.5,
        # a closure with no outcome recorded (made elsewhere) counts as the default, agreed
        "by_outcome": {
            "agreed": 2,
            "transferred": 0,
            "died": 0,
            "moved_away": 0,
            "declined_support": 0,
        },
    }


def test_end_to_end_days_run_from_the_first_demand_to_closure(practitioner):
    for length in (10, 20, 30, 100):
        demand, _ = make_demand(
            make_person(practitioner), practitioner, received_on=DAY - days(length)
        )
        close(demand.case, practitioner, DAY)
    # Linear interpolation: median between 20 and 30; p90 at position 2.7 → 30 + 0.7·70.
    assert figures(DAY)["end_to_end_days"] == {"closed": 4, "median": 25, "p90": 79}


def test_a_later_demand_joining_the_case_does_not_shorten_end_to_end_time(practitioner, person):
    first, _ = make_demand(person, practitioner, received_on=DAY - days(40))
    make_demand(person, practitioner, received_on=DAY - days(5))
    close(first.case, practitioner, DAY)
    assert figures(DAY)["end_to_end_days"]["median"] == 40


def test_percentiles_of_one_value_and_of_uneven_values():
    assert percentiles(Counter([7])) == [7, 7]
    assert percentiles(Counter([1, 2])) == [1.5, 1.9]
    assert percentiles(Counter([5, 1, 3])) == [3, 4.6]
    assert percentiles(Counter([4, 4, 1, 9, 2]), (0.0, 0.25, 1.0)) == [1, 2, 9]
    assert percentiles(Counter([])) == [None, None]


def test_returned_within_90_days_needs_a_whole_window_inside_the_period(practitioner, team):
    end = DAY
    # Closed exactly 90 days before the end: eligible; back on day 90 after closure.
    back, _ = make_demand(make_person(practitioner), practitioner, received_on=end - days(120))
    close(back.case, practitioner, end - days(90))
    make_demand(back.person, practitioner, received_on=end)
    # Eligible, came back on day 91: stayed away as far as the measure goes.
    late, _ = make_demand(make_person(practitioner), practitioner, received_on=end - days(150))
    close(late.case, practitioner, end - days(100))
    make_demand(late.person, practitioner, received_on=end - days(9))
    # Eligible, came back with imported history (another system's demand) after 10 days.
    legacy, _ = make_demand(make_person(practitioner), practitioner, received_on=end - days(150))
    close(legacy.case, practitioner, end - days(100))
    imported_demand(legacy.person, team, end - days(90))
    # Closed 89 days before the end: not yet eligible.
    recent, _ = make_demand(make_person(practitioner), practitioner, received_on=end - days(120))
    close(recent.case, practitioner, end - days(89))

    result = figures(end - days(200), end)["returned_within_90_days"]
    assert result == {"eligible": 3, "returned": 2, "rate": 0.666667}


def test_actions_of_cases_active_in_the_period(practitioner, person):
    demand, _ = make_demand(person, practitioner, received_on=DAY - days(30))
    case = demand.case
    done = add_action(db.session, case, practitioner, description="Ring the GP", by="team")
    add_action(db.session, case, practitioner, description="Walk daily", by="person")
    dropped = add_action(db.session, case, practitioner, description="Day centre", by="team")
    db.session.flush()
    update_action(db.session, done, practitioner, status="done")
    update_action(db.session, dropped, practitioner, status="dropped", outcome="Not wanted")
    db.session.commit()
    close(case, practitioner, DAY - days(10))
    # A case that closed before the period began is not active in it.
    old, _ = make_demand(make_person(practitioner), practitioner, received_on=DAY - days(60))
    add_action(db.session, old.case, practitioner, description="Old", by="team")
    db.session.commit()
    close(old.case, practitioner, DAY - days(40))

    assert figures(DAY - days(20), DAY)["actions"] == {
        "person": 1,
        "team": 2,
        "done": 1,
        "dropped": 1,
        "open": 1,
    }
    assert figures(DAY - days(5), DAY)["actions"]["team"] == 0


def test_a_merged_away_person_is_never_counted(practitioner, team):
    kept, gone = make_person(practitioner), make_person(practitioner)
    make_demand(kept, practitioner, received_on=DAY)
    imported_demand(gone, team, DAY)  # left behind by a faulty merge
    gone.merged_into_id = kept.id
    db.session.commit()
    result = figures(DAY)
    assert result["demands_per_person"] == {"demands": 1, "people": 1, "ratio": 1.0}


def test_cohort_of_a_case_is_the_cases_own(practitioner, person, team):
    demand, _ = make_demand(person, practitioner, received_on=DAY - days(10))
    close(demand.case, practitioner, DAY)
    team.cohort = "usual"  # the team later leaves the pilot
    db.session.commit()
    assert figures(DAY, cohort="pilot")["handoffs"]["closed"] == 1
    assert figures(DAY, cohort="usual")["handoffs"]["closed"] == 0


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"start": DAY, "end": DAY - days(1)}, "to"),
        ({"start": "2026-01-01", "end": DAY}, "from"),
        ({"start": DAY, "end": DAY, "cohort": "bubble"}, "cohort"),
        ({"start": DAY, "end": DAY, "team_id": 999}, "team"),
        ({"start": dt.date(1000, 1, 1), "end": DAY}, "from"),
        # dates no record can have: refused, not an overflow in the date arithmetic
        ({"start": dt.date(1, 1, 1), "end": dt.date(1, 1, 10)}, "from"),
        ({"start": dt.date(9999, 1, 1), "end": dt.date(9999, 12, 31)}, "to"),
    ],
)
def test_bad_filters_are_refused_in_plain_english(app, arguments, field):
    with pytest.raises(InvalidValue) as error:
        compute(db.session, **arguments)
    assert field in error.value.fields


def test_rates_are_rounded_fractions():
    assert rate(73, 116) == 0.62931
    assert rate(1, 3) == 0.333333
    assert rate(5, 0) is None


def test_a_recontact_on_the_day_the_case_closed_counts_as_after_closure(practitioner, person):
    first, _ = make_demand(person, practitioner, received_on=DAY - days(30))
    close(first.case, practitioner, DAY)
    make_demand(person, practitioner, received_on=DAY)
    result = figures(DAY)
    assert result["repeat_demand"]["after_closure"] == 1
    assert result["same_worker"] == {
        "recontacts": 1,
        "same_worker": 1,
        "rate": 1.0,
        "owner_left": 0,
    }


def test_a_letter_dated_before_the_closure_but_recorded_after_it_is_a_recontact(
    practitioner, person
):
    """Routing sees the case closed and sends the letter back to the same worker; the
    measures read it the same way, not by the letter's date alone."""
    first, _ = make_demand(person, practitioner, received_on=DAY)
    close(first.case, practitioner, DAY + days(10))
    late, route = make_demand(person, practitioner, received_on=DAY + days(5))
    assert route.kind == "same_worker" and late.case_id != first.case_id
    result = figures(DAY, DAY + days(200))
    assert result["repeat_demand"]["after_closure"] == 1
    assert result["repeat_demand"]["no_case"] == 0
    assert (result["same_worker"]["recontacts"], result["same_worker"]["same_worker"]) == (1, 1)
    assert result["returned_within_90_days"] == {"eligible": 1, "returned": 1, "rate": 1.0}
