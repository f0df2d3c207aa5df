"""The lists behind each figure, and the figure over time, agree with the figure itself."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from casework import clock
from casework.demo import load_demo
from casework.extensions import db
from casework.measures import populations as pop
from casework.measures.drilldown import listing
from casework.measures.figures import PARTS, compute
from casework.measures.populations import Filters
from casework.measures.series import (
    GRAINS,
    SPECS,
    bucket_starts,
    end_to_end_points,
    every_series,
    rebase_index,
    series,
)
from tests.conftest import make_demand, make_person
from tests.measures.helpers import close, days

# The number each part's list must equal: (figure, key in compute()) or a sum of keys.
FIGURE_OF_PART = {
    ("repeat_demand", "total"): ("repeat_demand", "total"),
    ("repeat_demand", "repeat"): ("repeat_demand", "repeat"),
    ("repeat_demand", "while_open"): ("repeat_demand", "while_open"),
    ("repeat_demand", "after_closure"): ("repeat_demand", "after_closure"),
    ("repeat_demand", "no_case"): ("repeat_demand", "no_case"),
    ("demands_per_person", "demands"): ("demands_per_person", "demands"),
    ("demands_per_person", "people"): ("demands_per_person", "people"),
    ("split_across_teams", "people"): ("split_across_teams", "people"),
    ("split_across_teams", "with_open_cases_in_2_or_more_teams"): (
        "split_across_teams",
        "with_open_cases_in_2_or_more_teams",
    ),
    ("referral_mismatch", "recorded"): ("referral_mismatch", "recorded"),
    ("referral_mismatch", "mismatch"): ("referral_mismatch", "no", "partly"),
    ("referral_mismatch", "no"): ("referral_mismatch", "no"),
    ("referral_mismatch", "partly"): ("referral_mismatch", "partly"),
    ("referral_mismatch", "yes"): ("referral_mismatch", "yes"),
    ("failure_demand", "classified"): ("failure_demand", "failure", "value"),
    ("failure_demand", "failure"): ("failure_demand", "failure"),
    ("failure_demand", "value"): ("failure_demand", "value"),
    ("failure_demand", "unclassified"): ("failure_demand", "unclassified"),
    ("handoffs", "closed"): ("handoffs", "closed"),
    ("handoffs", "zero_handoffs"): ("handoffs", "zero_handoffs"),
    ("same_worker", "recontacts"): ("same_worker", "recontacts"),
    ("same_worker", "same_worker"): ("same_worker", "same_worker"),
    ("same_worker", "owner_left"): ("same_worker", "owner_left"),
    ("closed_by_agreement", "closed"): ("closed_by_agreement", "closed"),
    ("closed_by_agreement", "agreed"): ("closed_by_agreement", "agreed"),
    ("end_to_end_days", "closed"): ("end_to_end_days", "closed"),
    ("returned_within_90_days", "eligible"): ("returned_within_90_days", "eligible"),
    ("returned_within_90_days", "returned"): ("returned_within_90_days", "returned"),
    ("actions", "all"): ("actions", "person", "team"),
    ("actions", "person"): ("actions", "person"),
    ("actions", "team"): ("actions", "team"),
    ("actions", "done"): ("actions", "done"),
    ("actions", "dropped"): ("actions", "dropped"),
    ("actions", "open"): ("actions", "open"),
}
# Parts that explain a figure rather than appear in its JSON: they add up with a sibling.
COMPLEMENTS = {
    ("handoffs", "with_handoffs"): ("handoffs", "closed", "zero_handoffs"),
    ("same_worker", "other_worker"): ("same_worker", "recontacts", "same_worker", "owner_left"),
    ("closed_by_agreement", "not_agreed"): ("closed_by_agreement", "closed", "agreed"),
}
# The other endings of closed_by_agreement: each a count of its by_outcome (ADR 0033).
OUTCOME_PARTS = {
    ("closed_by_agreement", name)
    for name in ("transferred", "died", "moved_away", "declined_support")
}


@pytest.fixture
def demo(app):
    load_demo(db.session)
    db.session.commit()
    today = clock.today()
    return Filters(today - dt.timedelta(days=365), today)


def test_every_part_has_a_list_whose_count_is_the_figure(demo):
    every_part = {(figure, name) for figure, parts in PARTS.items() for name in parts}
    assert every_part == set(FIGURE_OF_PART) | set(COMPLEMENTS) | OUTCOME_PARTS
    for cohort in ("all", "pilot", "usual"):
        f = Filters(demo.start, demo.end, cohort)
        result = compute(db.session, start=f.start, end=f.end, cohort=cohort)
        for (figure, name), (key, *fields) in FIGURE_OF_PART.items():
            rows = listing(db.session, f, figure, name)
            expected = sum(result[key][field] for field in fields)
            assert rows.total == len(rows.rows) == expected, (cohort, figure, name)
        for (figure, name), (key, whole, *taken) in COMPLEMENTS.items():
            rows = listing(db.session, f, figure, name)
            expected = result[key][whole] - sum(result[key][field] for field in taken)
            assert len(rows.rows) == expected, (cohort, figure, name)
        for figure, name in OUTCOME_PARTS:
            rows = listing(db.session, f, figure, name)
            assert len(rows.rows) == result[figure]["by_outcome"][name], (cohort, name)


def test_the_demo_has_something_in_most_lists(demo):
    result = compute(db.session, start=demo.start, end=demo.end)
    assert result["repeat_demand"]["repeat"] > 0
    assert result["handoffs"]["closed"] > 0
    assert result["actions"]["person"] > 0


def test_a_page_of_a_list_and_its_total(demo):
    everything = listing(db.session, demo, "repeat_demand", "total")
    page = listing(db.session, demo, "repeat_demand", "total", limit=5, offset=5)
    assert page.total == everything.total
    assert page.rows == everything.rows[5:10]


def test_the_people_list_counts_each_persons_demands(practitioner):
    person = make_person(practitioner)
    make_demand(person, practitioner, received_on=dt.date(2026, 6, 1))
    make_demand(person, practitioner, received_on=dt.date(2026, 6, 3))
    make_demand(make_person(practitioner), practitioner, received_on=dt.date(2026, 6, 2))
    people = listing(
        db.session,
        Filters(dt.date(2026, 6, 1), dt.date(2026, 6, 30)),
        "demands_per_person",
        "people",
    )
    assert [(row["person_id"], row["demands"]) for row in people.rows][0] == (person.id, 2)
    assert people.rows[0]["first_on"] == dt.date(2026, 6, 1)
    assert people.rows[0]["last_on"] == dt.date(2026, 6, 3)
    assert people.total == 2


def test_each_series_adds_up_to_its_figure(demo):
    result = compute(db.session, start=demo.start, end=demo.end)
    expected = {
        "repeat_demand": ("repeat", "total"),
        "failure_demand": ("failure", None),
        "handoffs": ("zero_handoffs", "closed"),
        "same_worker": ("same_worker", "recontacts"),
        "closed_by_agreement": ("agreed", "closed"),
        "returned_within_90_days": ("returned", "eligible"),
    }
    for grain in GRAINS:
        for figure, (numerator, denominator) in expected.items():
            points = series(db.session, demo, figure, grain)
            assert sum(points.numerators) == result[figure][numerator], (grain, figure)
            if denominator:
                assert sum(points.denominators) == result[figure][denominator], (grain, figure)
        one_by_one = {figure: series(db.session, demo, figure, grain) for figure in SPECS}
        assert every_series(db.session, demo, grain) == one_by_one  # people counted once
        assert len(series(db.session, demo, "actions", grain).labels) == len(
            bucket_starts(demo, grain)
        )
        for figure in SPECS:
            points = series(db.session, demo, figure, grain)
            for num, den, value in zip(
                points.numerators, points.denominators, points.values, strict=True
            ):
                assert value == (num / den if den else None)


def test_the_actions_chart_counts_the_listed_actions_of_cases_opened_in_the_period(demo):
    """The chart is counted from the facts, the list (populations.actions) from the actions
    themselves: each point holds the listed actions whose case opened in that point's days."""
    listed = pop.actions(demo)
    rows = db.session.execute(select(listed.c.on, listed.c.by)).all()
    for grain in GRAINS:
        points = series(db.session, demo, "actions", grain)
        ends = [*points.starts[1:], dt.date.max]
        for i, (first, after) in enumerate(zip(points.starts, ends, strict=True)):
            inside = [by for on, by in rows if max(first, demo.start) <= on < after]
            expected = (inside.count("person"), len(inside))
            assert (points.numerators[i], points.denominators[i]) == expected, (grain, i)
        assert sum(points.denominators) > 0


def test_weeks_start_on_monday_and_months_on_the_first(app):
    f = Filters(dt.date(2026, 1, 28), dt.date(2026, 3, 2))  # a Wednesday to a Monday
    weeks = bucket_starts(f, "week")
    assert weeks[0] == dt.date(2026, 1, 26) and weeks[-1] == dt.date(2026, 3, 2)
    assert all(week.weekday() == 0 for week in weeks) and len(weeks) == 6
    assert bucket_starts(f, "month") == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]


def test_quarters_start_on_the_first_of_january_april_july_and_october(app):
    f = Filters(dt.date(2025, 2, 14), dt.date(2026, 1, 3))
    assert bucket_starts(f, "quarter") == [
        dt.date(2025, 1, 1),
        dt.date(2025, 4, 1),
        dt.date(2025, 7, 1),
        dt.date(2025, 10, 1),
        dt.date(2026, 1, 1),
    ]


def test_quarterly_points_fall_in_the_right_quarter(practitioner):
    this_quarter = clock.today().replace(month=(clock.today().month - 1) // 3 * 3 + 1, day=1)
    last = this_quarter - days(1)  # the last day of the quarter before
    for day in (last - days(80), last, this_quarter):
        make_demand(make_person(practitioner), practitioner, received_on=day)
    f = Filters(last - days(200), this_quarter)
    points = series(db.session, f, "repeat_demand", "quarter")
    assert points.denominators[-3:] == (0, 2, 1)
    third_month = this_quarter.replace(month=this_quarter.month + 2)
    assert points.labels[-1] == f"{this_quarter:%b} to {third_month:%b %Y}"
    assert len(points.labels) == len(bucket_starts(f, "quarter"))


def test_weekly_points_fall_in_the_right_week(practitioner):
    monday = dt.date(2026, 6, 1)
    for day in (monday, monday + days(6), monday + days(7)):
        make_demand(make_person(practitioner), practitioner, received_on=day)
    points = series(db.session, Filters(monday, monday + days(13)), "repeat_demand", "week")
    assert points.denominators == (2, 1)
    assert points.labels == ("Week of 1 June 2026", "Week of 8 June 2026")
    assert points.values == (0.0, 0.0)
    monthly = series(db.session, Filters(monday, monday + days(40)), "repeat_demand", "month")
    assert monthly.denominators == (3, 0)
    assert monthly.values == (0.0, None)


def test_end_to_end_points_are_in_closing_order_and_capped(practitioner):
    day = dt.date(2026, 6, 1)
    for n, length in enumerate((30, 10, 20)):
        demand, _ = make_demand(
            make_person(practitioner), practitioner, received_on=day - days(length)
        )
        close(demand.case, practitioner, day + days(n))
    f = Filters(day, day + days(10))
    assert [p.days for p in end_to_end_points(db.session, f)] == [30, 11, 22]
    assert [p.days for p in end_to_end_points(db.session, f, limit=2)] == [11, 22]


def test_limits_are_recalculated_from_the_first_point_on_or_after_the_date():
    starts = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert rebase_index(starts, dt.date(2026, 1, 15)) == (1,)
    assert rebase_index(starts, dt.date(2026, 2, 1)) == (1,)
    assert rebase_index(starts, dt.date(2025, 1, 1)) == ()
    assert rebase_index(starts, dt.date(2027, 1, 1)) == ()
    assert rebase_index(starts, None) == ()
